"""Fixture rows for the accounts tests.

Comments are inserted directly: these tests are about what the profile page
shows, not about the comment service's rules.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.utils import timezone

from comments.models import Comment
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"


def verified_user(**kwargs):
    """A user who has confirmed their email address, so allauth lets them log in."""
    user = UserFactory(**kwargs)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def comment_create_row(*, article, author, body="A comment.", minutes_ago=0, **fields):
    """A top-level comment row; MPTT fills the tree fields of a root itself."""
    return Comment.objects.create(
        article=article,
        author=author,
        body=body,
        body_html=fields.pop("body_html", f"<p>{body}</p>"),
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
        **fields,
    )
