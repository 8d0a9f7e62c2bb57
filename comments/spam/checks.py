"""The spam pipeline's checks: small functions from a submission to a verdict.

Each check looks at one thing and answers ALLOW, HOLD (publish only after a
moderator approves; the reason is stored on the comment) or REJECT (not
saved; the reason is shown to the writer). They never raise for a decision.
The order they run in is defined in `comments.spam`.
"""

import enum
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.dateformat import format as format_date

from comments.formatting import render_comment
from comments.models import Ban, BlockedPhrase, Comment
from comments.spam import akismet

# Reposting the same words within this window is refused as a duplicate.
DUPLICATE_WINDOW = timedelta(hours=24)

# What a bot sees when it is refused: nothing that helps it adapt.
GENERIC_REFUSAL = "Your comment could not be posted."

_ANCHOR_RE = re.compile(r"<a\s.*?</a\s*>", re.IGNORECASE | re.DOTALL)
# An address the linkifier left as text (say, an unknown top-level domain)
# still advertises something; it counts too.
_UNLINKED_URL_RE = re.compile(r"\b(?:https?://|www\.)\S", re.IGNORECASE)


class Action(enum.StrEnum):
    ALLOW = "allow"
    HOLD = "hold"
    REJECT = "reject"


@dataclass(frozen=True)
class Verdict:
    """A check's answer, and the pipeline's.

    `status` is what a saved comment gets: PUBLISHED for ALLOW, PENDING or
    SPAM for HOLD; a REJECT is never saved. `code` names the check that
    decided, for logs and `CommentError.code`.
    """

    action: Action
    reason: str = ""
    status: str = Comment.Status.PUBLISHED
    code: str = ""

    @classmethod
    def allow(cls) -> "Verdict":
        return cls(Action.ALLOW)

    @classmethod
    def hold(cls, reason: str, *, code: str, spam: bool = False) -> "Verdict":
        status = Comment.Status.SPAM if spam else Comment.Status.PENDING
        return cls(Action.HOLD, reason, status, code)

    @classmethod
    def reject(cls, reason: str, *, code: str) -> "Verdict":
        return cls(Action.REJECT, reason, "", code)


@dataclass(frozen=True)
class Submission:
    """A comment about to be written, and where it came from."""

    article: object
    author: object
    body: str
    parent: Comment | None = None
    ip_address: str | None = None
    user_agent: str = ""
    referrer: str = ""
    honeypot: str = ""
    permalink: str = ""
    # The body as it will be published, when the caller has rendered it already.
    html: str = ""
    # One clock for every check, so they agree on what "recent" means.
    now: datetime = field(default_factory=timezone.now)


def normalise(text: str) -> str:
    """Text compared for duplicates: case and runs of whitespace ignored."""
    return " ".join((text or "").casefold().split())


def _wait_message(seconds: float) -> str:
    seconds = max(1, math.ceil(seconds))
    if seconds < 120:
        unit = "second" if seconds == 1 else "seconds"
        return f"You're commenting too quickly. Please wait {seconds} {unit}."
    return f"You're commenting too quickly. Please wait {math.ceil(seconds / 60)} minutes."


def check_ban(submission: Submission) -> Verdict:
    """REJECT an author with an active ban, telling them why and for how long."""
    ban = (
        Ban.objects.filter(user=submission.author)
        .filter(Q(until__isnull=True) | Q(until__gt=submission.now))
        .first()
    )
    if ban is None:
        return Verdict.allow()
    message = f"You can't comment: {ban.reason or 'your account is banned from commenting'}"
    if ban.until is not None:
        message += f" (until {format_date(timezone.localtime(ban.until), 'j F Y, H:i')})"
    return Verdict.reject(message + ".", code="banned")


def check_honeypot(submission: Submission) -> Verdict:
    """REJECT when the hidden field people never see was filled in (a bot)."""
    if submission.honeypot.strip():
        return Verdict.reject(GENERIC_REFUSAL, code="honeypot")
    return Verdict.allow()


def check_flood(submission: Submission) -> Verdict:
    """REJECT a comment sooner than NEWSROOM_FLOOD_MIN_SECONDS after the author's
    last one, or beyond NEWSROOM_FLOOD_PER_HOUR in the past hour; the message
    says how long to wait. Every comment counts, held or removed ones too.
    """
    min_gap = settings.NEWSROOM_FLOOD_MIN_SECONDS
    per_hour = settings.NEWSROOM_FLOOD_PER_HOUR
    hour_ago = submission.now - timedelta(hours=1)
    recent = list(
        Comment.objects.filter(author=submission.author, created_at__gt=hour_ago)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[: max(per_hour, 1)]
    )
    if not recent:
        return Verdict.allow()
    if min_gap > 0:
        since_last = (submission.now - recent[0]).total_seconds()
        if since_last < min_gap:
            return Verdict.reject(_wait_message(min_gap - since_last), code="flood")
    if per_hour > 0 and len(recent) >= per_hour:
        # Room for one more once the oldest of those comments is an hour old.
        frees_at = recent[per_hour - 1] + timedelta(hours=1)
        return Verdict.reject(
            _wait_message((frees_at - submission.now).total_seconds()), code="flood"
        )
    return Verdict.allow()


def check_duplicate(submission: Submission) -> Verdict:
    """REJECT the author's own words repeated within DUPLICATE_WINDOW, anywhere."""
    text = normalise(submission.body)
    bodies = Comment.objects.filter(
        author=submission.author,
        created_at__gt=submission.now - DUPLICATE_WINDOW,
        deleted_at__isnull=True,
    ).values_list("body", flat=True)
    if any(normalise(body) == text for body in bodies):
        return Verdict.reject("You've already posted this comment.", code="duplicate")
    return Verdict.allow()


def check_links(submission: Submission) -> Verdict:
    """HOLD a comment with NEWSROOM_HOLD_LINK_COUNT links or more (0: never).

    Counts the links in the text as it will be published (bare addresses
    the linkifier turns into links included), plus any web address left as
    plain text.
    """
    limit = settings.NEWSROOM_HOLD_LINK_COUNT
    if limit <= 0:
        return Verdict.allow()
    html = submission.html or render_comment(submission.body)
    anchors = len(_ANCHOR_RE.findall(html))
    count = anchors + len(_UNLINKED_URL_RE.findall(_ANCHOR_RE.sub(" ", html)))
    if count >= limit:
        return Verdict.hold(f"Contains {count} links", code="links")
    return Verdict.allow()


def phrase_pattern(phrase: str) -> re.Pattern | None:
    """A case-insensitive pattern for a whole word or phrase; any whitespace
    between its words. None for a blank phrase."""
    words = phrase.split()
    if not words:
        return None
    body = r"\s+".join(re.escape(word) for word in words)
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def check_blocklist(submission: Submission) -> Verdict:
    """HOLD a comment containing an active BlockedPhrase as a whole word or phrase."""
    found = []
    for phrase in BlockedPhrase.objects.filter(is_active=True).values_list("phrase", flat=True):
        pattern = phrase_pattern(phrase)
        if pattern is not None and pattern.search(submission.body):
            found.append(f'"{phrase}"')
    if not found:
        return Verdict.allow()
    noun = "phrase" if len(found) == 1 else "phrases"
    return Verdict.hold(f"Contains blocked {noun} {', '.join(found)}", code="blocklist")


def check_new_commenter(submission: Submission) -> Verdict:
    """With NEWSROOM_PREMODERATE_NEW_COMMENTERS on, HOLD comments from anyone
    without an approved comment yet (published and written here, not imported).
    """
    if not settings.NEWSROOM_PREMODERATE_NEW_COMMENTERS:
        return Verdict.allow()
    approved = Comment.objects.filter(
        author=submission.author, status=Comment.Status.PUBLISHED, import_key=""
    )
    if approved.exists():
        return Verdict.allow()
    return Verdict.hold("First comment from a new commenter", code="new_commenter")


def check_akismet(submission: Submission) -> Verdict:
    """Ask Akismet when AKISMET_API_KEY is set.

    Spam is held with status SPAM; spam Akismet says to discard is rejected;
    no answer holds the comment for a moderator (status PENDING), so a
    comment is never lost or published unchecked because Akismet is down.
    """
    if not akismet.is_enabled():
        return Verdict.allow()
    result = akismet.comment_check(
        akismet.comment_fields(
            article=submission.article,
            author=submission.author,
            body=submission.body,
            ip_address=submission.ip_address,
            user_agent=submission.user_agent,
            referrer=submission.referrer,
            permalink=submission.permalink,
            created_at=submission.now,
        )
    )
    if result is akismet.CheckResult.SPAM:
        return Verdict.hold("Akismet: spam", code="akismet", spam=True)
    if result is akismet.CheckResult.DISCARD:
        return Verdict.reject(GENERIC_REFUSAL, code="akismet")
    if result is akismet.CheckResult.UNAVAILABLE:
        return Verdict.hold("Akismet unavailable", code="akismet")
    return Verdict.allow()
