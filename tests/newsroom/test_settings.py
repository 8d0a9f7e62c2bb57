"""Configuration: production refuses to start without its secrets; deploy checks are clean."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-production-like-secret-key-that-is-long-and-random-0123456789abcdef",
    "DJANGO_ALLOWED_HOSTS": "news.example.com",
    "DATABASE_URL": "postgres://newsroom@db.example.com:5432/newsroom",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY must be set"),
        ("DJANGO_ALLOWED_HOSTS", "DJANGO_ALLOWED_HOSTS must be set"),
        ("DATABASE_URL", "DATABASE_URL must be set"),
    ],
)
def test_production_without_a_required_value_stops_with_a_clear_message(missing, message):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_deploy_check_is_clean_with_production_settings(db):
    # Model checks ask the server for its features, so point at the test database.
    db_settings = connection.settings_dict
    url = "postgres://{USER}@{host}:{PORT}/{NAME}".format(
        host=quote(db_settings["HOST"], safe=""), **db_settings
    )
    result = manage("check", "--deploy", "--fail-level", "WARNING", **{**PRODUCTION, "DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_a_non_postgresql_database_url_is_refused():
    result = manage("check", **{**PRODUCTION, "DATABASE_URL": "mysql://u@h/db"})
    assert result.returncode != 0
    assert "PostgreSQL only" in result.stderr


def test_security_headers_on_every_page(client, db):
    response = client.get("/robots.txt")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_health_check_answers_without_touching_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response.headers["Cache-Control"]


def test_the_server_fails_closed_when_the_debug_variable_is_forgotten():
    # No DJANGO_* variable at all: debug stays off for the server (what
    # gunicorn loads), so the missing secret key stops it instead of signing
    # cookies with the development key.
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "-c", "import newsroom.wsgi"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_manage_py_in_a_bare_checkout_is_a_developers_tool_but_never_half_configured():
    bare = manage("shell", "--no-imports", "-c", "from django.conf import settings; print(settings.DEBUG)")
    assert bare.stdout.strip() == "True", bare.stderr
    # One production variable set, the rest forgotten: refused.
    result = manage("check", DATABASE_URL=PRODUCTION["DATABASE_URL"])
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_debug_is_off_unless_asked_for():
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_DEBUG"}
    result = manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG)", "--no-imports", **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
    result = manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG)", "--no-imports", DJANGO_DEBUG="true")
    assert result.stdout.strip() == "True", result.stderr


def test_media_storage_and_its_address_come_from_the_environment():
    # An object store on its own origin, as a deployment would configure it.
    media = {
        "DJANGO_MEDIA_STORAGE": "django.core.files.storage.FileSystemStorage",
        "DJANGO_MEDIA_STORAGE_OPTIONS": '{"base_url": "http://media.example.net:9000/newsroom/"}',
        "DJANGO_MEDIA_URL": "http://media.example.net:9000/newsroom/",
    }
    script = (
        "from django.conf import settings; from django.core.files.storage import default_storage; "
        "print(default_storage.url('lead-images/kim-480w.jpg')); "
        "print(' '.join(settings.SECURE_CSP['img-src']))"
    )
    result = manage("shell", "-c", script, **{**PRODUCTION, **media})
    assert result.returncode == 0, result.stderr
    url, img_src = result.stdout.splitlines()[-2:]
    assert url == "http://media.example.net:9000/newsroom/lead-images/kim-480w.jpg"
    assert img_src.split()[-1] == "http://media.example.net:9000"


def test_behind_pgbouncer_no_server_side_cursors_and_connections_stay_checked():
    show = (
        "from django.db import connection as c; d = c.settings_dict; "
        "print(d['DISABLE_SERVER_SIDE_CURSORS'], d['CONN_HEALTH_CHECKS'], d['CONN_MAX_AGE'])"
    )
    direct = manage("shell", "-c", show, **PRODUCTION)
    pooled = manage("shell", "-c", show, **PRODUCTION, DJANGO_DB_POOLER="pgbouncer")
    unknown = manage("check", **PRODUCTION, DJANGO_DB_POOLER="pgpool")

    assert direct.stdout.split()[-3:] == ["False", "True", "60"], direct.stderr
    assert pooled.stdout.split()[-3:] == ["True", "True", "60"], pooled.stderr
    assert unknown.returncode != 0
    assert "DJANGO_DB_POOLER='pgpool' is not known" in unknown.stderr
