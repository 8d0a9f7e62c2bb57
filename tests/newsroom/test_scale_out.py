"""Two app servers, one PostgreSQL and one Redis: what one writes, the other shows at once."""

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.conf import settings
from django.db import connection

from tests.factories import ArticleFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
REDIS = ("127.0.0.1", 6379)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def redis_url():
    if not _redis_answers():
        if os.environ.get("CI"):
            pytest.fail("CI needs the local Redis at 127.0.0.1:6379 for the scale-out test")
        pytest.skip("no Redis at 127.0.0.1:6379 (CI runs this test)")
    return f"redis://{REDIS[0]}:{REDIS[1]}/13"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def two_servers(redis_url):
    db = connection.settings_dict
    database_url = "postgres://{USER}@{host}:{PORT}/{NAME}".format(
        host=quote(db["HOST"] or "127.0.0.1", safe=""), **{**db, "PORT": db["PORT"] or 5432}
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "NEWSROOM_CACHE_PREFIX": f"scale-out-{uuid.uuid4().hex}",
        "DJANGO_DEBUG": "true",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_ACCESS_LOG": "",
        "NEWSROOM_FLOOD_MIN_SECONDS": "0",
    }
    servers, procs = [], []
    try:
        for _ in range(2):
            port = _free_port()
            procs.append(
                subprocess.Popen(
                    [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py",
                     "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null"],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            servers.append(f"http://127.0.0.1:{port}")
        for base in servers:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if requests.get(f"{base}/healthz", timeout=5).ok:
                        break
                except requests.RequestException:
                    pass
                assert time.monotonic() < deadline, f"{base} did not start"
                time.sleep(0.2)
        yield servers
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def _signed_in(client, user) -> requests.Session:
    client.force_login(user)
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    return session


def _csrf(session: requests.Session, page: str) -> str:
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return token


def test_a_write_on_one_server_shows_on_the_other_at_once(client, two_servers):
    server_a, server_b = two_servers
    article = ArticleFactory(title="Scale-out story")
    writer, liker = UserFactory(), UserFactory()
    story = article.get_absolute_url()
    guest_before = requests.get(server_b + story, timeout=10)
    assert guest_before.ok and "Across the servers" not in guest_before.text

    # A comment posted through server A...
    a = _signed_in(client, writer)
    page = a.get(server_a + story, timeout=10).text
    posted = a.post(
        f"{server_a}/comments/story/{article.pk}/post/",
        data={"body": "Across the servers", "csrfmiddlewaretoken": _csrf(a, page)},
        headers={"Referer": server_a + story},
        timeout=10,
    )
    assert posted.ok, posted.status_code

    # ...is on server B's very next page, for a signed-in reader and for a guest
    # whose page B had cached before.
    b = _signed_in(client, liker)
    page_b = b.get(server_b + story, timeout=10).text
    assert "Across the servers" in page_b
    assert "Across the servers" in requests.get(server_b + story, timeout=10).text

    # A like through server B changes the count server A shows.
    comment_id = re.search(r'data-like="(\d+)"', page_b).group(1)
    liked = b.post(
        f"{server_b}/comments/{comment_id}/like/",
        data={"csrfmiddlewaretoken": _csrf(b, page_b)},
        headers={"Referer": server_b + story},
        timeout=10,
    )
    assert liked.ok, liked.status_code
    assert "Liked by 1 person" in requests.get(server_a + story, timeout=10).text
    assert "Liked by 1 person" in a.get(server_a + story, timeout=10).text
