import pytest
from django.test import Client

from articles.management.commands.ensure_editor import editors_group
from tests.factories import UserFactory


@pytest.fixture
def editor_user(db):
    """Staff in the Editors group, as `ensure_editor` makes them: not a superuser."""
    user = UserFactory(username="desk_editor", is_staff=True)
    user.groups.add(editors_group())
    return user


@pytest.fixture
def editor(editor_user):
    """A client signed in as the editor; the `client` fixture stays a guest."""
    editor_client = Client()
    editor_client.force_login(editor_user)
    return editor_client
