import difflib

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext
from reversion.admin import VersionAdmin
from reversion.models import Version

from articles.images import LeadImageFormField
from articles.import_admin import import_status_view, import_upload_view
from articles.models import (
    WORDS_PER_MINUTE,
    Article,
    Source,
    StorySettings,
    Tag,
    may_preview,
)
from articles.services import (
    article_delete,
    article_publish_now,
    article_recovered,
    article_revision_restored,
    article_save,
)
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


class PublicationStateFilter(admin.SimpleListFilter):
    """Draft / Scheduled / Published, as readers get it now."""

    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("draft", "Draft"), ("scheduled", "Scheduled"), ("published", "Published")]

    def queryset(self, request, queryset):
        if self.value() == "draft":
            return queryset.drafts()
        if self.value() == "scheduled":
            return queryset.scheduled()
        if self.value() == "published":
            return queryset.live()
        return queryset


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = "__all__"
        # The lead image upload is checked against the lead image limits.
        field_classes = {"lead_image": LeadImageFormField}

    def clean_slug(self):
        """A new story whose slug is taken gets the first free `-2`, `-3`…:
        two stories may share a headline. A changed story's slug is the
        editor's to choose, so a clash there stays an error."""
        slug = self.cleaned_data["slug"]
        if self.instance.pk is not None or not Article.objects.filter(slug=slug).exists():
            return slug
        max_length = Article._meta.get_field("slug").max_length
        taken = set(
            Article.objects.filter(slug__startswith=slug).values_list("slug", flat=True)
        )
        number = 2
        while True:
            suffix = f"-{number}"
            candidate = slug[: max_length - len(suffix)] + suffix
            if candidate not in taken and not Article.objects.filter(slug=candidate).exists():
                return candidate
            number += 1


def _day(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {local:%B %Y}"


# What a revision's comparison shows, in the change form's order.
DIFF_FIELDS = [
    "title",
    "slug",
    "standfirst",
    "byline",
    "body",
    "tags",
    "source",
    "original_url",
    "seo_description",
    "status",
    "published_at",
    "comments_open",
    "comments_close_after_days",
]


def _version_image(version: Version) -> str:
    """The stored name of the lead image a saved version of a story names ("" for none)."""
    return str(version.field_dict.get("lead_image") or "")


def _shown(field_name: str, value, *, sources: dict, tags: dict) -> str:
    """A field's stored value as an editor reads it in the comparison."""
    if value is None or value == "":
        return ""
    if field_name == "tags":
        return "\n".join(sorted(tags.get(int(pk), f"(deleted tag {pk})") for pk in value))
    if field_name == "source":
        return sources.get(int(value), f"(deleted source {value})")
    if field_name == "status":
        return str(Article.Status(value).label)
    if field_name == "published_at":
        return timezone.localtime(value).strftime("%d %B %Y, %H:%M:%S %Z")
    if field_name == "comments_open":
        return "Yes" if value else "No"
    return str(value)


@admin.register(Article)
class ArticleAdmin(VersionAdmin):
    list_display = ["title", "state", "published_at", "source", "comment_state"]
    list_filter = [PublicationStateFilter, "source", "tags", "published_at"]
    list_select_related = ["source"]
    search_fields = ["title", "standfirst", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["source", "tags"]
    form = ArticleAdminForm
    object_history_template = "admin/articles/article/object_history.html"
    history_latest_first = True
    readonly_fields = ["created_at", "updated_at", "length", "lead_image_sizes"]
    actions = ["publish_now", "publish_selected", "unpublish_selected"]
    fieldsets = [
        (
            "Story",
            {"fields": ["title", "slug", "standfirst", "byline", "body", "length", "tags"]},
        ),
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
        ("Search engines and link previews", {"fields": ["seo_description"]}),
        (
            "Publication",
            {"fields": ["status", "published_at", "created_at", "updated_at", "editor_note"]},
        ),
        ("Comments", {"fields": ["comments_open", "comments_close_after_days"]}),
    ]

    class Media:
        js = ["js/unsaved_changes.js"]

    def reversion_register(self, model, **kwargs):
        # The search vector is computed by PostgreSQL from the fields kept.
        super().reversion_register(model, exclude=["search_vector"], **kwargs)

    def get_urls(self):
        diff = path(
            "<path:object_id>/history/<int:version_id>/diff/",
            self.admin_site.admin_view(self.revision_diff_view),
            name="articles_article_revision_diff",
        )
        imports = [
            path(
                "import/",
                self.admin_site.admin_view(lambda r: import_upload_view(self.admin_site, r)),
                name="articles_import",
            ),
            path(
                "import/<int:job_id>/",
                self.admin_site.admin_view(
                    lambda r, job_id: import_status_view(self.admin_site, r, job_id)
                ),
                name="articles_import_status",
            ),
        ]
        return [diff, *imports, *super().get_urls()]

    def revision_diff_view(self, request, object_id, version_id):
        """One saved version beside the story as it is now, field by field."""
        article = get_object_or_404(Article, pk=unquote(object_id))
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        version = get_object_or_404(
            Version.objects.get_for_object(article).select_related("revision__user"),
            pk=version_id,
        )
        attnames = {name: Article._meta.get_field(name).attname for name in DIFF_FIELDS}
        saved = version.field_dict
        then = {name: saved.get(attname) for name, attname in attnames.items()}
        now = {name: getattr(article, attname, None) for name, attname in attnames.items()}
        now["tags"] = list(article.tags.values_list("pk", flat=True))
        source_ids = {value for value in (then["source"], now["source"]) if value}
        tag_ids = {int(pk) for pk in [*(then["tags"] or []), *now["tags"]]}
        sources = dict(Source.objects.filter(pk__in=source_ids).values_list("pk", "name"))
        tags = dict(Tag.objects.filter(pk__in=tag_ids).values_list("pk", "name"))
        changes = []
        for name in DIFF_FIELDS:
            old = _shown(name, then[name], sources=sources, tags=tags)
            new = _shown(name, now[name], sources=sources, tags=tags)
            if old == new:
                continue
            # HtmlDiff escapes every line it writes (&, <, >): the table is safe.
            table = difflib.HtmlDiff(wrapcolumn=70).make_table(
                old.splitlines(), new.splitlines(), "This version", "Now"
            )
            changes.append(
                {"label": Article._meta.get_field(name).verbose_name, "table": mark_safe(table)}
            )
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": f"Compare a version of “{article}” with now",
            "subtitle": None,
            "opts": opts,
            "original": article,
            "version": version,
            "changes": changes,
            "restore_url": reverse(
                "admin:articles_article_revision", args=[article.pk, version.pk]
            ),
            "history_url": reverse("admin:articles_article_history", args=[article.pk]),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/articles/article/revision_diff.html", context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Restore a version; the address the story had before keeps working.

        The restore itself saves the story through the change form
        (`save_model`), so cached pages go stale as with any save. The lead
        image is not restored (`article_revision_restored`).
        """
        if request.method != "POST":
            return super().revision_view(request, object_id, version_id, extra_context)
        version = get_object_or_404(Version, pk=version_id, object_id=unquote(object_id))
        with transaction.atomic():
            before = Article.objects.select_for_update().filter(pk=unquote(object_id)).first()
            response = super().revision_view(request, object_id, version_id, extra_context)
            restored = None
            if before is not None and response.status_code == 302:
                restored = Article.objects.filter(pk=before.pk).first()
            if restored is not None and article_revision_restored(
                previous=before, article=restored, version_image=_version_image(version)
            ):
                messages.info(
                    request,
                    "The story keeps its current lead image: the image this version had "
                    "was replaced since, and its files were deleted then.",
                )
        return response

    def recover_view(self, request, version_id, extra_context=None):
        """Bring back a deleted story; its lead image's files went with it."""
        if request.method != "POST":
            return super().recover_view(request, version_id, extra_context)
        version = get_object_or_404(Version, pk=version_id)
        with transaction.atomic():
            response = super().recover_view(request, version_id, extra_context)
            recovered = None
            if response.status_code == 302:
                recovered = Article.objects.filter(pk=version.object_id).first()
            if recovered is not None and article_recovered(
                article=recovered, version_image=_version_image(version)
            ):
                messages.info(
                    request,
                    "The story is back without its lead image: the image's files were "
                    "deleted with the story. Upload it again if you have it.",
                )
        return response

    def get_queryset(self, request):
        # The site's comment period on every row: the comment column costs no query.
        return super().get_queryset(request).with_comment_policy()

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

    @admin.display(description=f"Length (reading at {WORDS_PER_MINUTE} words a minute)")
    def length(self, article):
        if article.pk is None:
            return "Shown once the story is saved."
        words = article.word_count
        minutes = article.reading_minutes
        return (
            ngettext("%(words)s word", "%(words)s words", words) % {"words": f"{words:,}"}
            + ", "
            + ngettext("%(minutes)d minute", "%(minutes)d minutes", minutes)
            % {"minutes": minutes}
            + " to read"
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The story as readers will see it, drafts included: the public
        # address shows unpublished stories to those allowed to preview.
        if obj is not None and obj.pk is not None and may_preview(request.user):
            context["preview_url"] = obj.get_absolute_url()
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="Status", ordering="status")
    def state(self, article):
        return article.publication_state

    @admin.display(description="Comments")
    def comment_state(self, article):
        """What readers get: open, closed by hand, or closed by a period."""
        if not article.comments_open:
            return "Closed"
        close_at = article.comments_close_at
        if close_at is None:
            return "Open"
        whose = "story's" if article.comments_close_after_days is not None else "site"
        if article.comments_are_open:
            return f"Open until {_day(close_at)} ({whose} period)"
        return f"Closed on {_day(close_at)} ({whose} period)"

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
        waiting = queryset.scheduled().count()
        if waiting:
            self.message_user(
                request,
                ngettext(
                    "%(count)d story is scheduled for later; "
                    "“Publish now” publishes it at once.",
                    "%(count)d stories are scheduled for later; "
                    "“Publish now” publishes them at once.",
                    waiting,
                )
                % {"count": waiting},
                messages.WARNING,
            )

    @admin.action(description="Publish now", permissions=["change"])
    def publish_now(self, request, queryset):
        changed = article_publish_now(articles=queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d story published now.", "%(count)d stories published now.", changed
            )
            % {"count": changed},
            messages.SUCCESS,
        )

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
