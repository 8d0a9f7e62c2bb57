"""Faults injected for real: a killed database connection, Redis down or hung,
Akismet silent, a mail server refusing, a write failing after its insert.

Each test checks what the reader gets (a clear page, their text kept, a
message) and what is stored (nothing half-written, nothing lost).
"""

from __future__ import annotations

import html
import logging
import threading

import pytest
import requests
from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore
from django.db import connections
from django.db.models.signals import post_save
from django.test import Client, override_settings
from django.urls import reverse

from comments.integrity import all_problems
from comments.models import Comment
from tests.accounts.factories import PASSWORD, verified_user
from tests.comments.threads import C, build
from tests.factories import UserFactory
from tests.reliability.conftest import (
    csrf_token_from,
    kill_own_connection,
    signed_in_session,
    terminate_backends,
)

TIMEOUT = 15


def _post_url(article) -> str:
    return reverse("comments:post", kwargs={"article_id": article.pk})


def _kill_before(monkeypatch, target: str, *, times: int = 1) -> list[int]:
    """Patch `target` ("module.attr") to kill its thread's DB connection before
    running, the first `times` calls; returns a list that counts the kills."""
    module_name, attr = target.rsplit(".", 1)
    module = __import__(module_name, fromlist=[attr])
    original = getattr(module, attr)
    kills: list[int] = []

    def wrapper(*args, **kwargs):
        if len(kills) < times:
            kills.append(1)
            kill_own_connection()
        return original(*args, **kwargs)

    monkeypatch.setattr(module, attr, wrapper)
    return kills


# The database goes away ------------------------------------------------------


def test_a_connection_dropped_between_requests_is_replaced_without_a_restart(site_server, story):
    url = site_server + story.get_absolute_url()
    assert requests.get(url, timeout=TIMEOUT).status_code == 200

    assert terminate_backends() >= 1  # the server's connection among them

    response = requests.get(url, timeout=TIMEOUT)
    assert response.status_code == 200
    assert story.title in response.text


def test_a_connection_lost_while_posting_gives_a_try_again_page_with_the_text(
    site_server, story, reader, monkeypatch
):
    session = signed_in_session(site_server, reader)
    story_url = site_server + story.get_absolute_url()
    token = csrf_token_from(session.get(story_url, timeout=TIMEOUT).text)
    words = "The bridge <will> cost more than they say & nobody asked us."
    kills = _kill_before(monkeypatch, "comments.services.comment_create")

    response = session.post(
        site_server + _post_url(story),
        data={"body": words, "csrfmiddlewaretoken": token},
        headers={"Referer": story_url},
        allow_redirects=False,
        timeout=TIMEOUT,
    )

    assert kills == [1]
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert "Please try again in a moment" in response.text
    assert "Traceback" not in response.text
    # The reader's words come back in a form that sends them again.
    assert f"{html.escape(words)}</textarea>" in response.text
    assert f'action="{_post_url(story)}"' in response.text
    assert not Comment.objects.exists()

    # Nothing restarted: the next requests work, and sending again saves it.
    assert session.get(story_url, timeout=TIMEOUT).status_code == 200
    resend = session.post(
        site_server + _post_url(story),
        data={"body": words, "csrfmiddlewaretoken": csrf_token_from(response.text)},
        headers={"Referer": story_url},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert resend.status_code == 302
    assert Comment.objects.get().body == words


def test_a_story_page_that_loses_its_connection_says_try_again_not_error(
    site_server, story, monkeypatch
):
    url = site_server + story.get_absolute_url() + "?cpage=2&sort=liked"
    _kill_before(monkeypatch, "storypage.views.comment_section_context")

    response = requests.get(url, timeout=TIMEOUT)

    assert response.status_code == 503
    assert "Please try again in a moment" in response.text
    assert 'href="' + html.escape(story.get_absolute_url() + "?cpage=2&sort=liked") in response.text
    assert "Content-Security-Policy" in response.headers
    assert requests.get(url, timeout=TIMEOUT).status_code == 200


def test_a_session_that_cannot_be_saved_after_the_view_still_gives_the_text_back(
    site_server, story, monkeypatch
):
    """A guest's draft is written to the session after the view returns; when
    that write hits the dead connection the reader still gets their words."""
    import comments.views

    guest = requests.Session()
    story_url = site_server + story.get_absolute_url()
    # Guests get no comment form; the log-in form hands out a CSRF token.
    login_page = guest.get(site_server + reverse("account_login"), timeout=TIMEOUT)
    token = csrf_token_from(login_page.text)
    original = comments.views.save_draft

    def save_then_lose_the_database(request, **kwargs):
        original(request, **kwargs)
        kill_own_connection()

    monkeypatch.setattr(comments.views, "save_draft", save_then_lose_the_database)

    response = guest.post(
        site_server + _post_url(story),
        data={"body": "Written before logging in.", "csrfmiddlewaretoken": token},
        headers={"Referer": story_url},
        allow_redirects=False,
        timeout=TIMEOUT,
    )

    assert response.status_code == 503
    assert "Written before logging in.</textarea>" in response.text
    assert requests.get(story_url, timeout=TIMEOUT).status_code == 200


def test_a_comment_whose_commit_fails_is_never_acknowledged(site_server, story, reader):
    """The redirect to the new comment comes only after the commit: a
    connection lost between the insert and the commit acknowledges nothing."""
    session = signed_in_session(site_server, reader)
    story_url = site_server + story.get_absolute_url()
    token = csrf_token_from(session.get(story_url, timeout=TIMEOUT).text)

    def lose_the_database_after_the_insert(sender, instance, created, **kwargs):
        if created:
            kill_own_connection()

    post_save.connect(lose_the_database_after_the_insert, sender=Comment, weak=False)
    try:
        response = session.post(
            site_server + _post_url(story),
            data={"body": "Inserted but never committed.", "csrfmiddlewaretoken": token},
            headers={"Referer": story_url},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
    finally:
        post_save.disconnect(lose_the_database_after_the_insert, sender=Comment)

    assert response.status_code == 503
    assert "Location" not in response.headers
    assert "Inserted but never committed.</textarea>" in response.text
    assert not Comment.objects.exists()
    assert all_problems() == []


def test_a_failure_after_the_insert_rolls_it_back_and_acknowledges_nothing(client, story, reader):
    def fail_after_insert(sender, instance, created, **kwargs):
        if created:
            raise RuntimeError("a bug in a receiver")

    client = Client(raise_request_exception=False)
    client.force_login(reader)
    post_save.connect(fail_after_insert, sender=Comment, weak=False)
    try:
        response = client.post(_post_url(story), {"body": "Never half-written."})
    finally:
        post_save.disconnect(fail_after_insert, sender=Comment)

    assert response.status_code == 500
    assert "Location" not in response.headers
    assert not Comment.objects.exists()


# Redis -----------------------------------------------------------------------


def _redis_at(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "newsroom.cache.FailOpenRedisCache",  # as settings.py configures Redis
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


def _read_and_write(client, story, reader) -> None:
    client.force_login(reader)
    page = client.get(story.get_absolute_url())
    assert page.status_code == 200
    assert story.title in page.content.decode()
    response = client.post(_post_url(story), {"body": "Written while the cache was down."})
    assert response.status_code == 302
    comment = Comment.objects.get()
    client.force_login(UserFactory())  # another reader likes it
    assert client.post(reverse("comments:like", kwargs={"pk": comment.pk})).status_code == 302
    comment.refresh_from_db()
    assert comment.like_count == 1
    page = client.get(story.get_absolute_url())
    assert "Written while the cache was down." in page.content.decode()


def test_with_redis_down_pages_render_uncached_and_writes_succeed(
    client, story, reader, closed_port
):
    # override_settings, not the settings fixture: the cache must be back
    # before the autouse fixture clears it.
    with override_settings(CACHES=_redis_at(closed_port)):
        _read_and_write(client, story, reader)


def test_a_redis_that_never_answers_only_costs_its_socket_timeout(
    transactional_db, client, story, reader, silent_server
):
    """Run in a thread of its own (with its own connection, hence committed
    data) so a hang fails the test instead of stalling the suite."""
    outcome: dict = {}

    def read_and_write():
        # An assertion failing here is printed by the thread; "ok" stays unset.
        try:
            _read_and_write(client, story, reader)
            outcome["ok"] = True
        finally:
            connections.close_all()

    with override_settings(CACHES=_redis_at(silent_server)):
        worker = threading.Thread(target=read_and_write)
        worker.start()
        # Generous: each cache call gives up after 0.5 s; without socket
        # timeouts the thread would never finish.
        worker.join(60)

    assert not worker.is_alive(), "a request hung on the silent cache server"
    assert outcome.get("ok"), "reading or writing failed with the silent cache server"


def test_with_redis_down_readers_can_still_log_in(db, closed_port):
    user = verified_user(username="returning")
    client = Client(raise_request_exception=False)
    with override_settings(CACHES=_redis_at(closed_port)):
        response = client.post(
            reverse("account_login"), {"login": user.username, "password": PASSWORD}
        )
    assert response.status_code == 302


# Akismet ---------------------------------------------------------------------


@pytest.mark.parametrize("akismet", ["silent", "closed"])
def test_when_akismet_does_not_answer_the_comment_is_held_and_the_reader_told(
    client, story, reader, settings, akismet, request
):
    port = request.getfixturevalue(f"{akismet}_server" if akismet == "silent" else "closed_port")
    settings.AKISMET_API_KEY = "test-key"
    settings.NEWSROOM_AKISMET_URL = f"http://127.0.0.1:{port}/1.1/"
    settings.NEWSROOM_AKISMET_TIMEOUT = 0.3
    client.force_login(reader)

    response = client.post(_post_url(story), {"body": "Is the bridge toll-free?"}, follow=True)

    assert response.status_code == 200
    assert "your comment is awaiting moderation" in response.content.decode()
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.hold_reason == "Akismet unavailable"


# Email -----------------------------------------------------------------------


def _smtp_to(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 2},
        }
    }


@pytest.fixture
def ada(db):
    return UserFactory(username="ada", email="ada@example.com")


def _opt_in(comment: Comment) -> Comment:
    Comment.objects.filter(pk=comment.pk).update(notify_replies=True)
    return comment


@pytest.mark.parametrize("mail_server", ["refusing_smtp_server", "closed_port"])
def test_a_refusing_mail_server_never_costs_an_approved_reply(
    story,
    ada,
    staff,
    settings,
    caplog,
    mail_server,
    request,
    django_capture_on_commit_callbacks,
):
    from comments.services.moderation import comment_moderate

    settings.MAILERS = _smtp_to(request.getfixturevalue(mail_server))
    rows = build(
        story,
        [C("What a story.", [C("held", status=Comment.Status.PENDING)], author=ada)],
    )
    _opt_in(rows["What a story."])
    reply = rows["held"]

    with (
        caplog.at_level(logging.ERROR, logger="comments.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        changed = comment_moderate(comments=[reply], moderator=staff, action="approve")

    assert changed == 1
    reply.refresh_from_db()
    assert reply.status == Comment.Status.PUBLISHED
    assert f"reply notification for comment {reply.pk}" in caplog.text


def test_a_reply_posted_while_the_mail_server_refuses_is_saved_and_the_failure_logged(
    client,
    story,
    ada,
    settings,
    caplog,
    refusing_smtp_server,
    django_capture_on_commit_callbacks,
):
    opted_in_parent = _opt_in(build(story, [C("What a story.", author=ada)])["What a story."])
    settings.MAILERS = _smtp_to(refusing_smtp_server)
    client.force_login(UserFactory(username="bob"))

    with (
        caplog.at_level(logging.ERROR, logger="comments.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            _post_url(story), {"body": "I disagree.", "parent": opted_in_parent.pk}
        )

    assert response.status_code == 302
    reply = Comment.objects.get(body="I disagree.")
    assert reply.parent_id == opted_in_parent.pk
    assert f"reply notification for comment {reply.pk}" in caplog.text


# The reader's words are never lost ------------------------------------------


def test_text_written_when_the_session_expired_is_there_after_logging_in_again(client, story):
    reader = verified_user(username="slow_writer")
    client.post(reverse("account_login"), {"login": reader.username, "password": PASSWORD})
    assert client.get(story.get_absolute_url()).context["user"] == reader
    # The session runs out on the server while the reader is still typing.
    SessionStore(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value).delete()

    response = client.post(_post_url(story), {"body": "A long, considered reply."})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Comment.objects.exists()
    logged_in = client.post(response["Location"], {"login": reader.username, "password": PASSWORD})
    assert logged_in.status_code == 302
    page = client.get(story.get_absolute_url()).content.decode()
    assert "A long, considered reply.</textarea>" in page


def test_a_double_submitted_comment_is_saved_once(client, story, reader):
    client.force_login(reader)
    first = client.post(_post_url(story), {"body": "Pressed the button twice."})
    second = client.post(_post_url(story), {"body": "Pressed the button twice."})

    assert first.status_code == 302
    # Refused with a reason (too soon, or the same words again), never a second row.
    assert second.status_code == 400
    assert 'role="alert"' in second.content.decode()
    assert "Pressed the button twice.</textarea>" in second.content.decode()
    assert Comment.objects.count() == 1
