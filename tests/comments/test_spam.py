"""The spam pipeline: each check on its own, then the order they run in."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from comments.exceptions import CommentError
from comments.models import Ban, BlockedPhrase, Comment
from comments.services import comment_create
from comments.spam import Action, run_pipeline
from comments.spam.checks import (
    GENERIC_REFUSAL,
    Submission,
    check_ban,
    check_blocklist,
    check_duplicate,
    check_flood,
    check_honeypot,
    check_links,
    check_new_commenter,
)
from tests.comments.fake_akismet import FakeAkismet
from tests.factories import ArticleFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _spam_defaults(settings):
    """The shipped defaults, whatever the environment says, and Akismet off."""
    settings.NEWSROOM_FLOOD_MIN_SECONDS = 15
    settings.NEWSROOM_FLOOD_PER_HOUR = 30
    settings.NEWSROOM_HOLD_LINK_COUNT = 2
    settings.NEWSROOM_PREMODERATE_NEW_COMMENTERS = False
    settings.AKISMET_API_KEY = ""


@pytest.fixture
def fake_akismet(settings):
    with FakeAkismet() as server:
        settings.AKISMET_API_KEY = "test-key"
        settings.NEWSROOM_AKISMET_URL = server.url
        settings.NEWSROOM_AKISMET_TIMEOUT = 0.5
        yield server


def _existing(article, author, body="An earlier comment.", *, ago=timedelta(hours=2), **fields):
    """A comment already on the site, written `ago` (bypasses the pipeline)."""
    return Comment.objects.create(
        article=article,
        author=author,
        body=body,
        body_html=f"<p>{body}</p>",
        created_at=timezone.now() - ago,
        **fields,
    )


def _submission(article, author, body="A perfectly ordinary comment.", **fields):
    return Submission(article=article, author=author, body=body, **fields)


def _pipeline(article, author, body="A perfectly ordinary comment.", **fields):
    return run_pipeline(article=article, author=author, body=body, **fields)


# 1. ban ----------------------------------------------------------------------


def test_ban_rejects_with_its_reason_and_end_date(article, user):
    until = timezone.make_aware(datetime(2099, 3, 4, 17, 30))
    Ban.objects.create(user=user, reason="Repeated personal attacks", until=until)

    verdict = check_ban(_submission(article, user))

    assert verdict.action is Action.REJECT
    assert verdict.reason == (
        "You can't comment: Repeated personal attacks (until 4 March 2099, 17:30)."
    )


def test_ban_without_end_date_says_so_without_a_date(article, user):
    Ban.objects.create(user=user, reason="Spam")

    verdict = check_ban(_submission(article, user))

    assert verdict.action is Action.REJECT
    assert verdict.reason == "You can't comment: Spam."


def test_expired_ban_and_someone_elses_ban_allow(article, user):
    Ban.objects.create(user=user, reason="Old news", until=timezone.now() - timedelta(minutes=1))
    Ban.objects.create(user=UserFactory(), reason="Not you")

    assert check_ban(_submission(article, user)).action is Action.ALLOW


# 2. honeypot -----------------------------------------------------------------


def test_filled_honeypot_rejects_without_explaining(article, user):
    verdict = check_honeypot(_submission(article, user, honeypot="http://spam.example"))

    assert verdict.action is Action.REJECT
    assert verdict.reason == GENERIC_REFUSAL


@pytest.mark.parametrize("honeypot", ["", "   "])
def test_empty_honeypot_allows(article, user, honeypot):
    assert check_honeypot(_submission(article, user, honeypot=honeypot)).action is Action.ALLOW


# 3. flood --------------------------------------------------------------------


def test_flood_rejects_a_comment_too_soon_after_the_last(article, user):
    _existing(article, user, ago=timedelta(seconds=5))

    verdict = check_flood(_submission(article, user))

    assert verdict.action is Action.REJECT
    assert verdict.reason == "You're commenting too quickly. Please wait 10 seconds."


def test_flood_allows_after_the_minimum_gap_and_ignores_other_people(article, user):
    _existing(article, user, ago=timedelta(seconds=20))
    _existing(article, UserFactory(), ago=timedelta(seconds=1))

    assert check_flood(_submission(article, user)).action is Action.ALLOW


def test_flood_hourly_limit_says_when_there_is_room_again(article, user, settings):
    settings.NEWSROOM_FLOOD_PER_HOUR = 3
    for _ in range(3):
        _existing(article, user, ago=timedelta(minutes=50))

    verdict = check_flood(_submission(article, user))

    assert verdict.action is Action.REJECT
    assert verdict.reason == "You're commenting too quickly. Please wait 10 minutes."


def test_flood_hourly_limit_counts_only_the_past_hour(article, user, settings):
    settings.NEWSROOM_FLOOD_PER_HOUR = 3
    _existing(article, user, ago=timedelta(minutes=61))
    _existing(article, user, ago=timedelta(minutes=30))
    _existing(article, user, ago=timedelta(minutes=20))

    assert check_flood(_submission(article, user)).action is Action.ALLOW


def test_flood_limits_of_zero_are_off(article, user, settings):
    settings.NEWSROOM_FLOOD_MIN_SECONDS = 0
    settings.NEWSROOM_FLOOD_PER_HOUR = 0
    _existing(article, user, ago=timedelta(seconds=1))

    assert check_flood(_submission(article, user)).action is Action.ALLOW


# 4. duplicate ----------------------------------------------------------------


def test_duplicate_of_own_recent_comment_rejects_ignoring_case_and_spacing(article, user):
    _existing(article, user, "Great  piece,\nthanks!", ago=timedelta(hours=3))

    verdict = check_duplicate(_submission(article, user, "great piece, THANKS!"))

    assert verdict.action is Action.REJECT
    assert verdict.reason == "You've already posted this comment."


def test_duplicate_is_checked_across_stories(article, user):
    _existing(ArticleFactory(), user, "Buy my book")

    assert check_duplicate(_submission(article, user, "Buy my book")).action is Action.REJECT


def test_same_words_allowed_from_others_after_a_day_or_after_deleting(article, user):
    _existing(article, UserFactory(), "Same words")
    _existing(article, user, "Same words", ago=timedelta(hours=25))
    _existing(article, user, "", deleted_at=timezone.now())

    assert check_duplicate(_submission(article, user, "Same words")).action is Action.ALLOW
    assert check_duplicate(_submission(article, user, "Other words")).action is Action.ALLOW


# 5. links --------------------------------------------------------------------


def test_one_link_allows(article, user):
    verdict = check_links(_submission(article, user, "Source: https://example.com/report"))

    assert verdict.action is Action.ALLOW


def test_two_links_hold_counting_bare_addresses_and_typed_anchors(article, user):
    body = 'See www.example.com and <a href="https://example.org/">this</a>.'

    verdict = check_links(_submission(article, user, body))

    assert verdict.action is Action.HOLD
    assert verdict.status == Comment.Status.PENDING
    assert verdict.reason == "Contains 2 links"


def test_link_limit_follows_the_setting(article, user, settings):
    body = "https://a.example/ https://b.example/ https://c.example/"
    settings.NEWSROOM_HOLD_LINK_COUNT = 4
    assert check_links(_submission(article, user, body)).action is Action.ALLOW
    settings.NEWSROOM_HOLD_LINK_COUNT = 0
    assert check_links(_submission(article, user, body)).action is Action.ALLOW


# 6. blocklist ----------------------------------------------------------------


def test_blocked_phrase_holds_and_names_it_whatever_the_case(article, user):
    BlockedPhrase.objects.create(phrase="cheap pills")

    verdict = check_blocklist(_submission(article, user, "Get CHEAP\n pills here"))

    assert verdict.action is Action.HOLD
    assert verdict.reason == 'Contains blocked phrase "cheap pills"'


def test_several_blocked_phrases_are_all_named(article, user):
    BlockedPhrase.objects.create(phrase="casino")
    BlockedPhrase.objects.create(phrase="loans")

    verdict = check_blocklist(_submission(article, user, "Casino loans!"))

    assert verdict.reason == 'Contains blocked phrases "casino", "loans"'


def test_blocklist_matches_whole_words_and_active_phrases_only(article, user):
    BlockedPhrase.objects.create(phrase="ass")
    BlockedPhrase.objects.create(phrase="scam", is_active=False)

    verdict = check_blocklist(_submission(article, user, "A classic assessment, not a scam."))

    assert verdict.action is Action.ALLOW


# 7. new commenters -----------------------------------------------------------


def test_new_commenters_pass_when_premoderation_is_off(article, user):
    assert check_new_commenter(_submission(article, user)).action is Action.ALLOW


def test_premoderation_holds_a_first_comment(article, user, settings):
    settings.NEWSROOM_PREMODERATE_NEW_COMMENTERS = True

    verdict = check_new_commenter(_submission(article, user))

    assert verdict.action is Action.HOLD
    assert verdict.reason == "First comment from a new commenter"


def test_premoderation_passes_commenters_with_an_approved_comment(article, user, settings):
    settings.NEWSROOM_PREMODERATE_NEW_COMMENTERS = True
    _existing(article, user)

    assert check_new_commenter(_submission(article, user)).action is Action.ALLOW


@pytest.mark.parametrize(
    "fields",
    [{"status": Comment.Status.PENDING}, {"import_key": "c-1"}],
    ids=["still-pending", "imported"],
)
def test_premoderation_needs_an_approved_comment_written_here(article, user, settings, fields):
    settings.NEWSROOM_PREMODERATE_NEW_COMMENTERS = True
    _existing(article, user, **fields)

    assert check_new_commenter(_submission(article, user)).action is Action.HOLD


# The pipeline ----------------------------------------------------------------


def test_clean_comment_is_published(article, user):
    verdict = _pipeline(article, user)

    assert verdict.action is Action.ALLOW
    assert verdict.status == Comment.Status.PUBLISHED


def test_banned_user_filling_the_honeypot_sees_the_ban_reason(article, user):
    Ban.objects.create(user=user, reason="Trolling")

    verdict = _pipeline(article, user, honeypot="gotcha")

    assert verdict.action is Action.REJECT
    assert verdict.reason == "You can't comment: Trolling."


def test_holds_are_collected_with_every_reason(article, user):
    BlockedPhrase.objects.create(phrase="crypto")

    verdict = _pipeline(article, user, "crypto at https://a.example/ and https://b.example/")

    assert verdict.action is Action.HOLD
    assert verdict.status == Comment.Status.PENDING
    assert verdict.reason == 'Contains 2 links; Contains blocked phrase "crypto"'


def test_a_reject_after_a_hold_still_rejects(article, user):
    _existing(article, user, "https://a.example/ https://b.example/", ago=timedelta(seconds=2))

    verdict = _pipeline(article, user, "https://a.example/ https://b.example/")

    assert verdict.action is Action.REJECT
    assert verdict.reason.startswith("You're commenting too quickly.")


def test_a_reject_stops_before_akismet_is_asked(article, user, fake_akismet):
    _existing(article, user, ago=timedelta(seconds=2))

    verdict = _pipeline(article, user, "viagra-spam")

    assert verdict.action is Action.REJECT
    assert fake_akismet.requests == []


def test_akismet_spam_on_top_of_a_hold_makes_the_comment_spam(article, user, fake_akismet):
    verdict = _pipeline(article, user, "viagra-spam https://a.example/ https://b.example/")

    assert verdict.action is Action.HOLD
    assert verdict.status == Comment.Status.SPAM
    assert verdict.reason == "Contains 2 links; Akismet: spam"


def test_very_long_hold_reason_fits_the_comment_field(article, user):
    for n in range(40):
        BlockedPhrase.objects.create(phrase=f"blockedword{n:02d}")
    body = " ".join(f"blockedword{n:02d}" for n in range(40))

    verdict = _pipeline(article, user, body)

    limit = Comment._meta.get_field("hold_reason").max_length
    assert verdict.action is Action.HOLD
    assert len(verdict.reason) == limit
    assert verdict.reason.startswith('Contains blocked phrases "blockedword00"')


def test_staff_skip_every_check_but_the_honeypot(article, fake_akismet, settings):
    settings.NEWSROOM_PREMODERATE_NEW_COMMENTERS = True
    editor = StaffFactory()
    BlockedPhrase.objects.create(phrase="casino")
    _existing(article, editor, "casino https://a.example/ https://b.example/", ago=timedelta(0))

    allowed = _pipeline(article, editor, "casino https://a.example/ https://b.example/")
    refused = _pipeline(article, editor, "Hello", honeypot="filled")

    assert allowed.action is Action.ALLOW
    assert refused.action is Action.REJECT
    assert fake_akismet.requests == []


# Through comment_create ------------------------------------------------------


def test_held_comment_is_saved_pending_with_its_reason(article, user):
    comment = comment_create(
        article=article, author=user, body="https://a.example/ and https://b.example/"
    )

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.hold_reason == "Contains 2 links"


def test_comment_akismet_calls_spam_is_saved_as_spam(article, user, fake_akismet):
    comment = comment_create(
        article=article,
        author=user,
        body="viagra-spam",
        ip_address="203.0.113.7",
        user_agent="Mozilla/5.0 (Test)",
        referrer="https://search.example/",
    )

    comment.refresh_from_db()
    assert (comment.status, comment.hold_reason) == (Comment.Status.SPAM, "Akismet: spam")
    [call] = fake_akismet.requests
    assert call.fields["user_ip"] == "203.0.113.7"
    assert call.fields["referrer"] == "https://search.example/"


def test_comment_is_kept_for_a_moderator_when_akismet_times_out(
    article, user, fake_akismet, settings
):
    settings.NEWSROOM_AKISMET_TIMEOUT = 0.2

    comment = comment_create(article=article, author=user, body="slow-please")

    comment.refresh_from_db()
    assert (comment.status, comment.hold_reason) == (Comment.Status.PENDING, "Akismet unavailable")


@pytest.mark.parametrize(
    ("prepare", "kwargs", "message"),
    [
        (
            lambda article, user: Ban.objects.create(user=user, reason="Spamming"),
            {},
            "You can't comment: Spamming.",
        ),
        (lambda article, user: None, {"honeypot": "I am a bot"}, GENERIC_REFUSAL),
        (
            lambda article, user: _existing(article, user, ago=timedelta(seconds=5)),
            {},
            "You're commenting too quickly. Please wait 10 seconds.",
        ),
    ],
    ids=["banned", "honeypot", "flood"],
)
def test_rejected_comment_is_not_saved_and_the_reason_is_raised(
    article, user, prepare, kwargs, message
):
    prepare(article, user)
    before = Comment.objects.count()

    with pytest.raises(CommentError) as refused:
        comment_create(article=article, author=user, body="Hello there", **kwargs)

    assert refused.value.message == message
    assert Comment.objects.count() == before


def test_reply_runs_the_pipeline_too(article, user):
    BlockedPhrase.objects.create(phrase="casino")
    parent = _existing(article, UserFactory())

    reply = comment_create(article=article, author=user, body="Try my casino", parent=parent)

    reply.refresh_from_db()
    assert reply.status == Comment.Status.PENDING
    assert reply.parent_id == parent.pk
