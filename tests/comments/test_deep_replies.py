"""A reply deeper than the story page shows lands where it is shown: the
"Continue this thread" page, at the reply, with a confirmation."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from comments.models import Comment
from comments.services import comment_create
from comments.views import permalink
from tests.comments.threads import C, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(article, settings):
    """level 0 → level 1 → … → level 12, one comment a level."""
    settings.NEWSROOM_COMMENT_DISPLAY_DEPTH = 6
    node = C("level 12")
    for level in range(11, -1, -1):
        node = C(f"level {level}", [node])
    return build(article, [node])


@pytest.mark.parametrize(
    ("level", "shown_on"),
    [(0, None), (5, None), (6, "level 5"), (10, "level 5"), (11, "level 10"), (12, "level 10")],
)
def test_each_comment_links_to_the_page_that_shows_it(client, article, chain, level, shown_on):
    comment = chain[f"level {level}"]

    url = permalink(comment)

    if shown_on is None:
        assert url.startswith(article.get_absolute_url())
    else:
        assert url == f"/comments/{chain[shown_on].pk}/#comment-{comment.pk}"
    page = client.get(url.split("#")[0])
    assertContains(page, f'id="comment-{comment.pk}"')


def test_a_reply_on_a_continue_page_lands_on_that_page_with_a_confirmation(
    client, article, chain, user
):
    client.force_login(user)
    parent = chain["level 7"]

    response = client.post(
        reverse("comments:post", kwargs={"article_id": article.pk}),
        {"body": "A reply far down", "parent": parent.pk},
    )

    reply = Comment.objects.get(body="A reply far down")
    target = f"/comments/{chain['level 5'].pk}/#comment-{reply.pk}"
    assertRedirects(response, target, fetch_redirect_response=False)
    page = client.get(target.split("#")[0])
    assertContains(page, f'id="comment-{reply.pk}"')
    assertContains(page, "A reply far down")
    assertContains(page, "Your reply is posted.")


def test_see_this_comment_in_the_full_conversation_goes_where_it_is_shown(client, chain):
    deep = chain["level 9"]

    response = client.get(reverse("comments:go", kwargs={"pk": deep.pk}))

    assertRedirects(
        response,
        f"/comments/{chain['level 5'].pk}/#comment-{deep.pk}",
        fetch_redirect_response=False,
    )


def test_a_threads_reply_count_counts_replies_deeper_than_shown(client, article, settings):
    # one thread: a root, five replies in a chain (levels 1-5), and five more
    # below the display depth (levels 6-10), one held for moderation.
    settings.NEWSROOM_COMMENT_DISPLAY_DEPTH = 6
    node = C("level 10", status=Comment.Status.PENDING)
    for level in range(9, -1, -1):
        node = C(f"level {level}", [node])
    rows = build(article, [node])

    story = client.get(article.get_absolute_url())
    assertContains(story, "<summary>9 replies</summary>", html=True)

    continued = client.get(reverse("comments:detail", kwargs={"pk": rows["level 5"].pk}))
    assertContains(continued, "<summary>4 replies</summary>", html=True)
    assert "level 10" not in continued.content.decode()


def test_a_deep_comment_read_before_its_thread_grew_still_links_to_its_page(
    article, settings, user
):
    settings.NEWSROOM_COMMENT_DISPLAY_DEPTH = 6
    node = C("level 12")
    for level in range(11, 3, -1):
        node = C(f"level {level}", [node])
    node = C("level 3", [C("aside"), node])
    for level in range(2, -1, -1):
        node = C(f"level {level}", [node])
    rows = build(article, [node])
    deep = Comment.objects.get(pk=rows["level 12"].pk)  # read before the reply below
    # A reply to an earlier comment renumbers the rest of the thread, as
    # another reader's post can between this request's reads.
    comment_create(article=article, author=user, parent=rows["aside"], body="Meanwhile")

    assert permalink(deep) == f"/comments/{rows['level 10'].pk}/#comment-{deep.pk}"
