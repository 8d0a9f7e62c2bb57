"""A comment typed before signing in, kept across log-in so it is not lost."""

from __future__ import annotations

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.urls import reverse
from django.utils.http import urlencode

DRAFT_SESSION_KEY = "comments:draft"


def login_url(next_url: str) -> str:
    """The log-in page, coming back to `next_url` afterwards."""
    return f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"


def signup_url(next_url: str) -> str:
    """The sign-up page, coming back to `next_url` afterwards."""
    return f"{reverse('account_signup')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"


def save_draft(request, *, article_id: int, body: str, parent_id: int | None = None) -> None:
    """Keep a guest's comment across log-in so it is not lost."""
    request.session[DRAFT_SESSION_KEY] = {
        "article_id": article_id,
        "body": body,
        "parent_id": parent_id,
    }


def pop_draft(request, *, article_id: int, peek: bool = False) -> str:
    """The draft typed for this story before logging in ("" if none).

    `peek` leaves it in the session: the draft is cleared only once the
    comment is actually posted.
    """
    if not hasattr(request, "session"):
        return ""
    draft = request.session.get(DRAFT_SESSION_KEY)
    if not draft or draft.get("article_id") != article_id:
        return ""
    if not peek:
        del request.session[DRAFT_SESSION_KEY]
    return draft.get("body", "")
