"""What search engines and link previews get: the editor's SEO description,
else the story's summary, on cached pages as on fresh ones."""

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from tests.articles.test_admin import change_form_data, change_url
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def _meta(description: str) -> list[str]:
    return [
        f'<meta name="description" content="{description}">',
        f'<meta property="og:description" content="{description}">',
        f'<meta name="twitter:description" content="{description}">',
    ]


def test_the_seo_description_is_the_pages_description(client):
    article = ArticleFactory(
        standfirst="Councillors side with the fleet.",
        seo_description="Harbour lighthouse stays lit after council vote",
    )

    response = client.get(article.get_absolute_url())

    for tag in _meta("Harbour lighthouse stays lit after council vote"):
        assertContains(response, tag, html=True)
    assertNotContains(response, 'content="Councillors side with the fleet."')


def test_without_one_the_summary_is_used(client):
    article = ArticleFactory(standfirst="Councillors side with the fleet.", seo_description="")

    response = client.get(article.get_absolute_url())

    for tag in _meta("Councillors side with the fleet."):
        assertContains(response, tag, html=True)


def test_the_description_is_escaped(client):
    article = ArticleFactory(seo_description='"><script>alert(1)</script>')

    response = client.get(article.get_absolute_url())

    assertNotContains(response, "<script>alert(1)")
    assertContains(response, "&quot;&gt;&lt;script&gt;")


def test_an_edited_description_reaches_pages_already_cached(client, editor):
    article = ArticleFactory(standfirst="Old summary.")
    url = article.get_absolute_url()
    assertContains(client.get(url), 'content="Old summary."')  # cached for guests

    response = editor.post(
        change_url(article), change_form_data(article, seo_description="New description")
    )

    assert response.status_code == 302
    fresh = client.get(url)
    for tag in _meta("New description"):
        assertContains(fresh, tag, html=True)
