import socket

import pytest

from tests.factories import ArticleFactory, SourceFactory, StaffFactory, UserFactory


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture
def article(db):
    return ArticleFactory()


@pytest.fixture
def bbc(db):
    return SourceFactory(
        name="BBC", slug="bbc", homepage_url="https://www.bbc.co.uk/news", copyright_notice="(c) BBC"
    )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users with passwords; the real hasher is slow by design."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _spam_checks_off(settings):
    """Tests post as one reader many times a second and must never call the real
    Akismet; tests/comments/test_spam.py and test_akismet.py switch these back on."""
    settings.NEWSROOM_FLOOD_MIN_SECONDS = 0
    settings.NEWSROOM_FLOOD_PER_HOUR = 0
    settings.AKISMET_API_KEY = ""


@pytest.fixture(autouse=True)
def _memory_cache(settings):
    """One process runs the tests, so a per-process cache is shared by all its
    requests, and its reads do not count against the pages' query budgets."""
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
            }
        }


@pytest.fixture(autouse=True)
def _clear_cache(_memory_cache):
    """Each test starts with an empty cache so cached pages never leak between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    try:
        cache.clear()
    except Exception:  # a test that broke the cache on purpose
        pass


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to a temporary folder (served at /media/), never the project's."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_URL = "/media/"
    return settings.MEDIA_ROOT


@pytest.fixture
def closed_port():
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
