"""Signed-in readers' story pages, from one rendering shared by all of them.

A signed-in reader's story page differs from any other reader's in three
places only: the account links in the header (their name and profile link),
the CSRF token in each form, and the thread, whose like buttons and Edit /
Delete links are theirs (`comments.readers.reader_html` fills those from one
small query). So the page is rendered once with a placeholder in each of
those places, stored in the shared cache like a guest's page (checked
against the same stories and thread versions, see `storypage.guest_pages`),
and each request fills the placeholders in for its reader: no template
rendering and no story queries.

Readers with anything else of their own on the page get it rendered as
usual: staff (previews, hidden comments, the Admin link), a reader with a
comment awaiting moderation (they see it in the thread), a pending message,
or a draft kept across log-in.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import secrets
import time
from html import escape
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.cache import patch_cache_control

from accounts.backends import preloaded
from comments.drafts import DRAFT_SESSION_KEY
from comments.readers import reader_controls
from comments.rendering import encode_fragment, fill_encoded
from newsroom.memory import BoundedMemory
from storypage import fragments as thread_cache
from storypage import guest_pages as page_cache
from storypage import versions
from storypage.section import THREAD_PLACEHOLDER, ReaderState, reader_and_state

logger = logging.getLogger(__name__)

KIND = "reader-page-v5"  # entries name their parts by hash
NAME, PROFILE, CSRF, THREAD = "name", "profile", "csrf", "thread"
# Placeholders carry a random token, so no text in a story or comment can
# pass for one. NUL characters cannot come from a form or the importer.
_TOKEN = secrets.token_hex(8)
NAME_PLACEHOLDER = f"\x00{_TOKEN}:{NAME}\x00"
CSRF_PLACEHOLDER = f"\x00{_TOKEN}:{CSRF}\x00"
# Goes into a URL, so letters and digits only (nothing for `reverse` to quote).
_USERNAME_PLACEHOLDER = f"reader{_TOKEN}"


class _AnyReader:
    """Stands in for the reader in the shared rendering's account links
    (includes/_account_nav.html): their name and profile address become
    placeholders. Shared renderings are only for readers who are not staff."""

    is_authenticated = True
    is_staff = False

    def get_username(self) -> str:
        return _USERNAME_PLACEHOLDER

    def get_full_name(self) -> str:
        return NAME_PLACEHOLDER


def _profile_url(username: str) -> str:
    """The profile link's address as the template writes it (escaped)."""
    return escape(reverse("accounts:profile", kwargs={"username": username}))


@functools.cache
def _markers() -> tuple[re.Pattern, dict[str, str]]:
    """What `_split` looks for, and the kind of part each one is (built on
    first use: it needs the URLconf)."""
    kind_of = {
        NAME_PLACEHOLDER: NAME,
        _profile_url(_USERNAME_PLACEHOLDER): PROFILE,
        CSRF_PLACEHOLDER: CSRF,
        THREAD_PLACEHOLDER: THREAD,
    }
    return re.compile("|".join(f"(?:{re.escape(marker)})" for marker in kind_of)), kind_of


def is_shareable(request) -> bool:
    """Whether this request's page may be built from the shared rendering.

    Reads the session (already loaded by authentication) and the messages,
    without marking the messages as shown.
    """
    user = request.user
    return (
        request.method in ("GET", "HEAD")
        and user.is_authenticated
        and not user.is_staff
        and DRAFT_SESSION_KEY not in request.session
        and len(get_messages(request)) == 0
    )


def shared_context() -> dict:
    """Template context that leaves the per-reader places as placeholders."""
    return {"csrf_token": CSRF_PLACEHOLDER, "account_nav_user": _AnyReader()}


def _split(content: str) -> list[str]:
    """Text and placeholder kinds, alternating: [text, kind, text, kind, ..., text]."""
    pattern, kind_of = _markers()
    parts: list[str] = []
    position = 0
    for match in pattern.finditer(content):
        parts.append(content[position : match.start()])
        parts.append(kind_of[match.group()])
        position = match.end()
    parts.append(content[position:])
    return parts


# Per process, the encoded forms of shared renderings and thread fragments,
# under keys that name their content or versions (so never stale; see
# newsroom.memory).
_encoded_pages = BoundedMemory(size=lambda parts: sum(len(part) for part in parts), share=0.15)


def _encode_parts(parts: list[str]) -> list:
    """`_split`'s parts with the text as UTF-8 (placeholder kinds stay names)."""
    return [part.encode() if index % 2 == 0 else part for index, part in enumerate(parts)]


def _parts_key(parts: list) -> str:
    """Where a rendering's encoded parts are kept: under a hash of them."""
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part if isinstance(part, bytes) else b"\x00" + part.encode() + b"\x00")
    return f"articles:{KIND}-parts:{digest.hexdigest()}"


def _page_parts(parts_key: str):
    """The encoded parts kept under `parts_key`: from this process, else the cache; None if gone."""
    encoded = _encoded_pages.get(parts_key)
    if encoded is None:
        encoded = page_cache.cache.get(parts_key)
        if encoded is not None:
            _encoded_pages.put(parts_key, encoded)
    return encoded


_encoded_threads = BoundedMemory(
    size=lambda encoded: sum(map(len, encoded.pieces)), share=0.25
)


def _encoded(memory: BoundedMemory, key: str | None, encode):
    value = memory.get(key) if key else None
    if value is None:
        value = encode()
        if key:
            memory.put(key, value)
    return value


# Per process, the small entries a signed-in page starts from: the shared
# rendering's entry (under the page's key) and copies of readers' sessions.
# Neither names its versions in its key, but each carries what it was made
# from (the page's versions, the session row's digest), and `serve` uses it
# only when the database, read in the same request, says that is current; if
# not, it asks the shared cache for a newer one before giving up.
_entries = BoundedMemory(size=lambda value: len(repr(value)), share=0.04)


def _cached(keys: list[str]) -> tuple[dict, set[str]]:
    """The values under `keys` from this process, else the shared cache, and
    which of them came from this process."""
    found = {}
    for key in keys:
        value = _entries.get(key)
        if value is not None:
            found[key] = value
    remembered = set(found)
    missing = [key for key in keys if key not in found]
    if missing:
        fetched = page_cache.cache.get_many(missing)
        for key, value in fetched.items():
            _entries.put(key, value)
        found.update(fetched)
    return found, remembered


def _newer(key: str, kind: type, current) -> object | None:
    """A remembered entry turned out stale: the shared cache's, if that one is current."""
    value = page_cache.cache.get(key)
    if not isinstance(value, kind) or not current(value):
        return None
    _entries.put(key, value)
    return value


def _fill(
    encoded: list, *, request, fragment, fragment_key, state: ReaderState, identity: str
) -> HttpResponse:
    """The page for this reader, with an ETag for what was filled in.

    Works on bytes encoded once per process: encoding a few hundred
    kilobytes of page costs more per request than filling it in.

    The body differs on every request (the CSRF token is masked afresh each
    time), so hashing it would give an ETag that never matches. The tag is
    made from what the page is built of instead: the shared rendering
    (`identity`), the reader's name, likes, Edit / Delete links and CSRF
    secret. Any masking of the same secret is as good as another, so a
    browser revalidating an unchanged page gets a 304.
    """
    user = request.user
    token = get_token(request)
    thread = _encoded(_encoded_threads, fragment_key, lambda: encode_fragment(fragment))
    controls = reader_controls(fragment, user, by_author=thread.by_author)
    # As includes/_account_nav.html writes them for the reader.
    name = escape(user.get_full_name() or user.get_username())
    profile = _profile_url(user.get_username())
    values = {
        CSRF: [escape(token).encode()],
        NAME: [name.encode()],
        PROFILE: [profile.encode()],
        THREAD: fill_encoded(
            thread,
            csrf_token=token,
            liked=state.liked,
            extras={pk: html.encode() for pk, html in controls.items()},
            own=thread.by_author.get(user.pk, ()),
        ),
    }
    # One join of every piece: the page is a few hundred kilobytes, copied once.
    pieces: list[bytes] = []
    for index, part in enumerate(encoded):
        if index % 2 == 0:
            pieces.append(part)
        else:
            pieces += values[part]
    content = b"".join(pieces)
    response = HttpResponse(content)
    if identity:  # else ConditionalGetMiddleware hashes the body, which never matches
        tag = hashlib.blake2b(digest_size=16)
        for value in (
            identity,
            name,
            profile,
            ",".join(map(str, sorted(state.liked))),
            repr(sorted(controls.items())),
            request.META.get("CSRF_COOKIE", ""),
        ):
            tag.update(value.encode())
            tag.update(b"\x00")
        response["ETag"] = f'W/"{tag.hexdigest()}"'
    patch_cache_control(response, private=True, no_cache=True)
    return response


class SessionCopy(NamedTuple):
    """A reader's session as the cache keeps it for their story pages (see
    newsroom.sessions): used only while its row's digest is the database's."""

    digest: str
    data: dict


def _session_copy_key(session_key: str) -> str:
    # Hashed: a listing of the cache's keys does not give sessions away.
    return f"storypage:session:{hashlib.sha256(session_key.encode()).hexdigest()[:32]}"


def keep_session_copy(request) -> None:
    """Keep the reader's session for their next story pages, if it was read from
    the database in this request and is not about to change."""
    session = request.session
    digest = getattr(session, "digest", None)
    if digest is None or session.modified or not session.session_key:
        return
    key = _session_copy_key(session.session_key)
    copy = SessionCopy(digest=digest, data=dict(session.items()))
    _entries.put(key, copy)
    try:
        page_cache.cache.set(key, copy, settings.SESSION_COOKIE_AGE)
    except Exception:
        logger.warning("Cache unavailable storing a session copy", exc_info=True)


def _user_id_in(data: dict):
    """The id of the user the session data says is signed in, if any (not yet checked)."""
    raw = data.get(SESSION_KEY)
    if raw is None:
        return None
    try:
        return get_user_model()._meta.pk.to_python(raw)
    except ValidationError:
        return None


class SharedEntry(NamedTuple):
    """What the cache holds about a shared rendering (its parts lie under `parts_key`)."""

    article_id: int
    versions: versions.Versions  # what it was rendered at
    fragment_key: str
    content_type: str
    parts_key: str
    # When it must no longer be served, as the cache's timeout says (a page
    # changes when the story's comments close): a server that remembers the
    # entry honours it too.
    expires_at: float


def serve(request) -> HttpResponse | None:
    """The reader's page from the shared rendering, or None to render it as usual.

    The shared page's entry and the copy of the reader's session come from
    this process's memory, else from the cache in one round trip; the reader
    (user, likes, held comments), the page's current versions and their
    session row's digest from the database in one query. The page is served
    only if both are exactly current.
    """
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if request.method not in ("GET", "HEAD") or not session_key:
        return None
    key = page_cache.page_key(request, KIND)
    copy_key = _session_copy_key(session_key)
    try:
        found, remembered = _cached([key, copy_key])
    except Exception:
        logger.warning("Cache unavailable reading a shared story page", exc_info=True)
        return None
    entry, copy = found.get(key), found.get(copy_key)
    if not isinstance(entry, SharedEntry) or not isinstance(copy, SessionCopy):
        return None
    user_id = _user_id_in(copy.data)
    if user_id is None:
        return None
    # The reader's row comes with their likes, held comments, the page's
    # versions and their session's digest, and signs them in through
    # Django's session checks without a query of its own.
    reader = reader_and_state(
        user_id=user_id, article_id=entry.article_id, session_key=session_key
    )
    try:
        if reader.versions != entry.versions and key in remembered:
            entry = _newer(key, SharedEntry, lambda new: new.versions == reader.versions)
        if reader.session_digest != copy.digest and copy_key in remembered:
            copy = _newer(
                copy_key,
                SessionCopy,
                lambda new: new.digest == reader.session_digest
                and _user_id_in(new.data) == user_id,
            )
    except Exception:
        logger.warning("Cache unavailable reading a shared story page", exc_info=True)
        return None
    if (
        entry is None
        or copy is None
        or reader.session_digest != copy.digest
        or reader.versions != entry.versions
        or entry.expires_at <= time.time()
    ):
        return None
    request.session.preload(dict(copy.data))  # this request's own copy: it may write to it
    with preloaded(reader.user):
        if not is_shareable(request) or request.user.pk != user_id:
            return None
    if reader.state.has_pending:
        return None
    cached = thread_cache.get_fragment(entry.fragment_key)
    try:
        encoded = _page_parts(entry.parts_key)
    except Exception:
        logger.warning("Cache unavailable reading a shared story page", exc_info=True)
        return None
    if cached is None or encoded is None:
        return None
    response = _fill(
        encoded,
        request=request,
        fragment=cached.fragment,
        fragment_key=entry.fragment_key,
        state=reader.state,
        identity=repr((key, *entry)),
    )
    response["Content-Type"] = entry.content_type
    return response


def store_and_fill(request, response, *, article, valid_for, section: dict, state) -> HttpResponse:
    """Keep a page rendered with `shared_context()` and return it filled for this reader."""
    if response.status_code != 200 or response.streaming:
        return response
    content = response.content.decode(response.charset)
    encoded = _encode_parts(_split(content))
    content_type = response["Content-Type"]
    identity = ""  # without versions, nothing names this rendering: it is not kept
    if valid_for and section["fragment_key"]:
        key = page_cache.page_key(request, KIND)
        # The entry, read on every request, stays small: the page's tens of
        # kilobytes go under their hash, which each process keeps in memory.
        parts_key = _parts_key(encoded)
        timeout = page_cache.page_timeout(article)
        entry = SharedEntry(
            article_id=article.pk,
            versions=valid_for,
            fragment_key=section["fragment_key"],
            content_type=content_type,
            parts_key=parts_key,
            expires_at=time.time() + timeout,
        )
        identity = repr((key, *entry))
        _encoded_pages.put(parts_key, encoded)
        _entries.put(key, entry)
        try:
            page_cache.cache.set_many({key: entry, parts_key: encoded}, timeout)
        except Exception:
            logger.warning("Cache unavailable storing a shared story page", exc_info=True)
    filled = _fill(
        encoded,
        request=request,
        fragment=section["fragment"],
        fragment_key=section["fragment_key"],
        state=state,
        identity=identity,
    )
    filled["Content-Type"] = content_type
    return filled
