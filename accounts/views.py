import json

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.mail import send_mail
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.generic import ListView

from accounts.forms import AccountDeleteForm
from accounts.selectors import personal_data_export, profile_comment_list, profile_user_get
from accounts.services import account_delete

# A link to close an account without a password is good for a day, and only
# while the account's password state is the one it was made for.
DELETE_LINK_SALT = "accounts.delete"
DELETE_LINK_MAX_AGE = 60 * 60 * 24


class ProfileView(ListView):
    """A commenter's public page: who they are and what they have said."""

    template_name = "accounts/profile.html"
    context_object_name = "comments"
    paginate_by = 20

    def get_queryset(self):
        username = self.kwargs["username"]
        if "\x00" in username:
            # No username holds a NUL, and PostgreSQL refuses one in a query.
            raise Http404("No such reader.")
        self.profile_user = profile_user_get(username=username)
        return profile_comment_list(user=self.profile_user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["profile_user"] = self.profile_user
        return context


@require_GET
@login_required
@never_cache
def personal_data_download(request):
    """Everything held about the reader, as a JSON file."""
    data = personal_data_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    filename = f"newsroom-data-{request.user.pk}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _password_state(user) -> str:
    """A keyed fingerprint of the account's password state: the link stops
    working when it changes, and the link (readable, though signed) never
    carries the password hash itself."""
    return salted_hmac(DELETE_LINK_SALT, user.password, algorithm="sha256").hexdigest()[:20]


def _delete_token(user) -> str:
    return signing.dumps({"user": user.pk, "state": _password_state(user)}, salt=DELETE_LINK_SALT)


def _token_user_id(token: str) -> tuple[int, str] | None:
    """(user id, password state) the link was made for, if it is genuine and fresh."""
    try:
        data = signing.loads(token, salt=DELETE_LINK_SALT, max_age=DELETE_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    return data.get("user"), data.get("state")


def _close(request, *, remove_comments: bool):
    account_delete(user=request.user, remove_comments=remove_comments)
    logout(request)
    return redirect("accounts:deleted")


@require_http_methods(["GET", "POST"])
@login_required
@never_cache
def account_delete_view(request):
    """Close the reader's account, confirmed by their password; a reader who
    signs in only through another site gets a confirmation link by email."""
    user = request.user
    form = AccountDeleteForm(request.POST if request.method == "POST" else None, user=user)
    sent = False
    if request.method == "POST" and form.is_valid():
        if user.has_usable_password():
            return _close(request, remove_comments=form.cleaned_data["remove_comments"])
        link = request.build_absolute_uri(
            reverse("accounts:delete-confirm", kwargs={"token": _delete_token(user)})
        )
        send_mail(
            "Confirm closing your account",
            f"Someone, hopefully you, asked to close your account {user.get_username()}.\n\n"
            f"To close it and erase your personal data, open this link within a day:\n{link}\n\n"
            "If you did not ask, ignore this email: nothing changes.",
            None,
            [user.email],
        )
        sent = True
    return render(
        request,
        "accounts/delete.html",
        {"form": form, "sent": sent, "by_email": not user.has_usable_password()},
        status=400 if request.method == "POST" and not form.is_valid() else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
@never_cache
def account_delete_confirm(request, token: str):
    """The emailed link: a last confirmation, then the account is closed."""
    found = _token_user_id(token)
    if found is None or found[0] != request.user.pk or found[1] != _password_state(request.user):
        return render(request, "accounts/delete_link_refused.html", status=400)
    if request.method == "POST":
        return _close(request, remove_comments=request.POST.get("remove_comments") == "on")
    return render(request, "accounts/delete_confirm.html", {"token": token})


def account_deleted(request):
    return render(request, "accounts/deleted.html")
