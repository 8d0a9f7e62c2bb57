"""Editors set the default comment period for every story in the admin."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import StorySettings
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def _set_default_in_admin(client, staff, days):
    client.force_login(staff)
    form = client.get(reverse("admin:articles_storysettings_changelist"), follow=True)
    assert form.status_code == 200
    response = client.post(
        reverse("admin:articles_storysettings_change", args=[1]),
        {"comments_close_after_days": days},
    )
    assert response.status_code == 302
    client.logout()


def test_the_admin_default_closes_comments_on_stories_without_their_own_period(
    client, staff, django_capture_on_commit_callbacks
):
    old = ArticleFactory(published_at=timezone.now() - timedelta(days=10))
    own = ArticleFactory(
        published_at=timezone.now() - timedelta(days=10), comments_close_after_days=30
    )
    assertContains(client.get(old.get_absolute_url()), "Log in to reply")

    with django_capture_on_commit_callbacks(execute=True):
        _set_default_in_admin(client, staff, 7)

    closed = client.get(old.get_absolute_url())
    assertContains(closed, "Comments closed on")
    assertNotContains(closed, "Log in to reply")
    assertContains(client.get(own.get_absolute_url()), "Log in to reply")
    assert StorySettings.objects.get().comments_close_after_days == 7


def test_there_is_one_settings_row_and_it_cannot_be_deleted(client, staff):
    _set_default_in_admin(client, staff, 3)
    _set_default_in_admin(client, staff, 5)
    client.force_login(staff)

    assert StorySettings.objects.count() == 1
    assert client.get(reverse("admin:articles_storysettings_add")).status_code == 403
    assert client.get(reverse("admin:articles_storysettings_delete", args=[1])).status_code == 403


def test_the_default_costs_the_story_page_no_extra_query(client):
    def queries(story):
        with CaptureQueriesContext(connection) as captured:
            client.get(story.get_absolute_url())
        return len(captured)

    queries(ArticleFactory())  # a process's first page also reads the current Site
    without = queries(ArticleFactory())
    StorySettings(comments_close_after_days=7).save()

    assert queries(ArticleFactory()) == without
