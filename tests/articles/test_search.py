"""Full-text search: ranking, highlighting, and never failing on odd input."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article
from articles.selectors import MAX_QUERY_LENGTH, article_search
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("articles:search")


@pytest.fixture
def stories():
    return {
        "title": ArticleFactory(
            title="Missile test off the coast",
            standfirst="A launch was reported.",
            body="Officials gave few details.",
            published_at=timezone.now() - timedelta(days=3),
        ),
        "body": ArticleFactory(
            title="Parade in the capital",
            standfirst="Crowds gathered.",
            body="The parade showcased a new missile among other hardware.",
            published_at=timezone.now() - timedelta(days=1),
        ),
        "unrelated": ArticleFactory(title="Food shortages", body="Harvests were poor."),
    }


def test_title_match_ranks_above_body_only_match(stories):
    results = list(article_search(query="missile"))

    assert results == [stories["title"], stories["body"]]


def test_websearch_syntax_is_supported(stories):
    assert list(article_search(query="missile -parade")) == [stories["title"]]
    assert list(article_search(query='"new missile"')) == [stories["body"]]


def test_stemming_matches_other_word_forms(stories):
    assert set(article_search(query="missiles")) == {stories["title"], stories["body"]}


def test_unpublished_stories_are_never_found():
    ArticleFactory(title="Secret missile draft", status=Article.Status.DRAFT)
    ArticleFactory(title="Embargoed missile story", published_at=timezone.now() + timedelta(days=1))

    assert list(article_search(query="missile")) == []


def test_results_page_highlights_matches(client, stories):
    response = client.get(SEARCH, {"q": "missile"})
    url = stories["title"].get_absolute_url()

    assert response.status_code == 200
    assertContains(response, "2 stories match.")
    assertContains(
        response, f'<a href="{url}"><mark>Missile</mark> test off the coast</a>', html=True
    )
    assertContains(response, "showcased a new <mark>missile</mark> among other hardware")
    assertNotContains(response, "Food shortages")
    # The search box keeps what the reader typed.
    assertContains(response, 'value="missile"')


def test_snippet_is_plain_escaped_text_with_only_mark_tags(client):
    ArticleFactory(
        title="<em>Rockets</em> & <script>alert(1)</script>",
        body="Tom & Jerry saw a **rocket** and a [link](https://example.com) — “quoted”.",
    )

    content = client.get(SEARCH, {"q": "rocket"}).content.decode()

    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "&lt;em&gt;<mark>Rockets</mark>&lt;/em&gt; &amp;" in content
    # Markup from the rendered body is gone; its entities are decoded once, then escaped once.
    assert "Tom &amp; Jerry saw a <mark>rocket</mark> and a link — “quoted" in content
    assert "<strong>" not in content
    assert "&amp;amp;" not in content


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("", "Type a word or phrase to search every story and comment."),
        ("   ", "Type a word or phrase to search every story and comment."),
        ("\x00", "Type a word or phrase to search every story and comment."),
        ("!!!", "has no words to search for; type a word or phrase."),
        ("&|!():*'\"", "has no words to search for; type a word or phrase."),
        ("-", "has no words to search for; type a word or phrase."),
        ("the and of", "are too common to search for; add a more specific word."),
        ('"unbalanced', "No stories match"),
        ("xqzjvkwp", "No stories match"),
    ],
)
def test_odd_queries_give_a_friendly_page(client, stories, query, said):
    response = client.get(SEARCH, {"q": query})

    assert response.status_code == 200
    assert "<mark>" not in response.content.decode()
    assertContains(response, said)


def test_search_without_q_parameter(client):
    assertContains(client.get(SEARCH), "Search the archive")


def test_a_query_of_only_stop_words_says_they_are_too_common(client, stories):
    response = client.get(SEARCH, {"q": "the"})

    assertContains(
        response,
        '<p class="search__problem" role="alert">'
        "“the” is too common to search for; add a more specific word.</p>",
        html=True,
    )
    assertNotContains(response, "No stories match")
    assertNotContains(response, "Try fewer or different words")


def test_stop_words_beside_a_real_word_still_search(client, stories):
    response = client.get(SEARCH, {"q": "the missile"})

    assertContains(response, "2 stories match.")
    assertNotContains(response, "too common")


@pytest.mark.parametrize(
    ("query", "queries"),
    [
        # The count, the page of results, their tags and comment counts, and
        # the count of matching comments: no check for words.
        ("missile", 5),
        # The count, then the check for words: nothing to search comments for.
        ("the", 2),
        # The count, the check for words, then the count of matching comments.
        ("xqzjvkwp", 3),
    ],
)
def test_search_query_counts(client, stories, django_assert_num_queries, query, queries):
    client.get(SEARCH, {"q": query})  # settle per-process state
    with django_assert_num_queries(queries):
        client.get(SEARCH, {"q": query})


def test_both_search_boxes_are_limited_in_length(client):
    page = client.get(SEARCH).content.decode()

    assert f'id="search-q" type="search" name="q" value="" maxlength="{MAX_QUERY_LENGTH}"' in page
    assert f'name="q" value="" maxlength="{MAX_QUERY_LENGTH}" placeholder="Search stories"' in page


def test_a_too_long_query_is_refused_with_a_message(client, stories):
    query = "missile " * 625  # 5,000 characters

    response = client.get(SEARCH, {"q": query})

    assert response.status_code == 200
    assertContains(
        response,
        '<p class="search__problem" role="alert">Searches can be at most 200 characters long; '
        "this one has 4,999. Search for the few words that matter most.</p>",
        html=True,
    )
    assertNotContains(response, "<mark>")
    # The box keeps as much of it as may be searched, ready to shorten.
    box = f'value="{query.strip()[:MAX_QUERY_LENGTH]}" maxlength="{MAX_QUERY_LENGTH}"'
    assertContains(response, box)


def test_a_query_of_exactly_the_limit_is_searched(client, stories):
    query = ("missile " * 40)[:MAX_QUERY_LENGTH]

    assertContains(client.get(SEARCH, {"q": query}), "<mark>missile</mark>")


def test_pagination_keeps_the_query(client, stories, settings):
    settings.NEWSROOM_SEARCH_RESULTS_PER_PAGE = 1

    first = client.get(SEARCH, {"q": "missile"})
    second = client.get(SEARCH, {"q": "missile", "page": 2})

    assertContains(first, '<a rel="next" href="?q=missile&amp;page=2">Next →</a>', html=True)
    assertContains(first, "test off the coast")
    assertContains(second, "Parade in the capital")
    assertContains(second, '<a rel="prev" href="?q=missile&amp;page=1">← Previous</a>', html=True)


@pytest.mark.parametrize("page", ["99", "abc", "-1"])
def test_bad_page_number_is_not_found_not_an_error(client, stories, page):
    assert client.get(SEARCH, {"q": "missile", "page": page}).status_code == 404


def test_search_boxes_take_the_direction_of_what_is_typed(client):
    page = client.get("/search/", {"q": "שלום"})

    assertContains(page, 'id="search-q" type="search" name="q" value="שלום"')
    content = page.content.decode()
    assert content.count('type="search"') == 2
    assert content.count('dir="auto">') >= 2
    for box in re.findall(r'<input id="[^"]*" type="search"[^>]*>', content):
        assert 'dir="auto"' in box


def test_a_snippet_keeps_a_subheading_apart_from_the_next_sentence(client):
    ArticleFactory(
        title="Kim prepares",
        standfirst="",
        body="Mr Kim spoke on Thursday.\n\n## A fraught relationship\n\n"
        "Mr Kim's relationship with Washington has been tense.",
    )

    response = client.get(SEARCH, {"q": "fraught"})

    [snippet] = re.findall(r'<p class="story-card__snippet">(.*?)</p>', response.content.decode())
    assert "A <mark>fraught</mark> relationship — Mr Kim" in " ".join(snippet.split())
    assert "Thursday. A" in " ".join(snippet.split())  # a full stop needs no dash
