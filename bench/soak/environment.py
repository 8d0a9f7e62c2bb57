"""The soak's world: its throwaway database, its readers and its gunicorn."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "soak-reader-password-7f3a"
USERS = 40


def log(message: str) -> None:
    print(f"==> {message}", flush=True)


def production_environment(url: str) -> dict[str, str]:
    """Settings for this process and gunicorn: debug off, spam limits relaxed.

    The flood limits would otherwise refuse most of a client's replies: a
    soak posts far faster than any person.
    """
    return {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "soak-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-soak",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
        "NEWSROOM_FLOOD_MIN_SECONDS": "0",
        "NEWSROOM_FLOOD_PER_HOUR": "1000000",
        "NEWSROOM_HOLD_LINK_COUNT": "0",
        "NEWSROOM_EMAIL_VERIFICATION": "mandatory",
        "AKISMET_API_KEY": "",
    }


# Data ------------------------------------------------------------------------


def build_data(rng: random.Random) -> dict:
    """Stories with conversations and verified readers; returns what clients need."""
    from datetime import timedelta

    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from articles.models import Article
    from comments.models import Comment
    from comments.services import comment_create

    User = get_user_model()
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        User(username=f"soak-{i}", email=f"soak-{i}@example.com", password=password)
        for i in range(USERS)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    stories = []
    for index, title in enumerate(["Hot story"] + [f"Quieter story {i}" for i in range(1, 5)]):
        stories.append(
            Article.objects.create(
                title=title,
                slug=f"soak-story-{index}",
                standfirst="A story for the soak test.",
                byline="Soak desk",
                body="Paragraph one.\n\nParagraph two.",
                status=Article.Status.PUBLISHED,
                published_at=timezone.now() - timedelta(hours=1 + index),
            )
        )
    comment_ids: dict[int, list[int]] = {}
    for story in stories:
        size = 40 if story is stories[0] else 8
        ids: list[int] = []
        for n in range(size):
            parent = None
            if ids and rng.random() < 0.8:
                parent = Comment.objects.get(pk=rng.choice(ids))
            comment = comment_create(
                article=story,
                author=rng.choice(users),
                body=f"Seed comment {n} on {story.slug}.",
                parent=parent,
            )
            ids.append(comment.pk)
        comment_ids[story.pk] = ids
    return {
        "users": users,
        "stories": [(story.pk, story.get_absolute_url()) for story in stories],
        "comment_ids": comment_ids,
    }


def server_session_cookie(user) -> str:
    """A signed-in session created on the server side, as after a log-in."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


# gunicorn --------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, env: dict[str, str], errors) -> subprocess.Popen:
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env={
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": "4",
            "GUNICORN_ACCESS_LOG": "/dev/null",
        },
        stdout=subprocess.DEVNULL,
        stderr=errors,
    )
    import urllib.request

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("gunicorn did not start")
