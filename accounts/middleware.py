"""Django's authentication middleware, for the backends in accounts.backends."""

from __future__ import annotations

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth import middleware as auth_middleware
from django.utils.functional import SimpleLazyObject

from accounts.backends import RENAMED


def _user(request):
    """Django's request.user; a session naming a stock backend is moved to its subclass first."""
    session = request.session
    backend = session.get(BACKEND_SESSION_KEY)
    if backend in RENAMED:
        session[BACKEND_SESSION_KEY] = RENAMED[backend]
    return auth_middleware.get_user(request)


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Sets request.user lazily, as Django's does, after carrying older sessions over.

    Readers signed in before the backends were subclassed stay signed in.
    """

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user(request))
