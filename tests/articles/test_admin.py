"""The editors' admin: pages load, and publishing actions do what they say."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article
from tests.factories import ArticleFactory, SourceFactory, TagFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")


@pytest.fixture
def editor(client, staff):
    client.force_login(staff)
    return client


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:articles_article_changelist",
        "admin:articles_article_add",
        "admin:articles_source_changelist",
        "admin:articles_source_add",
        "admin:articles_tag_changelist",
        "admin:articles_tag_add",
    ],
)
def test_admin_pages_load(editor, url_name, article):
    assert editor.get(reverse(url_name)).status_code == 200


def test_changelist_shows_columns_and_filters(editor, bbc):
    ArticleFactory(title="Kim prepares", source=bbc, tags=[TagFactory(name="Korea")])

    response = editor.get(CHANGELIST)

    assertContains(response, "Kim prepares")
    for column in ("Title", "Status", "Published at", "Source", "Comments open"):
        assertContains(response, column)
    for filter_title in ("By status", "By source", "By tags", "By published at"):
        assertContains(response, filter_title)


def test_changelist_search_looks_in_the_body(editor):
    ArticleFactory(title="Parade", body="A new missile was shown.")
    ArticleFactory(title="Harvest", body="Crops failed.")

    response = editor.get(CHANGELIST, {"q": "missile"})

    assertContains(response, "Parade")
    assertNotContains(response, "Harvest")


def test_change_page_has_fieldsets_and_view_on_site(editor, bbc):
    article = ArticleFactory(source=bbc)

    response = editor.get(reverse("admin:articles_article_change", args=[article.pk]))

    assert response.status_code == 200
    for legend in ("Story", "Attribution", "Publication", "Comments"):
        assertContains(response, legend)
    assertContains(response, "View on site")
    # Source and tags use autocomplete widgets rather than full dropdowns.
    assertContains(response, 'data-ajax--url="/admin/autocomplete/"', count=2)


def test_source_autocomplete_searches_by_name(editor, bbc):
    SourceFactory(name="Reuters")

    response = editor.get(
        "/admin/autocomplete/",
        {"term": "bb", "app_label": "articles", "model_name": "article", "field_name": "source"},
    )

    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == ["BBC"]


def test_add_article_through_the_admin(editor, bbc):
    tag = TagFactory()
    published = timezone.localtime(timezone.now() - timedelta(hours=2))

    response = editor.post(
        reverse("admin:articles_article_add"),
        {
            "title": "Written in the admin",
            "slug": "written-in-the-admin",
            "standfirst": "Summary.",
            "byline": "Editor",
            "body": "Some *Markdown*.",
            "tags": [tag.pk],
            "source": bbc.pk,
            "original_url": "",
            "status": "published",
            "published_at_0": published.strftime("%Y-%m-%d"),
            "published_at_1": published.strftime("%H:%M:%S"),
            "comments_open": "on",
            "comments_close_after_days": "",
        },
    )

    assert response.status_code == 302, response.context["adminform"].errors
    article = Article.objects.get(slug="written-in-the-admin")
    assert article.body_html == "<p>Some <em>Markdown</em>.</p>"
    assert list(Article.objects.published()) == [article]


def _run_action(editor, action, articles):
    return editor.post(
        CHANGELIST,
        {"action": action, "_selected_action": [a.pk for a in articles]},
        follow=True,
    )


def test_publish_selected_keeps_past_dates_and_schedules_future_ones(editor):
    back_dated = datetime(2021, 6, 18, 9, tzinfo=UTC)
    old_draft = ArticleFactory(status=Article.Status.DRAFT, published_at=back_dated)
    future = timezone.now() + timedelta(days=1)
    future_draft = ArticleFactory(status=Article.Status.DRAFT, published_at=future)

    response = _run_action(editor, "publish_selected", [old_draft, future_draft])

    assertContains(response, "2 stories marked published.")
    old_draft.refresh_from_db()
    future_draft.refresh_from_db()
    assert old_draft.status == future_draft.status == Article.Status.PUBLISHED
    assert old_draft.published_at == back_dated
    assert future_draft.published_at == future
    assert list(Article.objects.published()) == [old_draft]


def test_unpublish_selected_hides_stories_from_readers(editor, client):
    live = ArticleFactory()

    response = _run_action(editor, "unpublish_selected", [live])

    assertContains(response, "1 story marked draft.")
    live.refresh_from_db()
    assert live.status == Article.Status.DRAFT
    client.logout()
    assert client.get(live.get_absolute_url()).status_code == 404


def test_readers_cannot_reach_the_admin(client, user):
    client.force_login(user)

    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
