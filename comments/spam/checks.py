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
from functools import cached_property

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.dateformat import format as format_date

from comments.formatting import render_comment
from comments.models import Ban, BlockedPhrase, Comment
from comments.spam import akismet

# Reposting the same words within this window is refused as a duplicate.
DUPLICATE_WINDOW = timedelta(hours=24)

# What a bot sees when it is refused: nothing that helps it adapt.
GENERIC_REFUSAL = "Your comment could not be posted."

# The active blocked phrases in listing order, and a fingerprint of them that
# changes whenever the list does (md5 of the array's text; NULL for none).
_PHRASES = "array_agg(phrase ORDER BY phrase)"
_ACTIVE = f"FROM {BlockedPhrase._meta.db_table} WHERE is_active"
_BLOCKLIST_VERSION_SQL = f"SELECT md5({_PHRASES}::text) {_ACTIVE}"
_BLOCKLIST_SQL = f"SELECT md5({_PHRASES}::text), {_PHRASES} {_ACTIVE}"

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
class AuthorHistory:
    """What the checks need to know about the author from the database, read
    in one query by `load_history`."""

    # The active ban's reason (None: not banned) and end (None: until lifted).
    ban_reason: str | None
    ban_until: datetime | None
    # created_at of the author's comments in the past hour, newest first,
    # at most max(NEWSROOM_FLOOD_PER_HOUR, 1) of them.
    recent_times: list[datetime]
    # Bodies of the author's undeleted comments within DUPLICATE_WINDOW.
    recent_bodies: list[str]
    # Fingerprint of the active blocklist (None: empty); see `_active_phrases`.
    blocklist_version: str | None
    # Whether the author has an approved comment; None when not read
    # (NEWSROOM_PREMODERATE_NEW_COMMENTERS is off).
    has_approved: bool | None = None


def load_history(*, author, now: datetime, editing_id: int | None = None) -> AuthorHistory:
    """The author's `AuthorHistory` as of `now`, in one query (`editing_id`:
    the comment being edited, whose own words are no duplicate).

    Each part is a lookup on an index led by the author (or a scan of the
    small blocklist). The query is written in SQL because the ORM spent more
    CPU building and compiling it (~1.5 ms a comment) than PostgreSQL spent
    running it.
    """
    params = [
        author.pk, now,
        author.pk, now,
        author.pk, now - timedelta(hours=1), max(settings.NEWSROOM_FLOOD_PER_HOUR, 1),
        author.pk, now - DUPLICATE_WINDOW, editing_id or 0,
    ]  # fmt: skip
    sql = _HISTORY_SQL
    if settings.NEWSROOM_PREMODERATE_NEW_COMMENTERS:
        sql += _APPROVED_SQL
        params += [author.pk, Comment.Status.PUBLISHED]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return AuthorHistory(
        ban_reason=row[0],
        ban_until=row[1],
        recent_times=row[2],
        recent_bodies=row[3],
        blocklist_version=row[4],
        has_approved=row[5] if len(row) > 5 else None,
    )


_ACTIVE_BAN = f"FROM {Ban._meta.db_table} WHERE user_id = %s AND (until IS NULL OR until > %s)"
_HISTORY_SQL = f"""SELECT
    (SELECT reason {_ACTIVE_BAN}),
    (SELECT until {_ACTIVE_BAN}),
    -- check_flood: the newest comments of the past hour, held or removed ones too
    array(SELECT created_at FROM {Comment._meta.db_table}
          WHERE author_id = %s AND created_at > %s ORDER BY created_at DESC LIMIT %s),
    -- check_duplicate: every undeleted comment in the window
    array(SELECT body FROM {Comment._meta.db_table}
          WHERE author_id = %s AND created_at > %s AND deleted_at IS NULL AND id <> %s),
    ({_BLOCKLIST_VERSION_SQL})"""
# check_new_commenter: a published comment written here (not imported).
_APPROVED_SQL = f""",
    EXISTS(SELECT 1 FROM {Comment._meta.db_table}
           WHERE author_id = %s AND status = %s AND import_key = '')"""


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
    # The comment whose text this is new text for (an edit), as last saved.
    editing: Comment | None = None
    # One clock for every check, so they agree on what "recent" means.
    now: datetime = field(default_factory=timezone.now)

    @cached_property
    def author_history(self) -> AuthorHistory:
        """Read by the first check that needs it, then shared by the others."""
        return load_history(
            author=self.author,
            now=self.now,
            editing_id=self.editing.pk if self.editing is not None else None,
        )


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
    """REJECT an author with an active ban, telling them why and for how long:
    the ban's reason for the reader, or the standard wording (never its
    internal note)."""
    reason, until = submission.author_history.ban_reason, submission.author_history.ban_until
    if reason is None:
        return Verdict.allow()
    when = format_date(timezone.localtime(until), "j F Y, H:i") if until is not None else ""
    if reason:
        message = f"You can't comment: {reason}" + (f" (until {when})" if when else "")
    else:
        message = (
            "Your account may not comment"
            + (f" until {when}" if when else "")
            + f" because of {Ban.STANDARD_REASON}"
        )
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
    An edit is refused sooner than NEWSROOM_FLOOD_MIN_SECONDS after the
    comment's previous edit; edits are not comments, so the hourly count
    leaves them out (the edit window bounds them).
    """
    min_gap = settings.NEWSROOM_FLOOD_MIN_SECONDS
    per_hour = settings.NEWSROOM_FLOOD_PER_HOUR
    if submission.editing is not None:
        last_edit = submission.editing.edited_at
        if min_gap > 0 and last_edit is not None:
            since_last = (submission.now - last_edit).total_seconds()
            if since_last < min_gap:
                return Verdict.reject(_wait_message(min_gap - since_last), code="flood")
        return Verdict.allow()
    recent = submission.author_history.recent_times
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
    if any(normalise(body) == text for body in submission.author_history.recent_bodies):
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


# (version, [(phrase, compiled pattern)]) of the last list this process read.
_blocklist_cache: tuple[str | None, list[tuple[str, re.Pattern]]] = (None, [])


def _active_phrases(version: str | None) -> list[tuple[str, re.Pattern]]:
    """The active blocked phrases with their patterns, for the list whose
    fingerprint is `version`.

    Compiled once per process and kept while the list is unchanged. The
    fingerprint is read from the database with every check (in the same
    query as the author's history), so an edit in the admin, from any app
    server, applies to the very next comment: nothing is ever stale. Only a
    changed list is read again, with its own fingerprint, so a list edited
    between the two reads is never cached under the other's version.
    """
    global _blocklist_cache
    if version is None:
        return []
    cached_version, phrases = _blocklist_cache
    if cached_version == version:
        return phrases
    with connection.cursor() as cursor:
        cursor.execute(_BLOCKLIST_SQL)
        fresh_version, texts = cursor.fetchone()
    phrases = [(text, pattern) for text in texts or () if (pattern := phrase_pattern(text))]
    _blocklist_cache = (fresh_version, phrases)
    return phrases


def check_blocklist(submission: Submission) -> Verdict:
    """HOLD a comment containing an active BlockedPhrase as a whole word or phrase."""
    found = []
    for phrase, pattern in _active_phrases(submission.author_history.blocklist_version):
        if pattern.search(submission.body):
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
    approved = submission.author_history.has_approved
    if approved is None:  # read while the setting was off
        approved = Comment.objects.filter(
            author=submission.author, status=Comment.Status.PUBLISHED, import_key=""
        ).exists()
    if approved:
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
            created_at=submission.editing.created_at if submission.editing else submission.now,
            recheck_reason="edit" if submission.editing else "",
        )
    )
    if result is akismet.CheckResult.SPAM:
        return Verdict.hold("Akismet: spam", code="akismet", spam=True)
    if result is akismet.CheckResult.DISCARD:
        return Verdict.reject(GENERIC_REFUSAL, code="akismet")
    if result is akismet.CheckResult.UNAVAILABLE:
        return Verdict.hold("Akismet unavailable", code="akismet")
    return Verdict.allow()
