"""Security posture: CSRF on every state change, production cookies and
headers, the admin for staff only, reader text never executed.

`check --deploy`, the development security headers and log-in throttling
are covered in tests/newsroom/test_settings.py and tests/accounts.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from comments.notifications import unsubscribe_token
from tests.accounts.factories import PASSWORD, verified_user
from tests.comments.threads import C, build, comment_state
from tests.factories import StaffFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


# CSRF ------------------------------------------------------------------------


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("post", {"body": "Forged comment"}),
        ("edit", {"body": "Forged edit"}),
        ("delete", {}),
        ("like", {}),
        ("flag", {"reason": "spam"}),
    ],
)
@pytest.mark.parametrize("who", ["author", "other"])
def test_every_comment_action_refuses_a_post_without_a_csrf_token(
    csrf_client, article, action, data, who
):
    author = UserFactory()
    comment = build(article, [C("mine", author=author, created_at=timezone.now())])["mine"]
    csrf_client.force_login(author if who == "author" else UserFactory())
    kwargs = {"article_id": article.pk} if action == "post" else {"pk": comment.pk}
    before = comment_state(comment)

    response = csrf_client.post(reverse(f"comments:{action}", kwargs=kwargs), data)

    assert response.status_code == 403
    assert comment_state(comment) == before


@pytest.mark.django_db
def test_log_out_needs_a_csrf_token(csrf_client, user):
    csrf_client.force_login(user)

    response = csrf_client.post(reverse("account_logout"))

    assert response.status_code == 403
    assert csrf_client.get("/").wsgi_request.user == user


@pytest.mark.django_db
def test_log_in_needs_a_csrf_token(csrf_client):
    reader = verified_user(username="forged_login")

    response = csrf_client.post(
        reverse("account_login"), {"login": reader.username, "password": PASSWORD}
    )

    assert response.status_code == 403


@pytest.mark.django_db
def test_the_one_click_unsubscribe_is_the_deliberate_exception(csrf_client, article, user):
    """Mail clients POST it without a token (RFC 8058); the signed token is the authority."""
    comment = build(article, [C("notify me", author=user)])["notify me"]
    Comment.objects.filter(pk=comment.pk).update(notify_replies=True)

    response = csrf_client.post(
        reverse("comments_extra:unsubscribe", kwargs={"token": unsubscribe_token(comment)})
    )

    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.notify_replies is False


# Production cookies and headers ----------------------------------------------

_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client

client = Client()
login = client.get("/accounts/login/", secure=True)
done = client.post(
    "/accounts/login/", {"login": "prod_reader", "password": PASSWORD}, secure=True,
    HTTP_REFERER="https://testserver/accounts/login/",
)
cookies = {}
for response in (login, done):
    for name, morsel in response.cookies.items():
        cookies[name] = {
            "secure": bool(morsel["secure"]),
            "httponly": bool(morsel["httponly"]),
            "samesite": morsel["samesite"],
        }
plain = Client().get("/accounts/login/")
print(json.dumps({
    "login_status": done.status_code,
    "cookies": cookies,
    "headers": dict(login.headers),
    "plain_http": [plain.status_code, plain.headers.get("Location", "")],
}))
"""


@pytest.fixture
def production_probe(transactional_db, settings, tmp_path):
    """The log-in page fetched and used in a process with production settings."""
    # The production process only knows the real hashers.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    verified_user(username="prod_reader")
    db = connection.settings_dict
    url = "postgres://{USER}@{host}:{PORT}/{NAME}".format(host=quote(db["HOST"], safe=""), **db)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="a-production-like-secret-key-that-is-long-and-random-0123456789",
        DJANGO_ALLOWED_HOSTS="testserver",
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DJANGO_LOG_LEVEL="ERROR",
        # One process: a local cache, rather than a table the test database lacks.
        NEWSROOM_LOCAL_CACHE="memory",
        # Production pages need the hashed static files' manifest: collect them first.
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
    )
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collected.returncode == 0, collected.stderr[-3000:]
    result = subprocess.run(
        [sys.executable, "-c", f"PASSWORD = {PASSWORD!r}\n{_PROBE}"],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_session_and_csrf_cookies_are_secure_and_same_site(production_probe):
    assert production_probe["login_status"] == 302
    session = production_probe["cookies"]["sessionid"]
    csrf = production_probe["cookies"]["csrftoken"]
    assert session == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"


def test_production_csrf_cookie_is_out_of_reach_of_scripts(production_probe):
    assert production_probe["cookies"]["csrftoken"]["httponly"] is True


def test_production_sends_hsts_and_the_strict_headers(production_probe):
    headers = production_probe["headers"]
    hsts = headers["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "form-action 'self'" in csp


def test_production_redirects_plain_http_to_https(production_probe):
    status, location = production_probe["plain_http"]
    assert status == 301
    assert location.startswith("https://testserver/accounts/login/")


# The admin -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/articles/article/", "/admin/comments/moderationaction/"]
)
def test_a_signed_in_reader_is_sent_to_the_admin_log_in_not_the_admin(client, user, path):
    client.force_login(user)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_a_reader_cannot_run_a_moderation_action(client, article, user):
    held = build(article, [C("held", status=Comment.Status.PENDING)])["held"]
    client.force_login(user)

    response = client.post(
        "/admin/comments/comment/",
        {"action": "approve_selected", "_selected_action": [held.pk]},
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    held.refresh_from_db()
    assert held.status == Comment.Status.PENDING


@pytest.mark.django_db
def test_staff_without_the_editors_permissions_see_no_comment_admin(client, article):
    """is_staff alone opens the admin door, but not the moderation queue."""
    client.force_login(StaffFactory(is_superuser=False))

    response = client.get("/admin/comments/comment/")

    assert response.status_code == 403


# Reader text is never executed ------------------------------------------------


@pytest.mark.django_db
def test_hostile_comment_text_and_imported_names_render_inert_on_the_story_page(client, article):
    build(
        article,
        [
            C(
                '<script>alert("x")</script><a href="javascript:alert(1)" onclick="x()">hi</a>',
                author_name='<img src=x onerror="alert(1)">',
            )
        ],
    )
    comment = Comment.objects.get()
    from comments.formatting import render_comment

    Comment.objects.filter(pk=comment.pk).update(body_html=render_comment(comment.body))

    page = client.get(article.get_absolute_url()).content.decode()
    thread = page[page.index('class="comment-thread"') :]

    assert "<script>alert" not in thread
    assert "<img src=x" not in thread
    # The typed link shows as text: no element carries its address or handler.
    assert "&lt;a href=\"javascript:alert(1)\" onclick=\"x()\"&gt;hi&lt;/a&gt;" in thread
    assert '<a href="javascript:' not in thread
    assert not re.search(r"<[a-z][^<>]*\sonclick=", thread)
    assert "&lt;img src=x onerror=" in thread
