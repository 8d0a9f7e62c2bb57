"""Authentication backends: Django's and allauth's, loading the signed-in user for less.

Every signed-in request loads its user by id from the session. Django's
ModelBackend builds that query through the ORM each time, which costs more
Python time than the query takes to run; here its SQL is written once per
process (`fetch_user`). A page that needs more about the reader anyway (a
story page: the reader's likes and held comments) reads the user row in that
same query and hands it over with `preloaded()`, so signing the reader in
costs no query of its own.

Everything else is Django's: `django.contrib.auth.get_user` still checks the
backend named in the session, asks `get_user` here, refuses inactive users
(`user_can_authenticate`) and verifies the session hash against the user's
password. `accounts.middleware` carries sessions signed in through the stock
classes over to these.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from contextvars import ContextVar

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends, get_user_model
from django.db import connection

_preloaded: ContextVar = ContextVar("preloaded_user", default=None)


@functools.cache
def user_columns(alias: str) -> tuple[str, tuple[str, ...]]:
    """The user table's columns as SQL (under `alias`), and the attribute each fills."""
    fields = get_user_model()._meta.concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(f"{alias}.{quote(field.column)}" for field in fields)
    return columns, tuple(field.attname for field in fields)


def user_from_row(values) -> object:
    """A user instance from the values `user_columns()` selected, as the ORM builds one."""
    _columns, names = user_columns("u")
    return get_user_model().from_db(connection.alias, names, values)


@functools.cache
def _fetch_user_sql() -> str:
    model = get_user_model()
    quote = connection.ops.quote_name
    columns, _names = user_columns("u")
    return (
        f"SELECT {columns} FROM {quote(model._meta.db_table)} u "
        f"WHERE u.{quote(model._meta.pk.column)} = %s"
    )


def fetch_user(user_id):
    """The user with this id, or None: `User.objects.get(pk=…)` without the ORM's work."""
    with connection.cursor() as cursor:
        cursor.execute(_fetch_user_sql(), [user_id])
        row = cursor.fetchone()
    return None if row is None else user_from_row(row)


@contextmanager
def preloaded(user):
    """Within this block, signing in the user with `user`'s id takes `user` as read."""
    token = _preloaded.set(user)
    try:
        yield
    finally:
        _preloaded.reset(token)


class _UserLoading:
    def get_user(self, user_id):
        user = _preloaded.get()
        if user is None or user.pk != user_id:
            user = fetch_user(user_id)
        if user is None:
            return None
        return user if self.user_can_authenticate(user) else None


class ModelBackend(_UserLoading, backends.ModelBackend):
    """Django's ModelBackend (username and password), loading users as above."""


class AuthenticationBackend(_UserLoading, allauth_backends.AuthenticationBackend):
    """allauth's backend (username or email), loading users as above."""


# Sessions record the backend that signed the reader in. Those signed in
# through the classes above before they were subclassed are carried over.
RENAMED = {
    "django.contrib.auth.backends.ModelBackend": "accounts.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend": "accounts.backends.AuthenticationBackend",
}
