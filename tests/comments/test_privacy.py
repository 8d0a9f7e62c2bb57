"""The comment privacy page and the IP address purge it promises."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from comments.models import Comment
from tests.comments.threads import C, build

pytestmark = pytest.mark.django_db

PRIVACY_URL = "/privacy/comments/"


def test_privacy_page_says_what_is_stored_and_how_long_ips_are_kept(client, settings):
    settings.AKISMET_API_KEY = ""
    settings.NEWSROOM_COMMENT_IP_RETENTION_DAYS = 14

    response = client.get(PRIVACY_URL)

    assertContains(response, "<h1>How your comment data is processed</h1>", html=True)
    assertContains(response, "IP address and browser’s user agent")
    assertContains(response, "14 days after posting")
    assertContains(response, "Akismet is not used")
    assertNotContains(response, "checked by Akismet")


def test_privacy_page_names_what_akismet_receives_when_it_is_enabled(client, settings):
    settings.AKISMET_API_KEY = "a-key"
    settings.NEWSROOM_COMMENT_IP_RETENTION_DAYS = 1

    response = client.get(PRIVACY_URL)

    assertContains(response, "New comments are checked by Akismet")
    assertContains(response, "your IP address, user agent")
    assertContains(response, "1 day after posting")
    assertNotContains(response, "Akismet is not used")


def purge(**options) -> str:
    out = StringIO()
    call_command("purge_comment_ips", stdout=out, **options)
    return out.getvalue()


def test_purge_clears_old_ips_keeps_recent_ones_and_is_idempotent(article, settings):
    settings.NEWSROOM_COMMENT_IP_RETENTION_DAYS = 30
    now = timezone.now()
    rows = build(
        article,
        [
            C("old", created_at=now - timedelta(days=31)),
            C("older", created_at=now - timedelta(days=400)),
            C("recent", created_at=now - timedelta(days=29)),
        ],
    )
    Comment.objects.update(ip_address="203.0.113.9", user_agent="Firefox/140")

    assert "of 2 comments older than 30 days" in purge()

    stored = dict(Comment.objects.values_list("body", "ip_address"))
    assert stored == {"old": None, "older": None, "recent": "203.0.113.9"}
    assert Comment.objects.get(pk=rows["old"].pk).user_agent == ""
    assert Comment.objects.get(pk=rows["recent"].pk).user_agent == "Firefox/140"
    assert Comment.objects.get(pk=rows["old"].pk).body == "old"
    assert "of 0 comments" in purge()


def test_purge_takes_a_shorter_period_from_the_command_line(article):
    build(article, [C("two days old", created_at=timezone.now() - timedelta(days=2))])
    Comment.objects.update(ip_address="2001:db8::1")

    assert "of 1 comment older than 1 day." in purge(days=1)
    assert Comment.objects.get().ip_address is None
