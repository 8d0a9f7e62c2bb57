"""Signing readers in: accounts.backends loads the user for less work, with
every check of Django's kept (inactive users, the session hash), including on
story pages that read the user together with the reader's likes."""

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.test import Client
from django.utils import timezone

from accounts.backends import fetch_user
from tests.accounts.factories import PASSWORD, verified_user
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _fields(user) -> dict:
    return {field.attname: getattr(user, field.attname) for field in user._meta.concrete_fields}


def test_the_user_is_loaded_as_the_orm_loads_it():
    user = UserFactory(first_name="Ann", last_name="Reader", is_staff=True)
    user.last_login = timezone.now()
    user.save()

    loaded = fetch_user(user.pk)

    assert _fields(loaded) == _fields(get_user_model().objects.get(pk=user.pk))
    assert loaded.last_login.tzinfo is not None
    assert loaded._state.adding is False
    assert fetch_user(user.pk + 1000) is None


def test_readers_signed_in_through_the_stock_backend_stay_signed_in(article):
    user = UserFactory(first_name="Ann", last_name="Reader")
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    page = client.get(article.get_absolute_url()).content.decode()

    assert "Ann Reader" in page
    assert client.session[BACKEND_SESSION_KEY] == "accounts.backends.ModelBackend"


def test_logging_in_with_a_password_records_the_projects_backend(article):
    user = verified_user(username="ann")
    client = Client()

    assert client.login(username="ann", password=PASSWORD)

    assert client.session[BACKEND_SESSION_KEY] in settings.AUTHENTICATION_BACKENDS
    assert client.get(article.get_absolute_url()).context["user"] == user


def _cached_story_for(article) -> None:
    """The shared signed-in rendering of the story, kept by another reader's visit."""
    other = Client()
    other.force_login(UserFactory())
    other.get(article.get_absolute_url())


def _ann_reading(article) -> tuple[Client, object]:
    """Ann, signed in, on the story's page built from the shared rendering."""
    _cached_story_for(article)
    user = UserFactory(first_name="Ann", last_name="Reader")
    client = Client()
    client.force_login(user)
    assert "Ann Reader" in client.get(article.get_absolute_url()).content.decode()
    return client, user


def test_a_deactivated_reader_is_signed_out_of_a_shared_page(article):
    client, user = _ann_reading(article)

    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    page = client.get(article.get_absolute_url()).content.decode()

    assert "Ann Reader" not in page and "Log in" in page


def test_a_password_changed_elsewhere_signs_the_reader_out_of_a_shared_page(article):
    client, user = _ann_reading(article)

    user.set_password("a new secret, set on another device")
    user.save()
    page = client.get(article.get_absolute_url()).content.decode()

    assert "Ann Reader" not in page and "Log in" in page
