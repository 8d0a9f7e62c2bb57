"""The audit log (read-only), blocked phrases and bans."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from comments.models import Ban, BlockedPhrase, ModerationAction
from comments.services.moderation import user_ban, user_unban


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "moderator", "action", "change", "comment_link", "note"]
    list_filter = [("moderator", admin.RelatedOnlyFieldListFilter), "action", "to_status"]
    list_select_related = ["moderator", "reader", "comment__article", "comment__author"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Status")
    def change(self, entry):
        if not entry.from_status:
            return "—"
        return f"{entry.get_from_status_display()} → {entry.get_to_status_display()}"

    @admin.display(description="Comment or reader")
    def comment_link(self, entry):
        if entry.comment_id is not None:
            return format_html(
                '<a href="{}">{}</a>',
                reverse("admin:comments_comment_change", args=[entry.comment_id]),
                entry.comment,
            )
        if entry.reader_id is not None:
            return format_html(
                '<a href="{}">{}</a>',
                reverse("admin:comments_comment_author", args=[entry.reader_id]),
                entry.reader.get_username(),
            )
        return "[closed account]"


@admin.register(BlockedPhrase)
class BlockedPhraseAdmin(admin.ModelAdmin):
    list_display = ["phrase", "is_active", "created_at"]
    list_editable = ["is_active"]
    list_filter = ["is_active"]
    search_fields = ["phrase"]


class BanAdminForm(forms.ModelForm):
    class Meta:
        model = Ban
        fields = ["user", "reason", "until"]

    def clean_user(self):
        user = self.cleaned_data["user"]
        if user is not None and user.is_staff:
            raise forms.ValidationError("Staff accounts cannot be banned.")
        return user


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin):
    form = BanAdminForm
    list_display = ["user", "reason", "until", "created_by", "created_at"]
    list_select_related = ["user", "created_by"]
    search_fields = ["user__username", "user__email", "reason"]
    autocomplete_fields = ["user"]
    readonly_fields = ["created_by", "created_at"]
    fields = ["user", "reason", "until", "created_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        # A ban is about one reader: lift it and ban someone else instead,
        # so the audit log says who was banned and unbanned.
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "user"] if obj is not None else readonly

    # Through the services, so every ban and unban is in the audit log.

    def save_model(self, request, obj, form, change):
        ban = user_ban(user=obj.user, moderator=request.user, reason=obj.reason, until=obj.until)
        obj.pk, obj.created_by, obj.created_at = ban.pk, ban.created_by, ban.created_at

    def delete_model(self, request, obj):
        user_unban(user=obj.user, moderator=request.user)

    def delete_queryset(self, request, queryset):
        for ban in queryset.select_related("user"):
            user_unban(user=ban.user, moderator=request.user)
