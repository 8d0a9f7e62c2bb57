"""The story page costs the same few queries whatever the size of its thread."""

import re

import pytest
from django.contrib.sites.models import Site
from pytest_django.asserts import assertContains

from comments.models import Comment, Like
from tests.comments.threads import wide_thread
from tests.factories import ArticleFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db

# Guest: story with its page versions (1) and its tags (1); the previous and
# next stories from its source (1); the page's threads with totals (1) and
# their replies (1); the social sign-in providers configured in the admin, for
# "Leave a reply" (1). The current Site, which that asks for too, is read once
# per process.
GUEST_QUERIES = 6
# Signed in: plus the session (1; sessions live in the database), the user
# (1), and their likes with whether they have a comment awaiting moderation (1).
READER_QUERIES = 8
# From the cache: a guest's whole page, no query at all (the page versions
# this process read within the stated bound); a signed-in reader's page from
# the rendering shared by readers: one, the user read together with their
# likes, whether they have a held comment, the page's versions and the
# digest of their session's row (checking the session's cached copy).
GUEST_CACHED_QUERIES = 0
READER_CACHED_QUERIES = 1

SIZES = [10, 1_000, 10_000]


def _story_with(total: int):
    article = ArticleFactory(source=SourceFactory())  # as stories are: from a source
    comments = wide_thread(article, total=total, roots=min(total, 200))
    return article, comments


@pytest.mark.parametrize("total", SIZES)
def test_guest_story_page_query_count_is_constant(client, total, django_assert_num_queries):
    article, _ = _story_with(total)
    url = article.get_absolute_url()
    Site.objects.get_current()  # as after a process's first page

    with django_assert_num_queries(GUEST_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
    assert Comment.objects.filter(article=article).count() == total


@pytest.mark.parametrize("total", SIZES)
def test_signed_in_reader_query_count_is_constant(client, total, django_assert_num_queries):
    article, comments = _story_with(total)
    reader = UserFactory()
    liked = comments[:5]
    Like.objects.bulk_create(
        Like(user=reader, comment=comment, article=article) for comment in liked
    )
    client.force_login(reader)
    url = article.get_absolute_url()

    with django_assert_num_queries(READER_QUERIES):
        response = client.get(url)

    # The reader's likes are applied on top of the shared thread.
    assertContains(response, 'aria-pressed="true"', count=len(liked))


def test_cached_page_skips_the_story_and_thread_queries_but_not_the_readers_likes(
    client, django_assert_num_queries
):
    article, comments = _story_with(1_000)
    reader = UserFactory()
    Like.objects.create(user=reader, comment=comments[0])
    client.force_login(reader)
    url = article.get_absolute_url()
    client.get(url)

    with django_assert_num_queries(READER_CACHED_QUERIES):
        response = client.get(url)

    assertContains(response, 'aria-pressed="true"', count=1)


@pytest.mark.parametrize("total", [10, 10_000])
def test_cached_guest_page_reads_nothing_of_the_thread(
    client, total, django_assert_num_queries, monkeypatch
):
    article, _ = _story_with(total)
    url = article.get_absolute_url()
    # Both requests within the stated bound, however long the first render takes.
    monkeypatch.setattr("storypage.versions.time.monotonic", lambda: 1000.0)
    first = client.get(url)

    with django_assert_num_queries(GUEST_CACHED_QUERIES):
        again = client.get(url)

    def thread(response):
        html = response.content.decode().split('<ol class="comment-thread">')[1]
        # The CSRF token is masked afresh on every response.
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html.split("</section>")[0])

    assert thread(again) == thread(first)
    assert thread(first).count('<article id="comment-') > 0
