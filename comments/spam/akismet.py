"""A small Akismet client: comment-check on write, submit-spam / submit-ham later.

Akismet is a courtesy, not a dependency: every call here has a short
timeout (NEWSROOM_AKISMET_TIMEOUT) and turns any failure (network, timeout,
HTTP error, an answer it does not recognise) into a result the caller can act
on, never an exception. A comment that cannot be checked is held for a
moderator rather than lost or published unchecked.

The service's base URL comes from NEWSROOM_AKISMET_URL so tests can point it
at a local fake; the key from AKISMET_API_KEY, sent as the `api_key` field of
each request (API 1.1). The standard library's HTTP client is enough for
three form posts and keeps this free of another dependency.
"""

import enum
import logging
from datetime import UTC, datetime
from urllib.error import URLError
from urllib.parse import urlencode, urljoin
from urllib.request import Request, urlopen

from django.conf import settings
from django.contrib.sites.models import Site
from django.utils import timezone
from django.utils.translation import to_locale

from comments.models import Comment

logger = logging.getLogger(__name__)

_SUBMIT_THANKS = "Thanks for making the web a better place."


class CheckResult(enum.Enum):
    """What Akismet said about a comment."""

    HAM = "ham"
    SPAM = "spam"
    # Akismet's "pro tip": blatant spam that is not worth anyone's review.
    DISCARD = "discard"
    # No usable answer (timeout, network or HTTP error, unexpected reply).
    UNAVAILABLE = "unavailable"


def is_enabled() -> bool:
    """Whether Akismet is configured (AKISMET_API_KEY is set)."""
    return bool(settings.AKISMET_API_KEY)


def site_url() -> str:
    """The site's root URL, Akismet's `blog` field, from the Sites framework."""
    protocol = getattr(settings, "ACCOUNT_DEFAULT_HTTP_PROTOCOL", "https")
    return f"{protocol}://{Site.objects.get_current().domain}/"


def _absolute(path: str) -> str:
    return urljoin(site_url(), path)


def _gmt(moment: datetime | None) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else ""


def comment_fields(
    *,
    article,
    author,
    body: str,
    ip_address: str | None,
    user_agent: str,
    referrer: str = "",
    permalink: str = "",
    created_at: datetime | None = None,
    recheck_reason: str = "",
) -> dict[str, str]:
    """The form fields Akismet expects for one comment, for any of its calls.

    `permalink` defaults to the story's URL (the entry the comment is on);
    `created_at` to now, for a comment that is being written.
    `recheck_reason` ("edit") tells Akismet the text is a saved comment's new text.
    """
    fields = {
        "blog": site_url(),
        "blog_lang": to_locale(settings.LANGUAGE_CODE),
        "blog_charset": "UTF-8",
        "user_ip": ip_address or "",
        "user_agent": user_agent or "",
        "referrer": referrer or "",
        "permalink": permalink or _absolute(article.get_absolute_url()),
        "comment_type": "comment",
        "comment_author": author.get_username() if author is not None else "",
        "comment_author_email": getattr(author, "email", "") or "",
        "comment_content": body,
        "comment_date_gmt": _gmt(created_at or timezone.now()),
        "comment_post_modified_gmt": _gmt(article.updated_at or article.published_at),
        "recheck_reason": recheck_reason,
    }
    # Empty values add nothing for Akismet; leaving them out keeps requests tidy.
    return {name: value for name, value in fields.items() if value}


def _post(method: str, fields: dict[str, str]) -> tuple[str, dict[str, str]]:
    """POST `fields` to the API `method`; (body, headers) or an OSError/URLError."""
    data = urlencode({"api_key": settings.AKISMET_API_KEY, **fields}).encode()
    request = Request(
        f"{settings.NEWSROOM_AKISMET_URL.rstrip('/')}/{method}",
        data=data,
        headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "User-Agent": f"{settings.SITE_NAME} comments | akismet-client/1",
        },
        method="POST",
    )
    # urlopen raises HTTPError (a URLError) for 4xx/5xx answers and
    # TimeoutError / OSError for everything below HTTP.
    with urlopen(request, timeout=settings.NEWSROOM_AKISMET_TIMEOUT) as response:
        body = response.read(1024).decode("utf-8", "replace").strip()
        headers = {name.lower(): value for name, value in response.headers.items()}
    return body, headers


def comment_check(fields: dict[str, str]) -> CheckResult:
    """Ask Akismet whether a comment is spam. Never raises."""
    try:
        body, headers = _post("comment-check", fields)
    except (OSError, URLError, ValueError) as error:
        logger.warning("Akismet comment-check failed: %s", error)
        return CheckResult.UNAVAILABLE
    if body == "false":
        return CheckResult.HAM
    if body == "true":
        if headers.get("x-akismet-pro-tip", "").strip().lower() == "discard":
            return CheckResult.DISCARD
        return CheckResult.SPAM
    logger.warning(
        "Akismet comment-check gave an unexpected answer %r (%s)",
        body[:100],
        headers.get("x-akismet-debug-help", "no debug help"),
    )
    return CheckResult.UNAVAILABLE


def verify_key() -> bool:
    """Whether Akismet accepts AKISMET_API_KEY for this site (for a deployment check).

    False when no key is set, the key is refused, or Akismet cannot be reached.
    """
    if not is_enabled():
        return False
    try:
        body, _ = _post("verify-key", {"blog": site_url()})
    except (OSError, URLError, ValueError) as error:
        logger.warning("Akismet verify-key failed: %s", error)
        return False
    return body == "valid"


def _stored_comment_fields(comment: Comment) -> dict[str, str]:
    return comment_fields(
        article=comment.article,
        author=comment.author,
        body=comment.body,
        ip_address=comment.ip_address,
        user_agent=comment.user_agent,
        permalink=_absolute(comment.get_absolute_url()),
        created_at=comment.created_at,
    )


def _submit(method: str, comment: Comment) -> bool:
    if not is_enabled():
        return False
    try:
        body, _ = _post(method, _stored_comment_fields(comment))
    except (OSError, URLError, ValueError) as error:
        logger.warning("Akismet %s for comment %s failed: %s", method, comment.pk, error)
        return False
    if body != _SUBMIT_THANKS:
        logger.warning(
            "Akismet %s for comment %s gave an unexpected answer %r", method, comment.pk, body[:100]
        )
        return False
    return True


def submit_spam(*, comment: Comment) -> bool:
    """Tell Akismet a comment it let through is spam (a moderator's decision).

    Sends the data stored with the comment. Returns whether Akismet took it;
    a failure is logged, never raised, and does nothing when Akismet is not
    configured.
    """
    return _submit("submit-spam", comment)


def submit_ham(*, comment: Comment) -> bool:
    """Tell Akismet a comment it called spam is fine (a moderator's decision).

    Same contract as `submit_spam`.
    """
    return _submit("submit-ham", comment)
