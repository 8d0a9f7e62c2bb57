"""What a reader sees and does in the comment section, through real requests."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from comments.models import Comment, CommentVersion
from tests.comments.threads import C, build
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(article):
    return article.get_absolute_url()


def test_nested_replies_render_in_order_as_nested_lists(client, article, story):
    rows = build(article, [C("first", [C("reply one", [C("deep")]), C("reply two")]), C("second")])

    response = client.get(story)

    html = response.content.decode()
    positions = [html.index(f"<p>{key}</p>") for key in ["first", "reply one", "deep", "reply two", "second"]]
    assert positions == sorted(positions)
    first = rows["first"].pk
    assertContains(response, f'<details class="comment-replies" open data-thread="{first}">', count=1)
    assertContains(response, '<summary>3 replies</summary>', html=True)
    assertContains(response, f'id="comment-{rows["deep"].pk}"')
    assertContains(response, "Comments <span class=\"comments__count\">(5 comments)</span>")
    assertContains(response, f'<a class="comment__reply" href="/comments/{first}/reply/" data-reply-to="{first}">Reply</a>', html=True)


def test_like_labels(client, article, story):
    build(article, [C("four", likes=4), C("one", likes=1), C("none")])

    response = client.get(story)

    assertContains(response, "Liked by 4 people")
    assertContains(response, "Liked by 1 person")
    assertContains(response, "Liked by", count=2)


def test_deleted_removed_and_pending_placeholders(client, article, story, staff):
    author = UserFactory()
    build(
        article,
        [
            C("said something", [C("reply survives")], deleted=True),
            C("rude", [C("answer to rude")], status=Comment.Status.REMOVED),
            C("held back", author=author, status=Comment.Status.PENDING),
        ],
    )

    guest = client.get(story)
    assertContains(guest, "[deleted]")
    assertNotContains(guest, "said something")
    assertContains(guest, "reply survives")
    assertContains(guest, "This comment was removed.")
    assertNotContains(guest, "<p>rude</p>")
    assertNotContains(guest, "held back")

    client.force_login(author)
    mine = client.get(story)
    assertContains(mine, "held back")
    assertContains(mine, "Awaiting moderation")
    assertNotContains(mine, "<p>rude</p>")

    client.force_login(staff)
    assertContains(client.get(story), "held back")


def test_sort_links_and_sorted_thread(client, article, story):
    build(article, [C("older"), C("newer")])

    response = client.get(story, {"sort": "newest"})

    html = response.content.decode()
    assert html.index("<p>newer</p>") < html.index("<p>older</p>")
    assertContains(response, '<a href="?sort=newest#comments" aria-current="true">Newest</a>', html=True)
    assertContains(response, '<a href="?sort=liked#comments">Most liked</a>', html=True)


def test_threads_are_paged(client, article, story, settings):
    settings.NEWSROOM_COMMENT_THREADS_PER_PAGE = 1
    build(article, [C("page one"), C("page two")])

    first = client.get(story)
    second = client.get(story, {"cpage": 2, "sort": "oldest"})

    assertNotContains(first, "page two")
    assertContains(first, '<a rel="next" href="?cpage=2&amp;sort=oldest#comments">More threads →</a>', html=True)
    assertContains(second, "page two")
    assertNotContains(second, "page one")


def test_permalink_to_comment_on_page_two_lands_on_page_two(client, article, settings):
    settings.NEWSROOM_COMMENT_THREADS_PER_PAGE = 1
    rows = build(article, [C("a"), C("b", [C("b reply")])])

    response = client.get(reverse("comments:go", kwargs={"pk": rows["b reply"].pk}))

    target = f"{article.get_absolute_url()}?cpage=2&sort=oldest#comment-{rows['b reply'].pk}"
    assertRedirects(response, target, fetch_redirect_response=False)
    assertContains(client.get(target.split("#")[0]), "b reply")


def test_continue_this_thread_and_subtree_page(client, article, settings):
    settings.NEWSROOM_COMMENT_DISPLAY_DEPTH = 6
    chain = C("level 7")
    for level in range(6, -1, -1):
        chain = C(f"level {level}", [chain])
    rows = build(article, [chain])

    story = client.get(article.get_absolute_url())
    cut = rows["level 5"].pk
    assertContains(story, f'<a href="/comments/{cut}/">Continue this thread</a>', html=True)
    assertNotContains(story, "level 6")

    subtree = client.get(reverse("comments:detail", kwargs={"pk": cut}))
    assertContains(subtree, "level 6")
    assertContains(subtree, "level 7")
    assertContains(subtree, "Earlier in this thread")
    for ancestor in ("level 0", "level 4"):
        assertContains(subtree, ancestor)


def test_closed_story_shows_comments_without_form(client, user):
    closed = ArticleFactory(comments_open=False)
    build(closed, [C("still readable")])
    client.force_login(user)

    response = client.get(closed.get_absolute_url())

    assertContains(response, "still readable")
    assertContains(response, "Comments are closed.")
    assertNotContains(response, 'id="comment-form"')


def test_story_closed_after_days_says_when(client):
    old = ArticleFactory(
        published_at=timezone.now() - timedelta(days=40), comments_close_after_days=30
    )

    response = client.get(old.get_absolute_url())

    close = timezone.localtime(old.comments_close_at)
    assertContains(response, f"Comments closed on {close.day} {close:%B %Y}.")


def test_guest_sees_login_to_reply_link(client, article, story):
    response = client.get(story)

    assertContains(
        response,
        f'<a href="/accounts/login/?next={story.replace("/", "%2F")}%23comment-form">Log in to reply</a>',
        html=True,
    )
    assertNotContains(response, 'id="comment-form"')


def test_posting_a_comment_redirects_to_it(client, article, story, user, django_capture_on_commit_callbacks):
    client.force_login(user)
    client.get(story)  # warm the thread cache: the post must invalidate it

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("comments:post", kwargs={"article_id": article.pk}), {"body": "Hello there"}
        )

    comment = Comment.objects.get()
    assertRedirects(
        response, f"{story}?cpage=1&sort=oldest#comment-{comment.pk}", fetch_redirect_response=False
    )
    assertContains(client.get(story), "Hello there")


def test_reply_through_the_no_js_page(client, article, user, django_capture_on_commit_callbacks):
    rows = build(article, [C("parent")])
    client.force_login(user)

    page = client.get(reverse("comments:reply", kwargs={"pk": rows["parent"].pk}))
    assertContains(page, f'<input type="hidden" name="parent" value="{rows["parent"].pk}" id="id_parent">', html=True)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("comments:post", kwargs={"article_id": article.pk}),
            {"body": "a reply", "parent": rows["parent"].pk},
        )

    reply = Comment.objects.get(body="a reply")
    assert reply.parent_id == rows["parent"].pk


def test_refused_comment_returns_form_with_text_and_message(client, user):
    closed = ArticleFactory(comments_open=False)
    client.force_login(user)

    response = client.post(
        reverse("comments:post", kwargs={"article_id": closed.pk}), {"body": "My careful words"}
    )

    assert response.status_code == 400
    assertContains(response, "Comments on this story are closed.", status_code=400)
    assertContains(response, "My careful words", status_code=400)
    assert not Comment.objects.exists()


def test_empty_comment_is_refused_with_a_message(client, article, user):
    client.force_login(user)

    response = client.post(reverse("comments:post", kwargs={"article_id": article.pk}), {"body": "  "})

    assertContains(response, "Write something before posting.", status_code=400)


def test_guest_draft_survives_log_in_and_is_cleared_once_posted(
    client, article, story, django_capture_on_commit_callbacks
):
    reader = UserFactory(username="drafter")
    EmailAddress.objects.create(user=reader, email=reader.email, verified=True, primary=True)
    post_url = reverse("comments:post", kwargs={"article_id": article.pk})

    response = client.post(post_url, {"body": "Typed before logging in"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]
    assert not Comment.objects.exists()

    # Log in the way a reader does; the session (and draft) carries over.
    client.post(
        reverse("account_login"),
        {"login": "drafter", "password": "correct horse battery staple"},
    )
    assertContains(client.get(story), "Typed before logging in")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(post_url, {"body": "Typed before logging in"})
    assertNotContains(client.get(story), "Typed before logging in</textarea>")


def test_edit_page_saves_and_history_shows_previous_text(client, article, story, user):
    client.force_login(user)
    client.post(reverse("comments:post", kwargs={"article_id": article.pk}), {"body": "Frist"})
    comment = Comment.objects.get()

    form = client.get(reverse("comments:edit", kwargs={"pk": comment.pk}))
    assertContains(form, "Frist</textarea>")
    client.post(reverse("comments:edit", kwargs={"pk": comment.pk}), {"body": "First"})

    comment.refresh_from_db()
    assert comment.body == "First"
    assert CommentVersion.objects.filter(comment=comment, body="Frist").exists()
    history = client.get(reverse("comments:history", kwargs={"pk": comment.pk}))
    assertContains(history, "<p>Frist</p>", html=True)
    assertContains(history, "<p>First</p>", html=True)
    assertContains(client.get(story), f'<a class="comment__edited" href="/comments/{comment.pk}/history/">edited</a>', html=True)


def test_edit_after_window_is_refused(client, article, user):
    rows = build(
        article, [C("too late", author=user, created_at=timezone.now() - timedelta(hours=1))]
    )
    client.force_login(user)

    response = client.post(reverse("comments:edit", kwargs={"pk": rows["too late"].pk}), {"body": "x"})

    assert response.status_code == 403
    rows["too late"].refresh_from_db()
    assert rows["too late"].body == "too late"


def test_delete_confirm_then_deleted_with_replies_kept(client, article, story, user, django_capture_on_commit_callbacks):
    rows = build(article, [C("mine", [C("their reply")], author=user, created_at=timezone.now())])
    client.force_login(user)

    confirm = client.get(reverse("comments:delete", kwargs={"pk": rows["mine"].pk}))
    assertContains(confirm, "Delete this comment?")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("comments:delete", kwargs={"pk": rows["mine"].pk}))

    page = client.get(story)
    assertContains(page, "[deleted]")
    assertContains(page, "their reply")
    assertNotContains(page, "<p>mine</p>")


def test_like_json_endpoint(client, article, user):
    rows = build(article, [C("likeable", likes=3)])
    client.force_login(user)
    url = reverse("comments:like", kwargs={"pk": rows["likeable"].pk})

    liked = client.post(url, HTTP_ACCEPT="application/json")
    unliked = client.post(url, HTTP_ACCEPT="application/json")

    assert liked.json() == {"liked": True, "like_count": 4, "label": "Liked by 4 people"}
    assert unliked.json() == {"liked": False, "like_count": 3, "label": "Liked by 3 people"}


def test_like_without_js_redirects_back_and_shows_pressed(client, article, story, user, django_capture_on_commit_callbacks):
    rows = build(article, [C("likeable")])
    client.force_login(user)
    url = reverse("comments:like", kwargs={"pk": rows["likeable"].pk})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    assert response.status_code == 302
    page = client.get(story)
    assertContains(page, "Liked by 1 person")
    pk = rows["likeable"].pk
    button = (
        '<button type="submit" form="comment-likes" formaction="/comments/{pk}/like/" '
        'class="like-button" data-like="{pk}" aria-pressed="{pressed}">Like</button>'
    )
    assertContains(page, button.format(pk=pk, pressed="true"), html=True)
    # Another reader shares the cached thread but not my pressed button.
    client.force_login(UserFactory())
    other = client.get(story)
    assertContains(other, button.format(pk=pk, pressed="false"), html=True)


def test_flag_once_with_confirmation(client, article, story, user):
    rows = build(article, [C("dubious")])
    client.force_login(user)
    url = reverse("comments:flag", kwargs={"pk": rows["dubious"].pk})

    form = client.get(url)
    assertContains(form, '<option value="spam">Spam</option>', html=True)
    first = client.post(url, {"reason": "spam"}, follow=True)
    second = client.post(url, {"reason": "abuse"})

    assertContains(first, "Thank you for your report")
    assert second.status_code == 400
    assert rows["dubious"].flags.count() == 1


def test_cache_outage_degrades_to_uncached_rendering(client, article, story):
    build(article, [C("served anyway")])

    with mock.patch.object(cache, "get", side_effect=ConnectionError("cache down")), mock.patch.object(
        cache, "set", side_effect=ConnectionError("cache down")
    ), mock.patch.object(cache, "add", side_effect=ConnectionError("cache down")):
        response = client.get(story)

    assertContains(response, "served anyway")


def test_write_invalidates_cached_thread_for_everyone(client, article, story, django_capture_on_commit_callbacks):
    client.get(story)
    author = UserFactory()
    client.force_login(author)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("comments:post", kwargs={"article_id": article.pk}), {"body": "Fresh news"})
    client.logout()

    assertContains(client.get(story), "Fresh news")


def test_a_comments_time_links_to_its_stable_address_whatever_page_it_was_seen_on(
    client, article, settings
):
    settings.NEWSROOM_COMMENT_THREADS_PER_PAGE = 1
    rows = build(article, [C("a"), C("b"), C("c", [C("c reply")])])
    reply = rows["c reply"]

    page_three = client.get(article.get_absolute_url(), {"cpage": 3})
    assertContains(page_three, f'<a class="comment__permalink" href="/comments/{reply.pk}/go/">')

    followed = client.get(f"/comments/{reply.pk}/go/")
    assertRedirects(
        followed,
        f"{article.get_absolute_url()}?cpage=3&sort=oldest#comment-{reply.pk}",
        fetch_redirect_response=False,
    )


def test_a_commenters_name_links_to_their_page_and_an_imported_name_to_nothing(
    client, article
):
    ada = UserFactory(username="ada")
    build(article, [C("Ada's point", author=ada), C("From the original page", author_name="Bob")])

    page = client.get(article.get_absolute_url())

    assertContains(page, 'href="/people/ada/"')
    assertNotContains(page, 'href="/people/Bob/"')
    assertContains(client.get("/people/ada/"), "Ada&#x27;s point")


def test_thread_pages_are_linked_by_number_with_the_first_and_the_last(
    client, article, settings
):
    settings.NEWSROOM_COMMENT_THREADS_PER_PAGE = 1
    build(article, [C(f"thread {n}") for n in range(12)])

    page = client.get(article.get_absolute_url(), {"cpage": 6}).content.decode()
    nav = page[page.index('aria-label="Comment pages"') :]
    nav = nav[: nav.index("</nav>")]

    linked = re.findall(r"cpage=(\d+)&amp;sort=oldest#comments\">", nav)
    assert linked == ["5", "1", "4", "5", "7", "8", "12", "7"]  # prev, numbers, next
    assert nav.count("…") == 2
    assert "Last page, </span>12</a>" in nav
    assert 'aria-current="page"><span class="visually-hidden">Page </span>6' in nav
