"""Site search finds comments too: only what any guest may read, ranked,
highlighted, linked to where each comment lives, in a constant number of
queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.selectors import HIGHLIGHT_START, HIGHLIGHT_STOP
from comments.models import BlockedPhrase, Comment
from comments.selectors.search import comment_search
from comments.services import comment_create, comment_delete, comment_moderate
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("articles:search")


def _search(query):
    return comment_search(query=query, start_sel=HIGHLIGHT_START, stop_sel=HIGHLIGHT_STOP)[:100]


def _post(article, body, author=None):
    return comment_create(article=article, author=author or UserFactory(), body=body)


def test_only_published_comments_on_published_stories_are_found(user, staff):
    story = ArticleFactory()
    BlockedPhrase.objects.create(phrase="casino")
    shown = _post(story, "The lighthouse keeper was right.")
    held = _post(story, "Lighthouse casino nights", author=user)
    spam = _post(story, "Lighthouse offers")
    comment_moderate(comments=[spam], moderator=staff, action="spam")
    removed = _post(story, "Rude things about the lighthouse")
    comment_moderate(comments=[removed], moderator=staff, action="remove")
    deleted = _post(story, "Lighthouse second thoughts", author=user)
    comment_delete(comment=deleted, actor=user)
    pulled = ArticleFactory()
    _post(pulled, "Lighthouse on a story since unpublished")
    pulled.status = pulled.Status.DRAFT
    pulled.save()
    postponed = ArticleFactory()
    _post(postponed, "Lighthouse on a story since rescheduled")
    postponed.published_at = timezone.now() + timedelta(days=2)
    postponed.save()
    assert Comment.objects.get(pk=held.pk).status == Comment.Status.PENDING

    assert _search("lighthouse") == [shown]


def test_the_author_of_a_held_comment_does_not_find_it(client, user):
    BlockedPhrase.objects.create(phrase="casino")
    _post(ArticleFactory(), "Lighthouse casino nights", author=user)
    client.force_login(user)

    response = client.get(SEARCH, {"q": "lighthouse"})

    assertContains(response, "0 comments match.")
    assertNotContains(response, "casino")


def test_better_matches_rank_first_and_stemming_applies():
    story = ArticleFactory()
    once = _post(story, "A lighthouse, and other things entirely unrelated to it.")
    often = _post(story, "Lighthouses! The lighthouse beam, the lighthouse keeper.")

    assert _search("lighthouse") == [often, once]


def test_a_comment_result_shows_author_date_story_and_links_to_the_comment(client):
    story = ArticleFactory(title="Harbour news")
    author = UserFactory(username="keeper")
    comment = _post(story, "The lighthouse was repainted in red and white.", author=author)

    response = client.get(SEARCH, {"q": "lighthouse"})

    assertContains(response, "1 comment matches.")
    assertContains(
        response,
        '<h2 id="comment-results-heading" class="search__section-heading">Comments (1)</h2>',
        html=True,
    )
    assertContains(
        response,
        '<p class="story-card__snippet comment-result__snippet">The <mark>lighthouse</mark> '
        "was repainted in red and white.</p>",
        html=True,
    )
    assertContains(response, '<span class="comment-result__author">keeper</span>', html=True)
    assertContains(response, f'datetime="{timezone.localtime(comment.created_at).isoformat()}"')
    go = reverse("comments:go", kwargs={"pk": comment.pk})
    assertContains(
        response,
        f'<span class="comment-result__story">on <a href="{go}">Harbour news</a></span>',
        html=True,
    )
    # The link leads to the comment in its thread.
    assert client.get(go)["Location"].endswith(f"#comment-{comment.pk}")


def test_comment_text_is_plain_escaped_text_in_results(client):
    _post(ArticleFactory(), "Lighthouse <script>alert(1)</script> & <b>more</b>")

    response = client.get(SEARCH, {"q": "lighthouse"})

    assertNotContains(response, "<script>alert(1)")
    assertNotContains(response, "<b>more")
    assertContains(response, "<mark>Lighthouse</mark> alert(1) &amp; more")


def test_stories_and_comments_are_separate_sections_each_paginated(client, settings):
    settings.NEWSROOM_SEARCH_RESULTS_PER_PAGE = 2
    story = ArticleFactory(title="Lighthouse restored")
    for number in range(3):
        _post(story, f"Lighthouse remark number {number}")

    first = client.get(SEARCH, {"q": "lighthouse"})
    second = client.get(SEARCH, {"q": "lighthouse", "comments_page": 2})

    assertContains(first, "1 story matches. 3 comments match.")
    assertContains(first, '<a href="#comment-results">Comments (3)</a>', html=True)
    assertContains(first, "<mark>Lighthouse</mark> remark number 2")
    assertNotContains(first, "remark number 0")
    assertContains(
        first,
        '<nav class="pagination" aria-label="Pages of comments"><ul class="pagination__list">'
        '<li class="pagination__item pagination__item--current" aria-current="page">'
        "Page 1 of 2</li>"
        '<li class="pagination__item pagination__item--next">'
        '<a rel="next" href="?q=lighthouse&amp;comments_page=2">Next →</a></li></ul></nav>',
        html=True,
    )
    assertContains(second, "remark number 0")
    assertNotContains(second, "remark number 2")
    # The stories stay on their own first page.
    assertContains(second, "<mark>Lighthouse</mark> restored")


@pytest.mark.parametrize("matches", [1, 12])
def test_search_page_query_count_is_constant(client, django_assert_num_queries, matches):
    for number in range(matches):
        story = ArticleFactory(title=f"Lighthouse story {number}")
        _post(story, f"A lighthouse comment {number}")
    client.get(SEARCH, {"q": "lighthouse"})  # settle per-process state
    # Stories: count, page, their tags, their comment counts.
    # Comments: count, page (with author and story).
    with django_assert_num_queries(6):
        response = client.get(SEARCH, {"q": "lighthouse"})
    said = "1 comment matches." if matches == 1 else f"{matches} comments match."
    assertContains(response, said)
