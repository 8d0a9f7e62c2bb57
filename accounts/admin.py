"""The user admin, with closing an account for a reader who asks by email."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from accounts.services import account_delete

User = get_user_model()


@admin.action(
    description="Close account and erase personal data (reader's request)",
    permissions=["delete"],
)
def close_accounts(modeladmin, request, queryset):
    """What a reader gets from "Close my account", done by staff; confirmed first."""
    users = list(queryset.exclude(pk=request.user.pk))
    if request.POST.get("confirmed") == "yes":
        for user in users:
            account_delete(user=user)
        modeladmin.message_user(
            request,
            f"Closed {len(users)} account{'s' if len(users) != 1 else ''} and erased "
            "their personal data.",
            messages.SUCCESS,
        )
        return None
    return TemplateResponse(
        request,
        "admin/accounts/close_accounts.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": "Close accounts and erase personal data",
            "opts": modeladmin.model._meta,
            "users": users,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        },
    )


admin.site.unregister(User)


@admin.register(User)
class ReaderAdmin(UserAdmin):
    actions = [close_accounts]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The admin links every user it names (a comment's reporters, a
        # ban's moderator) to this page. Staff who may not see accounts,
        # such as moderators, get the reader's public profile instead of a
        # 403: nothing there is private.
        if not self.has_view_or_change_permission(request):
            user = self.get_object(request, unquote(object_id))
            if user is not None:
                return redirect("accounts:profile", username=user.get_username())
        return super().change_view(request, object_id, form_url, extra_context)
