from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, SourceFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_published_excludes_drafts_and_scheduled_stories():
    live = ArticleFactory()
    ArticleFactory(status=Article.Status.DRAFT)
    ArticleFactory(published_at=timezone.now() + timedelta(days=1))

    assert list(Article.objects.published()) == [live]


def test_published_is_newest_first():
    older = ArticleFactory(published_at=timezone.now() - timedelta(days=2))
    newer = ArticleFactory(published_at=timezone.now() - timedelta(days=1))

    assert list(Article.objects.published()) == [newer, older]


def test_is_published_matches_the_queryset():
    assert ArticleFactory().is_published
    assert not ArticleFactory(status=Article.Status.DRAFT).is_published
    assert not ArticleFactory(published_at=timezone.now() + timedelta(hours=1)).is_published


def test_absolute_url_is_zero_padded_in_site_time():
    # 23:30 UTC on 4 June is 00:30 on 5 June in London (BST).
    article = ArticleFactory(
        slug="kim", published_at=datetime(2021, 6, 4, 23, 30, tzinfo=UTC)
    )

    assert article.get_absolute_url() == "/2021/06/05/kim/"


def test_body_is_rendered_and_sanitized_on_save():
    article = ArticleFactory(body="Hello **world**<script>alert(1)</script>")

    assert "<strong>world</strong>" in article.body_html
    assert "<script" not in article.body_html


def test_tag_and_source_urls():
    assert TagFactory(slug="korea").get_absolute_url() == "/tags/korea/"
    assert SourceFactory(slug="bbc").get_absolute_url() == "/sources/bbc/"


def test_search_vector_is_maintained_by_the_database():
    ArticleFactory(title="Pyongyang parade", body="Tanks and missiles.")

    assert Article.objects.filter(search_vector="missile").count() == 1
