"""Whole story pages for guests, from the shared cache.

A guest's story page holds nothing personal: no session, no CSRF token (a
guest's like buttons are log-in links), no messages. So the rendered page is
stored under its address (the story's path with the thread page and sort,
see `storypage.section.page_path`; no other query parameter makes a new
entry), with the versions it was rendered at (`storypage.versions`), and
served again without rendering while the database still says those
versions are current (read at most once per stated bound per process).

Anything carrying a session or a pending message is rendered normally and
not stored. The body is compressed once, when first asked for, and sent
compressed to every client that accepts gzip (every browser does): a page of
a few hundred comments shrinks about tenfold. Guest pages hold no secret, so
compressing them gives nothing away (BREACH needs a secret in the body).

The cache is an optimisation only: if it fails, pages render as if it were
empty, and nothing it holds can be served once the database's versions
have moved on. Responses carry an ETag, and `Cache-Control: public` with a
short max-age so a CDN may keep them too (signed-in pages are private, see
`storypage.shared_pages`).
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.text import compress_string

from newsroom.memory import BoundedMemory
from storypage import versions
from storypage.section import THREAD_PLACEHOLDER, page_and_sort, page_path

logger = logging.getLogger(__name__)

PAGE_TIMEOUT = 60 * 60
_KEPT_HEADERS = ("Content-Type", "Content-Language")


def page_key(request, kind: str = "story-page") -> str:
    """The cache key of the page this request asks for: host, path, thread page and sort."""
    page, sort = page_and_sort(request)
    address = f"{request.get_host()}{page_path(request.path, page=page, sort=sort)}"
    digest = hashlib.blake2b(address.encode(), digest_size=16).hexdigest()
    return f"storypage:{kind}:v4:{digest}"


def _body_key(etag: str) -> str:
    return f"storypage:story-body:{etag.strip(chr(34))}"


_ACCEPTS_GZIP = re.compile(r"\bgzip\b")

# Reading a 270 KB value from Redis costs several times a small read, so the
# shared cache holds a small entry per page (versions, headers, ETag) and the
# body under its ETag, a hash of the body; each process also keeps the bodies
# it served lately (a body under its hash can never be stale).
_bodies = BoundedMemory(
    size=lambda bodies: len(bodies[0]) + len(bodies[1] or b""), share=0.3
)


def is_guest_request(request) -> bool:
    """A plain GET with no session or message cookie: the page is the same for all such readers."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def _public_headers(response, *, etag: str, max_age: int) -> None:
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=max_age)
    patch_vary_headers(response, ("Cookie", "Accept-Encoding"))


def _gzip_etag(etag: str) -> str:
    """The compressed body's ETag: a representation of its own."""
    return f'{etag[:-1]}-gzip"'


class GuestEntry(NamedTuple):
    """What the cache holds about a stored guest page (the body lies under its ETag)."""

    article_id: int
    versions: versions.Versions  # what it was rendered at
    status: int
    headers: list[tuple[str, str]]
    etag: str
    stored_at: float


def current(entry) -> bool:
    """Whether a stored entry is of the page as it is now (within the stated bound)."""
    return isinstance(entry, GuestEntry) and entry.versions == versions.current(entry.article_id)


def _compress(etag: str, *, timeout: int, plain: bytes) -> bytes:
    """Gzip a stored body once, for this process and, through the cache, every other."""
    compressed = compress_string(plain)
    _bodies.put(etag, (plain, compressed))
    try:
        cache.set(_body_key(etag), (plain, compressed), timeout)
    except Exception:
        logger.warning("Cache unavailable storing a compressed story page", exc_info=True)
    return compressed


def lookup(request) -> HttpResponse | None:
    """The stored page for this URL if it is still current, else None."""
    key = page_key(request)  # outside the try: a disallowed host is a 400, not a miss
    try:
        entry = cache.get(key)
    except Exception:
        logger.warning("Cache unavailable reading a story page", exc_info=True)
        return None
    if not current(entry):
        return None
    status, headers, etag = entry.status, entry.headers, entry.etag
    try:
        bodies = _bodies.get(etag)
        if bodies is None:
            bodies = cache.get(_body_key(etag))
            if bodies is None:
                return None
            _bodies.put(etag, bodies)
    except Exception:
        logger.warning("Cache unavailable reading a story page", exc_info=True)
        return None
    plain, compressed = bodies
    if _ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        if compressed is None:
            compressed = _compress(etag, timeout=PAGE_TIMEOUT, plain=plain)
        response = HttpResponse(compressed, status=status)
        response["Content-Encoding"] = "gzip"
        etag = _gzip_etag(etag)
    else:
        response = HttpResponse(plain, status=status)
    for name, value in headers:
        response[name] = value
    response["Last-Modified"] = http_date(entry.stored_at)
    _public_headers(response, etag=etag, max_age=settings.NEWSROOM_PAGE_MAX_AGE)
    return response


def page_timeout(article) -> int:
    """How long a rendered page of `article` may be kept, in seconds."""
    timeout = PAGE_TIMEOUT
    close_at = article.comments_close_at
    if article.comments_are_open and close_at is not None:
        # The page must change when comments close: do not keep it past then.
        timeout = max(1, min(timeout, int((close_at - timezone.now()) / timedelta(seconds=1))))
    return timeout


def splice_thread(response, *, section: dict) -> None:
    """Put the thread into a guest's page, rendered with the thread placeholder
    (see ArticleDetailView.get_context_data).

    Guests' threads have no per-reader slots, so the shared HTML is theirs as it is.
    """
    before, found, after = response.content.partition(THREAD_PLACEHOLDER.encode())
    if found:  # a story without comments shows no thread
        thread = "".join(section["fragment"].segments).encode()
        response.content = b"".join((before, thread, after))


def store(request, response, *, article, valid_for: versions.Versions | None) -> None:
    """Keep a guest's rendered story page and mark it cacheable downstream.

    `valid_for`: the versions read with the story (None: not to be stored).
    """
    if response.status_code != 200 or response.cookies or response.streaming or not valid_for:
        return
    timeout = page_timeout(article)
    content = response.content
    # SHA-256 runs in hardware on current CPUs: twice BLAKE2's speed on a
    # megabyte-sized page, and as safe a name for content.
    etag = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
    stored_at = timezone.now().timestamp()
    try:
        entry = GuestEntry(
            article_id=article.pk,
            versions=valid_for,
            status=response.status_code,
            headers=[(name, response[name]) for name in _KEPT_HEADERS if response.has_header(name)],
            etag=etag,
            stored_at=stored_at,
        )
        # Compressed when first asked for (see `lookup`), not here: a reader
        # waiting for a freshly rendered page should not wait for that too.
        bodies = (content, None)
        # One round trip; the body first, so an entry is never visible without
        # it (in Redis the two are one MSET, atomic anyway).
        cache.set_many({_body_key(etag): bodies, page_key(request): entry}, timeout)
        _bodies.put(etag, bodies)
    except Exception:
        logger.warning("Cache unavailable storing a story page", exc_info=True)
    response["Last-Modified"] = http_date(stored_at)
    _public_headers(response, etag=etag, max_age=min(settings.NEWSROOM_PAGE_MAX_AGE, timeout))


_STORY_PATH = re.compile(r"^/\d{4}/\d{2}/\d{2}/[-\w]+/$")


class GuestStoryPageMiddleware:
    """Serve a guest's cached story page before sessions, CSRF, authentication
    and allauth run: none of them has anything to do for such a request.

    Sits below the security and CSP middleware, so the page still gets every
    security header; answers conditional requests itself (304), since Django's
    ConditionalGetMiddleware sits further down.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_guest_request(request) and _STORY_PATH.match(request.path_info):
            cached = lookup(request)
            if cached is not None:
                cached["X-Frame-Options"] = settings.X_FRAME_OPTIONS
                if request.headers.get("If-None-Match") == cached["ETag"]:
                    not_modified = HttpResponseNotModified()
                    for name in ("ETag", "Cache-Control", "Vary", "Last-Modified"):
                        not_modified[name] = cached[name]
                    return not_modified
                return cached
        return self.get_response(request)
