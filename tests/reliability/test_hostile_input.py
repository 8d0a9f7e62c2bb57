"""Hostile and malformed input on every form and URL parameter.

Each request gets a clear 4xx or a friendly page, never a 5xx, and a refused
write leaves every table as it was.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from comments.integrity import all_problems
from comments.models import Comment, CommentVersion, Flag, Like
from tests.comments.threads import C, build
from tests.factories import ArticleFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

ONE_MEGABYTE = "x" * 1_000_000
HUGE = "9" * 30
# A WSGI server hands the raw query bytes over as latin-1 text.
INVALID_UTF8 = "\xff\xfe\xc3\x28"


@pytest.fixture
def hostile_client():
    """A client that gets the error page a reader would, instead of the exception."""
    return Client(raise_request_exception=False)


@pytest.fixture
def thread(article):
    rows = build(
        article,
        [C("root", [C("child")]), C("removed one", status=Comment.Status.REMOVED)],
    )
    rows["elsewhere"] = build(ArticleFactory(), [C("elsewhere")])["elsewhere"]
    return rows


def _counts() -> tuple[int, ...]:
    return (
        Comment.objects.count(),
        Like.objects.count(),
        Flag.objects.count(),
        CommentVersion.objects.count(),
    )


def _assert_no_server_error(response, what: str) -> None:
    assert response.status_code < 500, f"{what} gave {response.status_code}"


# URL parameters --------------------------------------------------------------

STORY_QUERIES = [
    "cpage=-5",
    "cpage=0",
    f"cpage={HUGE}",
    "cpage=abc",
    "cpage=%00",
    "cpage=1e9",
    "sort=%00",
    "sort=../../etc/passwd",
    "sort=liked&sort=newest",
    "cpage=2&sort=" + "z" * 5000,
]


@pytest.mark.parametrize("query", STORY_QUERIES)
def test_story_page_with_any_thread_page_or_sort_shows_the_story(
    hostile_client, article, thread, query
):
    response = hostile_client.get(f"{article.get_absolute_url()}?{query}")

    assert response.status_code == 200
    assert article.title in response.content.decode()


@pytest.mark.parametrize(
    "path",
    ["/", "/search/", "/archive/"],
)
@pytest.mark.parametrize(
    "query",
    ["page=-1", "page=0", "page=abc", f"page={HUGE}", "page=%00", "q=%00", "q=%00&page=2"],
)
def test_list_pages_answer_a_bad_page_number_with_not_found_never_an_error(
    hostile_client, article, path, query
):
    response = hostile_client.get(f"{path}?{query}")

    _assert_no_server_error(response, f"{path}?{query}")
    if "page=" in query and "page=2" not in query:
        assert response.status_code in (200, 404)


@pytest.mark.parametrize("path", ["/", "/search/", "STORY", "/archive/", "/feeds/rss/"])
@pytest.mark.parametrize(
    "query", [f"q={INVALID_UTF8}", f"cpage={INVALID_UTF8}", "%ff%fe=1", "q=%ff%fe"]
)
def test_invalid_utf8_in_the_query_string_is_tolerated(hostile_client, article, path, query):
    path = article.get_absolute_url() if path == "STORY" else path

    response = hostile_client.get(path, QUERY_STRING=query)

    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/people/%00/",
        "/people/a%00b/",
        "/people/%FF%FE/",
        "/tags/%00/",
        "/sources/%00/",
        "/2021/13/40/",
        "/0000/00/00/",
        "/9999/99/99/no-such-story/",
        f"/comments/{HUGE}/",
        f"/comments/{HUGE}/go/",
        "/comments/9223372036854775808/history/",
        "/comments/0/reply/",
        "/comments/unsubscribe/%00/",
        "/comments/unsubscribe/forged:token/",
        "/sitemap-articles.xml?p=-1",
        f"/sitemap-articles.xml?p={HUGE}",
        "/sitemap-nope.xml",
        "/accounts/confirm-email/%00/",
        "/accounts/password/reset/key/%00-%00/",
    ],
)
def test_unknown_or_malformed_ids_and_slugs_are_a_clear_4xx(hostile_client, path):
    response = hostile_client.get(path)

    assert 400 <= response.status_code < 500


@pytest.mark.parametrize(
    "next_url", ["%00", "javascript:alert(1)", "//evil.example/", "http://evil.example/"]
)
def test_log_in_with_a_hostile_next_url_never_sends_the_reader_off_site(hostile_client, next_url):
    from tests.accounts.factories import PASSWORD, verified_user

    reader = verified_user(username="careful")
    page = hostile_client.get(f"{reverse('account_login')}?next={next_url}")
    assert page.status_code == 200

    response = hostile_client.post(
        f"{reverse('account_login')}?next={next_url}",
        {"login": reader.username, "password": PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/")
    assert not response["Location"].startswith("//")


# The comment form ------------------------------------------------------------


def _post(client, article, data):
    return client.post(reverse("comments:post", kwargs={"article_id": article.pk}), data)


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"body": "a\x00b"}, 400),
        ({"body": ONE_MEGABYTE}, 400),
        ({"body": "   \n\t  "}, 400),
        ({"body": "Reply", "parent": HUGE}, 404),
        ({"body": "Reply", "parent": "-1"}, 404),
        ({"body": "Reply", "parent": "abc"}, 404),
        ({"body": "Reply", "parent": "1\x00"}, 404),
        ({"body": "Reply", "parent": "ELSEWHERE"}, 404),
        ({"body": "Reply", "parent": "REMOVED"}, 400),
        ({"body": "Sorted", "sort": "bogus"}, 400),
        ({"body": "Filled", "website": "\x00"}, 400),
    ],
)
def test_malformed_comments_are_refused_and_nothing_is_written(
    hostile_client, article, thread, user, data, status
):
    hostile_client.force_login(user)
    data = dict(data)
    if data.get("parent") in ("ELSEWHERE", "REMOVED"):
        data["parent"] = thread["elsewhere" if data["parent"] == "ELSEWHERE" else "removed one"].pk
    before = _counts()

    response = _post(hostile_client, article, data)

    assert response.status_code == status
    assert _counts() == before
    assert all_problems() == []


def test_a_refused_reply_to_a_removed_comment_says_why_and_keeps_the_text(
    client, article, thread, user
):
    client.force_login(user)

    response = _post(
        client, article, {"body": "My careful reply.", "parent": thread["removed one"].pk}
    )

    page = response.content.decode()
    assert "can no longer be replied to" in page
    assert "My careful reply.</textarea>" in page


def test_a_one_megabyte_comment_is_refused_with_the_limit_stated(client, article, user):
    client.force_login(user)

    response = _post(client, article, {"body": ONE_MEGABYTE})

    assert response.status_code == 400
    assert "5000 characters" in response.content.decode().replace(",", "")


def test_a_comment_on_an_unknown_story_is_not_found(hostile_client, user):
    hostile_client.force_login(user)
    response = hostile_client.post(f"/comments/story/{HUGE}/post/", {"body": "Hello"})
    assert response.status_code == 404
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"\xff\xfe" * 10, "application/x-www-form-urlencoded"),
        (b"body=%00", "application/x-www-form-urlencoded"),
        (b"x", "multipart/form-data; boundary=zzz"),
        (b"--zzz\r\n", "multipart/form-data; boundary=zzz"),
        (
            b"--zzz\r\nContent-Disposition: form-data\r\n\r\nbody\r\n--zzz--",
            "multipart/form-data; boundary=zzz",
        ),
        (b'{"body": "json"}', "application/json"),
    ],
)
def test_raw_malformed_bodies_are_a_4xx(hostile_client, article, user, body, content_type):
    hostile_client.force_login(user)

    response = hostile_client.post(
        reverse("comments:post", kwargs={"article_id": article.pk}),
        data=body,
        content_type=content_type,
    )

    assert 400 <= response.status_code < 500
    assert not Comment.objects.exists()


# The other actions -----------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("flag", {"reason": "\x00"}),
        ("flag", {"reason": "not-a-reason"}),
        ("flag", {"reason": "spam", "note": "\x00"}),
        ("flag", {"reason": "spam", "note": ONE_MEGABYTE}),
        ("edit", {"body": "\x00"}),
        ("edit", {"body": ONE_MEGABYTE}),
        ("edit", {"body": ""}),
    ],
)
def test_malformed_reports_and_edits_are_refused_and_nothing_changes(
    hostile_client, article, action, data
):
    author, reporter = UserFactory(), UserFactory()
    from django.utils import timezone

    comment = build(article, [C("original", author=author, created_at=timezone.now())])["original"]
    hostile_client.force_login(reporter if action == "flag" else author)
    before = _counts()

    response = hostile_client.post(reverse(f"comments:{action}", kwargs={"pk": comment.pk}), data)

    assert response.status_code == 400
    assert _counts() == before
    comment.refresh_from_db()
    assert comment.body == "original"


@pytest.mark.parametrize("action", ["like", "flag", "edit", "delete", "detail", "history", "go"])
def test_actions_on_an_unknown_comment_are_not_found(hostile_client, user, action):
    hostile_client.force_login(user)
    url = reverse(f"comments:{action}", kwargs={"pk": 2**62})

    response = (
        hostile_client.post(url, {"reason": "spam"})
        if action in ("like", "flag", "delete")
        else hostile_client.get(url)
    )

    assert response.status_code == 404


def test_a_double_like_counts_once_and_a_third_takes_it_back(client, article, thread, user):
    client.force_login(user)
    url = reverse("comments:like", kwargs={"pk": thread["root"].pk})

    client.post(url, HTTP_ACCEPT="application/json")
    client.post(url, HTTP_ACCEPT="application/json")
    third = client.post(url, HTTP_ACCEPT="application/json")

    assert third.json()["liked"] is True
    assert Like.objects.count() == 1
    assert all_problems() == []


def test_a_second_report_of_the_same_comment_is_refused_politely(client, article, thread, user):
    client.force_login(user)
    url = reverse("comments:flag", kwargs={"pk": thread["root"].pk})

    client.post(url, {"reason": "spam"})
    second = client.post(url, {"reason": "spam"})

    assert second.status_code == 400
    assert "already reported" in second.content.decode()
    assert Flag.objects.count() == 1


# The moderation queue --------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["q=%00", "article=%00", "article=abc", f"article={HUGE}", "flagged=%00", "p=%00", "o=%00"],
)
def test_the_moderation_queue_survives_hostile_filters(hostile_client, thread, query):
    hostile_client.force_login(StaffFactory())

    response = hostile_client.get(f"/admin/comments/comment/?{query}")

    _assert_no_server_error(response, query)


def test_the_moderation_queue_survives_a_nul_status_filter(hostile_client, thread):
    hostile_client.force_login(StaffFactory())

    response = hostile_client.get("/admin/comments/comment/?status=%00")

    _assert_no_server_error(response, "status=%00")
