"""A friendly "try again" page when the database is unreachable.

When PostgreSQL restarts, fails over or drops a connection, the request that
was using it fails with OperationalError or InterfaceError. That is not a
bug in the page, so the reader gets a 503 with Retry-After instead of the
500 page, and whatever they were writing (a comment's text) is given back
in a form they can send again. Nothing needs restarting: Django closes the
broken connection when the request finishes, and the next request opens a
new one (CONN_HEALTH_CHECKS catches a connection that died between requests).

Both database failures in the view (`process_exception`) and those in the
middleware below this one (the session saved on the way out) are caught:
Django turns the latter into a 500 response before it reaches here, so a
`got_request_exception` receiver marks the request and `__call__` swaps the
response. Place it right above SessionMiddleware (below the CSP middleware,
so the page it swaps in still gets the security headers).
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse, RawPostDataException
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import get_token
from django.template import loader

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5
# Form fields whose text is worth giving back; anything else is re-sent hidden.
_TEXT_FIELDS = ("body", "note")
_HIDDEN_FIELDS = ("parent", "sort", "reason", "notify_replies")
_FLAG = "_newsroom_database_unavailable"


@receiver(got_request_exception, dispatch_uid="newsroom.middleware.remember_database_error")
def _remember_database_error(sender, request=None, **kwargs):
    if request is not None and isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        setattr(request, _FLAG, True)


def database_unavailable_response(request) -> HttpResponse:
    """The 503 page, with the reader's text if they were posting some.

    Rendered without context processors or the session: both may need the
    database that has just failed.
    """
    posted = request.method == "POST"
    texts = {}
    hidden = {}
    if posted:
        try:
            data = request.POST
        except (
            OSError,
            ValueError,
            SuspiciousOperation,
            MultiPartParserError,
            RawPostDataException,
        ):
            # An unreadable, malformed or oversized body: nothing to give back.
            data = {}
        texts = {name: data[name] for name in _TEXT_FIELDS if data.get(name)}
        hidden = {name: data[name] for name in _HIDDEN_FIELDS if data.get(name)}
    context = {
        "texts": texts,
        "hidden": hidden,
        "action": request.get_full_path(),
        "csrf_token": get_token(request) if texts else "",
        "retry_after": RETRY_AFTER_SECONDS,
        "SITE_NAME": settings.SITE_NAME,
    }
    response = HttpResponse(loader.get_template("503.html").render(context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection into a 503 "try again" page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, _FLAG, False):
            return database_unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        logger.warning(
            "Database unavailable during %s %s: %s", request.method, request.path, exception
        )
        return database_unavailable_response(request)
