"""The audit log (read-only), blocked phrases and bans."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils.html import format_html

from comments.models import Ban, BlockedPhrase, ModerationAction
from comments.selectors.bans import readers_to_ban
from comments.services.moderation import user_ban, user_unban
from comments.visibility import is_moderator


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


def profile_link(user) -> str:
    """A reader's name linking to their public profile: what a moderator may
    open (the user admin is for account managers, and shows emails)."""
    if user is None:
        return "—"
    return format_html(
        '<a href="{}">{}</a>',
        reverse("accounts:profile", kwargs={"username": user.get_username()}),
        user.get_username(),
    )


class ReaderLookup(AutocompleteSelect):
    """The admin's searchable select, asking the moderators' reader lookup
    (`BanAdmin.reader_lookup`) instead of the user admin's, which needs
    permission to view accounts."""

    def get_url(self):
        return reverse(f"{self.admin_site.name}:comments_ban_readers")


class BanAdminForm(forms.ModelForm):
    class Meta:
        model = Ban
        fields = ["user", "reason", "note", "until"]

    def clean_user(self):
        user = self.cleaned_data["user"]
        if user is not None and user.is_staff:
            raise forms.ValidationError("Staff accounts cannot be banned.")
        return user

    def clean(self):
        cleaned = super().clean()
        # A ban being changed names its reader already; they may have joined the staff since.
        if self.instance.pk is not None and self.instance.user.is_staff:
            raise forms.ValidationError(
                f"{self.instance.user.get_username()} is on the staff now, and staff accounts "
                "cannot be banned. Delete this ban to lift it."
            )
        return cleaned


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin):
    """Bans, written through `user_ban` / `user_unban`. The reader is picked
    by name from a lookup that shows moderators only ids and usernames."""

    form = BanAdminForm
    # The reader's name opens the ban (a second link in one cell would nest).
    list_display = ["user", "reason", "note", "until", "banned_by", "created_at"]
    list_select_related = ["user", "created_by"]
    search_fields = ["user__username", "reason", "note"]
    readonly_fields = ["reader", "banned_by", "created_at"]

    def get_fields(self, request, obj=None):
        # The reader is chosen once; a ban of someone else is a new ban.
        who = "reader" if obj is not None else "user"
        return [who, "reason", "note", "until", "banned_by", "created_at"]

    def get_urls(self):
        lookup = path(
            "readers/",
            self.admin_site.admin_view(self.reader_lookup),
            name=f"{self.opts.app_label}_{self.opts.model_name}_readers",
        )
        return [lookup, *super().get_urls()]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["widget"] = ReaderLookup(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def reader_lookup(self, request):
        """Readers whose name contains `term`, as the searchable select reads
        them: {"results": [{"id", "text"}], "pagination": {"more"}}."""
        may_ban = self.has_add_permission(request) or self.has_change_permission(request)
        if not (may_ban and is_moderator(request.user)):
            raise PermissionDenied
        try:
            page = int(request.GET.get("page") or 1)
        except ValueError:
            page = 1
        readers, more = readers_to_ban(term=request.GET.get("term", ""), page=page)
        return JsonResponse(
            {
                "results": [{"id": str(r.id), "text": r.username} for r in readers],
                "pagination": {"more": more},
            }
        )

    @admin.display(description="reader", ordering="user__username")
    def reader(self, ban):
        return profile_link(ban.user)

    @admin.display(description="banned by")
    def banned_by(self, ban):
        return ban.created_by.get_username() if ban.created_by else "—"

    # Through the services, so every ban and unban is in the audit log.

    def save_model(self, request, obj, form, change):
        ban = user_ban(
            user=obj.user,
            moderator=request.user,
            reason=obj.reason,
            until=obj.until,
            note=obj.note,
        )
        obj.pk, obj.created_by, obj.created_at = ban.pk, ban.created_by, ban.created_at

    def delete_model(self, request, obj):
        user_unban(user=obj.user, moderator=request.user)

    def delete_queryset(self, request, queryset):
        for ban in queryset.select_related("user"):
            user_unban(user=ban.user, moderator=request.user)
