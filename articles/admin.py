from django.contrib import admin, messages
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from articles.forms import ArticleAdminForm
from articles.models import Article, Source, StorySettings, Tag
from articles.services import article_delete, article_save
from articles.signals import stories_changed


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "homepage_url", "copyright_notice", "article_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    # Explicit, because the aggregate below makes Django drop Meta.ordering.
    ordering = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(description="Stories", ordering="article_count")
    def article_count(self, source):
        return source.article_count


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "published_at", "source", "comments_open"]
    list_filter = ["status", "source", "tags", "published_at"]
    list_select_related = ["source"]
    search_fields = ["title", "standfirst", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["source", "tags"]
    readonly_fields = ["created_at", "updated_at", "lead_image_sizes"]
    actions = ["publish_selected", "unpublish_selected"]
    form = ArticleAdminForm
    fieldsets = [
        ("Story", {"fields": ["title", "slug", "standfirst", "byline", "body", "tags"]}),
        (
            "Lead image",
            {
                "fields": [
                    "lead_image",
                    "lead_image_sizes",
                    "lead_image_alt",
                    "lead_image_caption",
                    "lead_image_credit",
                ]
            },
        ),
        ("Attribution", {"fields": ["source", "original_url"]}),
        ("Publication", {"fields": ["status", "published_at", "created_at", "updated_at"]}),
        ("Comments", {"fields": ["comments_open", "comments_close_after_days"]}),
    ]

    @admin.display(description="Sizes made")
    def lead_image_sizes(self, article):
        image = article.lead_image_shown
        if image is None:
            return "—"
        return format_html(
            '<img src="{}" width="{}" height="{}" alt=""><ul>{}</ul>',
            image.smallest.url,
            image.smallest.width,
            image.smallest.height,
            format_html_join(
                "",
                '<li><a href="{}">{} × {}</a></li>',
                ((r.url, r.width, r.height) for r in image.renditions),
            ),
        )

    def save_model(self, request, obj, form, change):
        article_save(article=obj)

    def delete_model(self, request, obj):
        article_delete(articles=Article.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        article_delete(articles=queryset)

    def _set_status(self, request, queryset, status):
        # published_at is left alone: a back-dated draft keeps its original
        # date, and a future one becomes scheduled rather than live now.
        changed = queryset.exclude(status=status).update(status=status)
        stories_changed.send(sender=Article)  # update() sends no post_save
        label = Article.Status(status).label.lower()
        self.message_user(
            request,
            ngettext(
                "%(count)d story marked %(label)s.",
                "%(count)d stories marked %(label)s.",
                changed,
            )
            % {"count": changed, "label": label},
            messages.SUCCESS,
        )

    @admin.action(description="Publish selected stories", permissions=["change"])
    def publish_selected(self, request, queryset):
        self._set_status(request, queryset, Article.Status.PUBLISHED)

    @admin.action(description="Unpublish selected stories", permissions=["change"])
    def unpublish_selected(self, request, queryset):
        self._set_status(request, queryset, Article.Status.DRAFT)


@admin.register(StorySettings)
class StorySettingsAdmin(admin.ModelAdmin):
    """The one row of site-wide settings: the list goes straight to its form."""

    fields = ["comments_close_after_days"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        row = StorySettings.load()
        if row._state.adding:
            row.save()
        return redirect(reverse("admin:articles_storysettings_change", args=[row.pk]))
