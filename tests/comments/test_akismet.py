"""Akismet over real HTTP against a local fake: what is sent and what each answer does."""

import socket
from datetime import UTC, timedelta

import pytest
from django.contrib.sites.models import Site
from django.utils import timezone

from comments.models import Comment
from comments.spam import Action, run_pipeline
from comments.spam.akismet import submit_ham, submit_spam, verify_key
from comments.spam.checks import GENERIC_REFUSAL
from tests.comments.fake_akismet import FakeAkismet

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(db):
    Site.objects.update_or_create(pk=1, defaults={"domain": "news.example.com", "name": "News"})
    yield
    # The database change is rolled back; the Sites framework's cache is not.
    Site.objects.clear_cache()


@pytest.fixture
def fake_akismet(settings):
    with FakeAkismet() as server:
        settings.AKISMET_API_KEY = "test-key"
        settings.NEWSROOM_AKISMET_URL = server.url
        settings.NEWSROOM_AKISMET_TIMEOUT = 0.5
        yield server


@pytest.fixture
def nothing_listening(settings):
    """Akismet configured at an address where nothing answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.AKISMET_API_KEY = "test-key"
    settings.NEWSROOM_AKISMET_URL = f"http://127.0.0.1:{port}/1.1/"


def _check(article, author, body):
    return run_pipeline(
        article=article,
        author=author,
        body=body,
        ip_address="203.0.113.7",
        user_agent="Mozilla/5.0 (Test)",
        referrer="https://search.example/?q=story",
    )


def _stored_comment(article, author, body):
    return Comment.objects.create(
        article=article,
        author=author,
        body=body,
        body_html=f"<p>{body}</p>",
        created_at=timezone.now() - timedelta(minutes=5),
        ip_address="198.51.100.4",
        user_agent="Mozilla/5.0 (Stored)",
    )


# comment-check ---------------------------------------------------------------


def test_clean_comment_is_allowed_after_asking_akismet_with_every_field(
    article, user, fake_akismet
):
    verdict = _check(article, user, "A thoughtful reply.")

    assert verdict.action is Action.ALLOW
    [call] = fake_akismet.requests
    assert call.method == "comment-check"
    fields = call.fields
    assert fields["api_key"] == "test-key"
    assert fields["blog"].endswith("://news.example.com/")
    assert fields["blog_lang"] == "en_GB"
    assert fields["user_ip"] == "203.0.113.7"
    assert fields["user_agent"] == "Mozilla/5.0 (Test)"
    assert fields["referrer"] == "https://search.example/?q=story"
    assert fields["permalink"] == f"{fields['blog'].rstrip('/')}{article.get_absolute_url()}"
    assert fields["comment_type"] == "comment"
    assert fields["comment_author"] == user.username
    assert fields["comment_author_email"] == user.email
    assert fields["comment_content"] == "A thoughtful reply."
    assert fields["comment_date_gmt"].endswith("+00:00")
    assert fields["comment_post_modified_gmt"].endswith("+00:00")


def test_spam_is_held_as_spam(article, user, fake_akismet):
    verdict = _check(article, user, "Cheap viagra-spam here")

    assert verdict.action is Action.HOLD
    assert verdict.status == Comment.Status.SPAM
    assert verdict.reason == "Akismet: spam"
    assert [call.fields["comment_content"] for call in fake_akismet.requests] == [
        "Cheap viagra-spam here"
    ]


def test_spam_to_discard_is_rejected(article, user, fake_akismet):
    verdict = _check(article, user, "discard-me please")

    assert verdict.action is Action.REJECT
    assert verdict.reason == GENERIC_REFUSAL
    assert fake_akismet.calls("comment-check")[0].fields["user_ip"] == "203.0.113.7"


@pytest.mark.parametrize(
    "body", ["slow-please", "error-500", "weird-answer"], ids=["timeout", "http-500", "unexpected"]
)
def test_no_usable_answer_holds_for_a_moderator(article, user, fake_akismet, settings, body):
    settings.NEWSROOM_AKISMET_TIMEOUT = 0.2

    verdict = _check(article, user, body)

    assert verdict.action is Action.HOLD
    assert verdict.status == Comment.Status.PENDING
    assert verdict.reason == "Akismet unavailable"
    [call] = fake_akismet.requests
    assert call.fields["comment_content"] == body
    assert call.fields["comment_type"] == "comment"
    assert call.fields["blog_lang"] == "en_GB"


def test_akismet_unreachable_holds_for_a_moderator(article, user, nothing_listening):
    verdict = _check(article, user, "Hello")

    assert verdict.action is Action.HOLD
    assert verdict.reason == "Akismet unavailable"


def test_without_a_key_akismet_is_not_asked(article, user, fake_akismet, settings):
    settings.AKISMET_API_KEY = ""

    verdict = _check(article, user, "viagra-spam")

    assert verdict.action is Action.ALLOW
    assert fake_akismet.requests == []


# submit-spam / submit-ham ----------------------------------------------------


@pytest.mark.parametrize(
    ("submit", "method"), [(submit_spam, "submit-spam"), (submit_ham, "submit-ham")]
)
def test_moderator_decision_is_reported_with_the_stored_comment(
    article, user, fake_akismet, submit, method
):
    comment = _stored_comment(article, user, "Was this spam?")

    assert submit(comment=comment) is True

    [call] = fake_akismet.requests
    assert call.method == method
    fields = call.fields
    assert fields["api_key"] == "test-key"
    assert fields["comment_content"] == "Was this spam?"
    assert fields["user_ip"] == "198.51.100.4"
    assert fields["user_agent"] == "Mozilla/5.0 (Stored)"
    assert fields["comment_author"] == user.username
    assert fields["comment_author_email"] == user.email
    assert fields["comment_type"] == "comment"
    assert fields["permalink"].endswith(f"news.example.com{comment.get_absolute_url()}")
    expected_date = comment.created_at.astimezone(UTC).isoformat(timespec="seconds")
    assert fields["comment_date_gmt"] == expected_date


def test_submitting_an_imported_comment_without_author_works(article, fake_akismet):
    comment = _stored_comment(article, None, "From the archive")

    assert submit_spam(comment=comment) is True
    assert "comment_author" not in fake_akismet.requests[0].fields


@pytest.mark.parametrize("submit", [submit_spam, submit_ham])
def test_submit_failure_is_reported_not_raised(article, user, nothing_listening, submit):
    comment = _stored_comment(article, user, "Anything")

    assert submit(comment=comment) is False


def test_submit_without_a_key_sends_nothing(article, user, fake_akismet, settings):
    settings.AKISMET_API_KEY = ""
    comment = _stored_comment(article, user, "Anything")

    assert submit_spam(comment=comment) is False
    assert fake_akismet.requests == []


# verify-key ------------------------------------------------------------------


def test_verify_key_sends_the_key_and_the_site(fake_akismet):
    assert verify_key() is True

    [call] = fake_akismet.requests
    assert call.method == "verify-key"
    assert call.fields["api_key"] == "test-key"
    assert call.fields["blog"].endswith("://news.example.com/")


def test_verify_key_is_false_when_akismet_cannot_be_reached(nothing_listening):
    assert verify_key() is False
