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
def _clear_cache():
    """Each test starts with an empty cache so cached pages never leak between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
