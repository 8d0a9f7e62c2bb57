"""Editors' picks: moderators feature comments, everyone sees the badge and
the story's featured page (comment_feature, its views and the admin)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from articles.management.commands.ensure_editor import editors_group
from comments.exceptions import CommentError
from comments.models import Comment, ModerationAction
from comments.services import comment_create, comment_delete, comment_feature
from comments.services.moderation import comment_moderate
from tests.comments.test_admin import change_form_data
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Comment.Status
BADGE = '<strong class="comment__badge">Featured</strong>'


@pytest.fixture
def moderator(db):
    """Staff in the Editors group (not a superuser): a moderator."""
    user = UserFactory(username="desk", is_staff=True)
    user.groups.add(editors_group())
    return user


@pytest.fixture
def plain_staff(db):
    """Staff without any permission: not a moderator."""
    return UserFactory(username="intern", is_staff=True)


def client_for(user) -> Client:
    signed_in = Client()
    signed_in.force_login(user)
    return signed_in


def featured_at(comment):
    return Comment.objects.values_list("featured_at", flat=True).get(pk=comment.pk)


def feature_url(comment) -> str:
    return reverse("comments:feature", kwargs={"pk": comment.pk})


def featured_page(article) -> str:
    return reverse("comments:featured", kwargs={"article_id": article.pk})


# The service -------------------------------------------------------------------


def test_a_moderator_features_and_unfeatures_a_comment_and_both_are_logged(
    article, moderator, thread_changes
):
    comment = comment_create(article=article, author=UserFactory(), body="A sharp point")
    thread_changes.clear()

    assert comment_feature(comment=comment, moderator=moderator, featured=True) is True
    assert featured_at(comment) is not None
    assert comment_feature(comment=comment, moderator=moderator, featured=True) is False
    assert comment_feature(comment=comment, moderator=moderator, featured=False) is True
    assert featured_at(comment) is None

    log = list(
        ModerationAction.objects.order_by("pk").values_list(
            "comment_id", "moderator_id", "action", "from_status", "to_status"
        )
    )
    assert log == [
        (comment.pk, moderator.pk, "feature", Status.PUBLISHED, Status.PUBLISHED),
        (comment.pk, moderator.pk, "unfeature", Status.PUBLISHED, Status.PUBLISHED),
    ]
    # Each change made the story's cached pages stale; the no-op did not.
    assert thread_changes == [article.pk, article.pk]


@pytest.mark.parametrize("who", ["reader", "plain staff"])
def test_readers_and_staff_without_the_permission_cannot_feature(article, who, plain_staff):
    user = plain_staff if who == "plain staff" else UserFactory()
    comment = comment_create(article=article, author=UserFactory(), body="Good one")

    with pytest.raises(PermissionDenied):
        comment_feature(comment=comment, moderator=user, featured=True)

    assert featured_at(comment) is None
    assert not ModerationAction.objects.exists()


def test_only_published_comments_can_be_featured(article, moderator):
    author = UserFactory()
    held = comment_create(article=article, author=author, body="Held one")
    Comment.objects.filter(pk=held.pk).update(status=Status.PENDING)
    removed = comment_create(article=article, author=author, body="Removed one")
    comment_moderate(comments=[removed], moderator=moderator, action="remove")
    deleted = comment_create(article=article, author=author, body="Deleted one")
    comment_delete(comment=deleted, actor=author)

    for comment in (held, removed, deleted):
        with pytest.raises(CommentError, match="Only a published comment"):
            comment_feature(comment=comment, moderator=moderator, featured=True)
        assert featured_at(comment) is None
    assert not ModerationAction.objects.filter(action="feature").exists()


# The public site ---------------------------------------------------------------


@pytest.mark.parametrize("who", ["reader", "plain staff"])
def test_the_feature_button_is_refused_to_non_moderators(client, article, who, plain_staff):
    user = plain_staff if who == "plain staff" else UserFactory()
    comment = comment_create(article=article, author=UserFactory(), body="Good one")

    response = client_for(user).post(feature_url(comment), {"featured": "1"})

    assert response.status_code == 403
    assert featured_at(comment) is None
    # Nor do they see the button.
    page = client_for(user).get(article.get_absolute_url())
    assertNotContains(page, feature_url(comment))


def test_a_moderator_features_from_the_story_page_and_comes_back_to_the_comment(
    article, moderator
):
    comment = comment_create(article=article, author=UserFactory(), body="Good one")
    editor = client_for(moderator)
    page = editor.get(article.get_absolute_url())
    assertContains(page, f'action="{feature_url(comment)}"')
    assertContains(page, '<button type="submit">Feature</button>', html=True)

    response = editor.post(
        feature_url(comment),
        {"featured": "1"},
        HTTP_REFERER=f"http://testserver{article.get_absolute_url()}",
    )

    assert response.status_code == 302
    story = f"http://testserver{article.get_absolute_url()}"
    assert response["Location"] == f"{story}#comment-{comment.pk}"
    assert featured_at(comment) is not None
    page = editor.get(article.get_absolute_url())
    assertContains(page, BADGE, html=True)
    assertContains(page, '<button type="submit">Unfeature</button>', html=True)

    editor.post(feature_url(comment), {"featured": "0"})

    assert featured_at(comment) is None


def test_a_guests_cached_page_shows_the_badge_right_after_featuring(
    client, article, moderator, django_assert_num_queries
):
    comment = comment_create(article=article, author=UserFactory(), body="Worth reading")
    url = article.get_absolute_url()
    first = client.get(url)
    assertNotContains(first, BADGE, html=True)
    with django_assert_num_queries(0):
        client.get(url)  # served from the cache

    comment_feature(comment=comment, moderator=moderator, featured=True)

    page = client.get(url)
    assertContains(page, BADGE, html=True)
    featured_link = featured_page(article)
    assertContains(page, f'<a href="{featured_link}">1 featured comment</a>')


def test_a_signed_in_readers_shared_page_shows_the_badge_too(article, moderator):
    comment = comment_create(article=article, author=UserFactory(), body="Worth reading")
    reader = client_for(UserFactory())
    url = article.get_absolute_url()
    reader.get(url)
    client_for(UserFactory()).get(url)

    comment_feature(comment=comment, moderator=moderator, featured=True)

    page = reader.get(url)
    assertContains(page, BADGE, html=True)
    assertNotContains(page, feature_url(comment))


def test_removing_a_featured_comment_takes_it_out_of_the_picks_everywhere(
    client, article, moderator
):
    comment = comment_create(article=article, author=UserFactory(), body="Brief glory")
    comment_feature(comment=comment, moderator=moderator, featured=True)
    assertContains(client.get(featured_page(article)), "Brief glory")

    comment_moderate(comments=[comment], moderator=moderator, action="remove")

    story = client.get(article.get_absolute_url())
    assertNotContains(story, BADGE, html=True)
    assertNotContains(story, "featured comment")
    picks = client.get(featured_page(article))
    assertNotContains(picks, "Brief glory")
    assertContains(picks, "No featured comments yet.")


def test_the_featured_page_shows_each_pick_with_its_context_and_where_it_lives(
    client, article, moderator
):
    # question (alice)
    # └── answer (bob)      <- featured
    # standalone (carol)    <- featured
    alice, bob, carol = (UserFactory(username=name) for name in ("alice", "bob", "carol"))
    question = comment_create(
        article=article, author=alice, body="Why did the <em>harbour</em> close?"
    )
    answer = comment_create(
        article=article, author=bob, body="Storm damage to the pier.", parent=question
    )
    standalone = comment_create(article=article, author=carol, body="Lovely photos.")
    comment_feature(comment=answer, moderator=moderator, featured=True)
    comment_feature(comment=standalone, moderator=moderator, featured=True)

    response = client.get(featured_page(article))

    assert response.status_code == 200
    assertContains(response, f"Featured comments on “<a href=\"{article.get_absolute_url()}\">")
    assertContains(
        response,
        '<p>In reply to <span dir="auto">alice</span>: '
        '<span dir="auto">Why did the harbour close?</span></p>',
        html=True,
    )
    for pick in (answer, standalone):
        assertContains(
            response,
            f'<a href="{reverse("comments:go", kwargs={"pk": pick.pk})}">'
            "See it in the conversation</a>",
            html=True,
        )
    # Most recently featured first.
    text = response.content.decode()
    assert text.index("Lovely photos.") < text.index("Storm damage")
    # The parent itself is not a pick.
    assert text.count('class="comment__badge"') == 2


def test_a_pick_whose_parent_was_removed_says_so_without_its_text(client, article, moderator):
    question = comment_create(article=article, author=UserFactory(), body="Something rude")
    answer = comment_create(
        article=article, author=UserFactory(), body="A calm answer", parent=question
    )
    comment_feature(comment=answer, moderator=moderator, featured=True)
    comment_moderate(comments=[question], moderator=moderator, action="remove")

    response = client.get(featured_page(article))

    assertContains(response, "A calm answer")
    assertContains(response, "A comment that is no longer shown.")
    assertNotContains(response, "Something rude")


def test_the_featured_page_runs_the_same_queries_for_one_pick_or_many(
    client, moderator, django_assert_num_queries
):
    small, big = ArticleFactory(), ArticleFactory()
    for article, picks in ((small, 1), (big, 6)):
        for number in range(picks):
            parent = comment_create(
                article=article, author=UserFactory(), body=f"Question {number}"
            )
            reply = comment_create(
                article=article, author=UserFactory(), body=f"Answer {number}", parent=parent
            )
            comment_feature(comment=reply, moderator=moderator, featured=True)

    # The story, the count of picks, the page of picks with authors and parents.
    for article in (small, big):
        with django_assert_num_queries(3):
            response = client.get(featured_page(article))
        assert response.status_code == 200


def test_the_featured_page_of_a_story_readers_cannot_see_is_not_found(client, moderator):
    draft = ArticleFactory(status="draft")
    assert client.get(featured_page(draft)).status_code == 404


# The admin ---------------------------------------------------------------------


def test_moderators_feature_from_the_admin_list_and_the_comment_page(article, moderator):
    published = comment_create(article=article, author=UserFactory(), body="Pick me")
    other = comment_create(article=article, author=UserFactory(), body="And me")
    held = comment_create(article=article, author=UserFactory(), body="Not me")
    Comment.objects.filter(pk=held.pk).update(status=Status.PENDING)
    admin = client_for(moderator)
    changelist = reverse("admin:comments_comment_changelist")

    response = admin.post(
        f"{changelist}?status=all",
        {"action": "feature_selected", "_selected_action": [published.pk, held.pk]},
        follow=True,
    )

    assertContains(response, "Featured: 1 comment.")
    assertContains(response, "1 comment is not published, so cannot be featured.")
    assert featured_at(published) is not None and featured_at(held) is None

    change = reverse("admin:comments_comment_change", args=[other.pk])
    page = admin.get(change)
    assertContains(
        page, '<button type="submit" name="_feature" value="1">Feature</button>', html=True
    )
    response = admin.post(
        change, {**change_form_data(admin, other), "_feature": "1"}, follow=True
    )
    assert response.status_code == 200
    assert featured_at(other) is not None
    assertContains(
        admin.get(change),
        '<button type="submit" name="_feature" value="0">Unfeature</button>',
        html=True,
    )
    assert set(
        ModerationAction.objects.filter(action="feature").values_list("comment_id", flat=True)
    ) == {published.pk, other.pk}


def test_staff_without_the_permission_cannot_reach_the_admin_action(article, plain_staff):
    comment = comment_create(article=article, author=UserFactory(), body="Pick me")

    response = client_for(plain_staff).post(
        reverse("admin:comments_comment_changelist"),
        {"action": "feature_selected", "_selected_action": [comment.pk]},
    )

    assert response.status_code == 403
    assert featured_at(comment) is None
