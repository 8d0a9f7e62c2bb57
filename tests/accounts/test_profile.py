"""The commenter's public profile page."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments.models import Comment
from tests.accounts.factories import comment_create_row
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def profile_url(user, page=None):
    url = reverse("accounts:profile", kwargs={"username": user.username})
    return f"{url}?page={page}" if page else url


def listed_comment_links(html):
    """The comment permalinks the page lists, in order."""
    return re.findall(r'class="profile-comment__story"><a href="([^"]+)"', html)


def test_profile_is_served_at_people_username():
    assert reverse("accounts:profile", kwargs={"username": "ada"}) == "/people/ada/"


def test_profile_shows_name_join_date_and_comments_with_story_and_permalink(client, article):
    author = UserFactory(username="ada", first_name="Ada", last_name="Lovelace")
    author.date_joined = timezone.make_aware(timezone.datetime(2020, 3, 14, 9, 0))
    author.save()
    comment = comment_create_row(article=article, author=author, body="Engines can compose music.")

    response = client.get(profile_url(author))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Ada Lovelace</h1>" in html
    assert '<time datetime="2020-03-14T09:00:00+00:00">14 March 2020</time>' in html
    # The story title links to the comment itself: /comments/<id>/ (comments:detail).
    assert f'<a href="/comments/{comment.pk}/">{article.title}</a>' in html
    assert f'href="{article.get_absolute_url()}"' in html
    assert "Engines can compose music." in html
    assert f'<time datetime="{timezone.localtime(comment.created_at).isoformat()}' in html


def test_a_name_less_user_is_shown_by_username(client):
    author = UserFactory(username="quietreader")

    response = client.get(profile_url(author))

    assert "<h1>quietreader</h1>" in response.content.decode()
    assert b"No comments yet." in response.content


def test_profile_lists_only_the_users_public_comments_newest_first(client, article):
    author = UserFactory()
    older = comment_create_row(article=article, author=author, minutes_ago=30)
    newer = comment_create_row(article=article, author=author, minutes_ago=5)
    comment_create_row(article=article, author=UserFactory(), body="Someone else.")
    comment_create_row(article=article, author=author, status=Comment.Status.PENDING)
    comment_create_row(article=article, author=author, status=Comment.Status.SPAM)
    comment_create_row(article=article, author=author, status=Comment.Status.REMOVED)
    comment_create_row(article=article, author=author, deleted_at=timezone.now())
    draft = ArticleFactory(status=Article.Status.DRAFT, title="Unpublished scoop")
    comment_create_row(article=draft, author=author)
    scheduled = ArticleFactory(published_at=timezone.now() + timedelta(days=1), title="Tomorrow")
    comment_create_row(article=scheduled, author=author)

    html = client.get(profile_url(author)).content.decode()

    assert listed_comment_links(html) == [newer.get_absolute_url(), older.get_absolute_url()]
    assert "Unpublished scoop" not in html
    assert "Tomorrow" not in html


def test_excerpt_is_plain_text_cut_short(client, article):
    author = UserFactory()
    comment_create_row(
        article=article,
        author=author,
        body="Fish & chips",
        body_html='<p>Fish &amp; <em>chips</em> <a href="https://example.com/">here</a></p>',
    )
    long_text = " ".join(f"word{n}" for n in range(100))
    comment_create_row(article=article, author=author, body=long_text, minutes_ago=1)

    html = client.get(profile_url(author)).content.decode()

    assert "Fish &amp; chips here" in html
    assert "<em>chips</em>" not in html
    assert "word39…" in html
    assert "word40" not in html


def test_profile_paginates_twenty_comments_a_page(client, article):
    author = UserFactory()
    comments = [
        comment_create_row(article=article, author=author, minutes_ago=n) for n in range(25)
    ]

    first = client.get(profile_url(author)).content.decode()
    second = client.get(profile_url(author, page=2)).content.decode()

    assert listed_comment_links(first) == [c.get_absolute_url() for c in comments[:20]]
    assert listed_comment_links(second) == [c.get_absolute_url() for c in comments[20:]]
    assert 'rel="next"' in first
    assert "Page 2 of 2" in second


@pytest.mark.parametrize("count", [1, 20])
def test_profile_queries_do_not_grow_with_comments(client, django_assert_num_queries, count):
    author = UserFactory()
    for n in range(count):
        comment_create_row(article=ArticleFactory(), author=author, minutes_ago=n)

    # The user, the page count, then one page of comments with their stories.
    with django_assert_num_queries(3):
        response = client.get(profile_url(author))

    assert len(listed_comment_links(response.content.decode())) == count


def test_unknown_user_is_not_found(client, db):
    assert client.get("/people/nobody-here/").status_code == 404


def test_deactivated_user_is_not_found(client):
    author = UserFactory(is_active=False)

    assert client.get(profile_url(author)).status_code == 404


def test_own_profile_links_to_account_settings_and_others_do_not(client):
    reader, other = UserFactory(), UserFactory()
    client.force_login(reader)

    own = client.get(profile_url(reader)).content.decode()
    theirs = client.get(profile_url(other)).content.decode()

    assert f'href="{reverse("account_email")}"' in own
    assert f'href="{reverse("account_change_password")}"' in own
    assert f'href="{reverse("account_change_password")}"' not in theirs
