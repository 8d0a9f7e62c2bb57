"""Story lists show the conversation: each story's comment count (front page,
date archives, tag and source pages, search results) and the stories most
discussed this week, counting only what any guest may read, fresh after
every write, in a fixed number of queries."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from comments.models import BlockedPhrase, Comment
from comments.services import comment_create, comment_delete, comment_moderate
from tests.factories import ArticleFactory, SourceFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db

FRONT = reverse("articles:index")


def _post(article, body="A thought.", author=None):
    return comment_create(article=article, author=author or UserFactory(), body=body)


def _count_link(article, text):
    url = f"{article.get_absolute_url()}#comments"
    return f'<a class="story-card__comments" href="{url}">{text}</a>'


@pytest.fixture
def stories():
    """Four stories: two comments, one, none (open), none (closed)."""
    two = ArticleFactory(title="Two comments here")
    one = ArticleFactory(title="One comment here")
    none_open = ArticleFactory(title="Nothing yet, open")
    none_closed = ArticleFactory(title="Nothing, closed", comments_open=False)
    _post(two)
    _post(two)
    _post(one)
    return {"two": two, "one": one, "open": none_open, "closed": none_closed}


def test_front_page_shows_each_storys_comment_count(client, stories):
    response = client.get(FRONT)

    assertContains(response, _count_link(stories["two"], "2 comments"), html=True)
    assertContains(response, _count_link(stories["one"], "1 comment"), html=True)
    assertContains(response, _count_link(stories["open"], "No comments yet"), html=True)
    assertNotContains(response, f'{stories["closed"].get_absolute_url()}#comments')


def test_a_closed_story_with_comments_still_shows_its_count(client):
    story = ArticleFactory()
    _post(story)
    story.comments_open = False
    story.save()

    assertContains(client.get(FRONT), _count_link(story, "1 comment"), html=True)


def test_counts_are_of_comments_guests_may_read(client, user, staff):
    story = ArticleFactory()
    BlockedPhrase.objects.create(phrase="casino")
    shown = _post(story)
    _post(story, body="Play casino games", author=user)  # held for moderation
    removed = _post(story)
    comment_moderate(comments=[removed], moderator=staff, action="remove")
    spam = _post(story)
    comment_moderate(comments=[spam], moderator=staff, action="spam")
    deleted = _post(story, author=user)
    comment_delete(comment=deleted, actor=user)
    assert Comment.objects.filter(article=story).count() == 5
    assert shown.status == Comment.Status.PUBLISHED

    # The held comment's own author sees the public count too.
    client.force_login(user)
    assertContains(client.get(FRONT), _count_link(story, "1 comment"), html=True)


@pytest.mark.parametrize(
    "where",
    ["year", "month", "day", "tag", "source", "search"],
)
def test_every_list_of_stories_shows_counts(client, where):
    tag = TagFactory(name="Harbours", slug="harbours")
    source = SourceFactory(name="Harbour Times", slug="harbour-times")
    story = ArticleFactory(
        title="Lighthouse restored",
        published_at=datetime(2024, 3, 9, 12, tzinfo=UTC),
        tags=[tag],
        source=source,
        comments_close_after_days=0,
    )
    _post(story)
    _post(story)
    url = {
        "year": reverse("articles:archive-year", kwargs={"year": 2024}),
        "month": reverse("articles:archive-month", kwargs={"year": 2024, "month": 3}),
        "day": reverse("articles:archive-day", kwargs={"year": 2024, "month": 3, "day": 9}),
        "tag": tag.get_absolute_url(),
        "source": source.get_absolute_url(),
        "search": reverse("articles:search") + "?q=lighthouse",
    }[where]

    assertContains(client.get(url), _count_link(story, "2 comments"), html=True)


def test_front_page_count_changes_right_after_a_comment_and_a_removal(client, staff):
    story = ArticleFactory()
    reader = UserFactory()
    _post(story)
    assertContains(client.get(FRONT), _count_link(story, "1 comment"), html=True)

    client.force_login(reader)
    client.post(reverse("comments:post", kwargs={"article_id": story.pk}), {"body": "Me too."})
    client.logout()
    assertContains(client.get(FRONT), _count_link(story, "2 comments"), html=True)

    posted = Comment.objects.get(body="Me too.")
    comment_moderate(comments=[posted], moderator=staff, action="remove")
    assertContains(client.get(FRONT), _count_link(story, "1 comment"), html=True)


@pytest.mark.parametrize("stories_shown", [1, 10])
def test_front_page_query_count_is_the_same_for_one_story_or_a_full_page(
    client, django_assert_num_queries, stories_shown
):
    for number in range(stories_shown):
        story = ArticleFactory()
        for _ in range(number % 3):
            _post(story)
    client.get(FRONT)  # settle per-process state
    # The page of stories (no count: pages go by cursor), their comment
    # counts, the most discussed stories.
    with django_assert_num_queries(3):
        response = client.get(FRONT)
    assert response.content.decode().count('class="story-card__comments"') == stories_shown


@pytest.mark.parametrize("stories_shown", [1, 10])
def test_tag_page_query_count_is_the_same_for_one_story_or_a_full_page(
    client, django_assert_num_queries, stories_shown
):
    tag = TagFactory()
    for number in range(stories_shown):
        story = ArticleFactory(tags=[tag])
        for _ in range(number % 3):
            _post(story)
    client.get(tag.get_absolute_url())
    # The tag, the page of stories, their comment counts.
    with django_assert_num_queries(3):
        client.get(tag.get_absolute_url())


# Most discussed -------------------------------------------------------------


def test_most_discussed_lists_stories_by_new_comments_this_week(client, staff):
    busy = ArticleFactory(title="Busy story")
    quiet = ArticleFactory(title="Quiet story")
    old_news = ArticleFactory(title="Talked about last month")
    for _ in range(3):
        _post(busy)
    _post(quiet)
    removed = _post(quiet)
    comment_moderate(comments=[removed], moderator=staff, action="remove")
    for _ in range(5):
        _post(old_news)
    Comment.objects.filter(article=old_news).update(
        created_at=timezone.now() - timedelta(days=8)
    )

    response = client.get(FRONT)

    assertContains(
        response,
        '<section class="most-discussed" aria-labelledby="most-discussed-heading">'
        '<h2 id="most-discussed-heading" class="most-discussed__heading">'
        "Most discussed this week</h2>"
        '<ol class="most-discussed__list">'
        f'<li class="most-discussed__item"><a href="{busy.get_absolute_url()}#comments">'
        'Busy story</a> <span class="most-discussed__count">3 new comments</span></li>'
        f'<li class="most-discussed__item"><a href="{quiet.get_absolute_url()}#comments">'
        'Quiet story</a> <span class="most-discussed__count">1 new comment</span></li>'
        "</ol>"
        '<p class="most-discussed__feeds">Latest comments: '
        f'<a href="{reverse("comments:feed-rss")}">RSS feed</a> · '
        f'<a href="{reverse("comments:feed-atom")}">Atom feed</a></p>'
        "</section>",
        html=True,
    )


def test_most_discussed_leaves_out_stories_readers_cannot_see(client):
    story = ArticleFactory(title="Pulled story")
    _post(story)
    story.status = story.Status.DRAFT
    story.save()

    assertNotContains(client.get(FRONT), "Most discussed")


def test_most_discussed_is_hidden_when_nothing_was_said_this_week(client):
    ArticleFactory()

    assertNotContains(client.get(FRONT), "Most discussed")


def test_front_page_advertises_the_latest_comments_feeds(client):
    response = client.get(FRONT)

    assertContains(
        response,
        '<link rel="alternate" type="application/rss+xml" title="Latest comments (RSS)" '
        f'href="{reverse("comments:feed-rss")}">',
        html=True,
    )
    assertContains(
        response,
        '<link rel="alternate" type="application/atom+xml" title="Latest comments (Atom)" '
        f'href="{reverse("comments:feed-atom")}">',
        html=True,
    )
