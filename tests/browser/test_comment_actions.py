"""What a reader does to a comment: like, edit, delete, report."""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment, CommentVersion, Flag, Like
from comments.services import comment_create
from tests.browser.helpers import no_navigation
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.browser


def test_like_and_unlike_update_the_count_without_a_reload(signed_in, demo_story):
    reader = UserFactory()
    comment = Comment.objects.get(article=demo_story, level=0)
    page = signed_in(reader)
    page.goto(demo_story.get_absolute_url())
    card = page.locator(f"#comment-{comment.pk}")
    like = card.get_by_role("button", name="Like")
    expect(like).to_have_attribute("aria-pressed", "false")

    with no_navigation(page):
        like.click()
        expect(card.locator(".comment__likes")).to_have_text("Liked by 5 people")
        expect(like).to_have_attribute("aria-pressed", "true")
    assert Like.objects.filter(user=reader, comment=comment).exists()
    assert Comment.objects.get(pk=comment.pk).like_count == 5

    with no_navigation(page):
        like.click()
        expect(card.locator(".comment__likes")).to_have_text("Liked by 4 people")
        expect(like).to_have_attribute("aria-pressed", "false")
    assert not Like.objects.filter(user=reader, comment=comment).exists()
    assert Comment.objects.get(pk=comment.pk).like_count == 4

    # The state survives a reload: it was stored, not just drawn.
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(card.locator(".comment__likes")).to_have_text("Liked by 5 people")
    expect(card.get_by_role("button", name="Like")).to_have_attribute("aria-pressed", "true")


def test_without_javascript_like_is_a_form_post_that_comes_back_to_the_comment(
    signed_in, demo_story
):
    reader = UserFactory()
    comment = Comment.objects.get(article=demo_story, level=1)
    page = signed_in(reader, javascript=False)
    page.goto(demo_story.get_absolute_url())

    page.locator(f"#comment-{comment.pk}").get_by_role("button", name="Like").click()

    expect(page).to_have_url(re.compile(rf"#comment-{comment.pk}$"))
    expect(page.locator(f"#comment-{comment.pk} .comment__likes")).to_have_text("Liked by 4 people")
    assert Like.objects.filter(user=reader, comment=comment).exists()


def test_a_guest_who_clicks_like_is_asked_to_log_in(page, demo_story):
    comment = Comment.objects.get(article=demo_story, level=0)
    page.goto(demo_story.get_absolute_url())

    page.locator(f"#comment-{comment.pk}").get_by_role("link", name="Like").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    assert not Like.objects.exists()
    assert Comment.objects.get(pk=comment.pk).like_count == 4


def test_the_author_edits_within_the_window_and_readers_see_the_history(signed_in):
    article = ArticleFactory()
    author = UserFactory(username="ada")
    comment = comment_create(article=article, author=author, body="The vote is on Tuesday.")
    page = signed_in(author)
    page.goto(article.get_absolute_url())

    page.locator(f"#comment-{comment.pk}").get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit your comment")
    box = page.locator("textarea")
    expect(box).to_have_value("The vote is on Tuesday.")
    box.fill("The vote is on Wednesday.")
    page.get_by_role("button", name="Save changes").click()

    card = page.locator(f"#comment-{comment.pk}")
    expect(card.locator(".comment__body")).to_have_text("The vote is on Wednesday.")
    expect(page.get_by_role("status")).to_contain_text("Your changes are saved.")
    comment.refresh_from_db()
    assert comment.body == "The vote is on Wednesday."
    assert comment.edited_at is not None
    assert list(CommentVersion.objects.values_list("body", flat=True)) == [
        "The vote is on Tuesday."
    ]

    card.get_by_role("link", name="edited").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit history of a comment by ada")
    expect(page.locator("main")).to_contain_text("The vote is on Wednesday.")
    expect(page.locator(".comment-versions")).to_contain_text("The vote is on Tuesday.")


def test_no_edit_link_once_the_window_has_passed(signed_in, settings):
    settings.NEWSROOM_COMMENT_EDIT_WINDOW_MINUTES = 0
    article = ArticleFactory()
    author = UserFactory()
    comment = comment_create(article=article, author=author, body="Too late to change.")
    page = signed_in(author)
    page.goto(article.get_absolute_url())

    card = page.locator(f"#comment-{comment.pk}")
    expect(card.locator(".comment__body")).to_have_text("Too late to change.")
    expect(card.get_by_role("link", name="Edit")).to_have_count(0)


def test_the_author_deletes_a_comment_and_the_replies_stay_under_deleted(signed_in):
    article = ArticleFactory()
    author, replier = UserFactory(username="ada"), UserFactory(username="grace")
    comment = comment_create(article=article, author=author, body="Something I regret.")
    reply = comment_create(
        article=article, author=replier, body="A reply worth keeping.", parent=comment
    )
    page = signed_in(author)
    page.goto(article.get_absolute_url())

    page.locator(f"#comment-{comment.pk}").get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete this comment?")
    page.get_by_role("button", name="Delete comment").click()

    card = page.locator(f"#comment-{comment.pk}")
    expect(card).to_contain_text("[deleted]")
    expect(card).not_to_contain_text("Something I regret.")
    expect(card).not_to_contain_text("ada")
    kept = page.locator(f"li:has(> #comment-{comment.pk}) #comment-{reply.pk}")
    expect(kept).to_contain_text("A reply worth keeping.")
    comment.refresh_from_db()
    assert comment.deleted_at is not None
    assert comment.body == ""
    assert Comment.objects.get(pk=reply.pk).parent_id == comment.pk


def test_a_reader_reports_a_comment(signed_in):
    article = ArticleFactory()
    comment = comment_create(article=article, author=UserFactory(), body="Buy cheap watches now.")
    reporter = UserFactory()
    page = signed_in(reporter)
    page.goto(article.get_absolute_url())

    page.locator(f"#comment-{comment.pk}").get_by_role("link", name="Report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a comment")
    expect(page.locator("main")).to_contain_text("Buy cheap watches now.")
    page.get_by_label("Why are you reporting this comment?").select_option(label="Spam")
    page.get_by_label("Anything the moderators should know").fill("Posted on every story today.")
    page.get_by_role("button", name="Send report").click()

    expect(page).to_have_url(re.compile(re.escape(article.get_absolute_url())))
    expect(page.get_by_role("status")).to_contain_text("Thank you for your report.")
    flag = Flag.objects.get()
    assert (flag.user, flag.comment_id, flag.reason) == (reporter, comment.pk, Flag.Reason.SPAM)
    assert flag.note == "Posted on every story today."


@pytest.mark.parametrize("javascript", [True, False])
def test_an_edit_saved_after_the_window_closed_keeps_the_text_and_says_why(
    signed_in, demo_story, javascript
):
    from datetime import timedelta

    from django.utils import timezone

    from tests.browser.axe import assert_accessible

    reader = UserFactory(username="ada")
    comment = comment_create(article=demo_story, author=reader, body="Frist!")
    page = signed_in(reader, javascript=javascript)
    page.goto(f"/comments/{comment.pk}/edit/")
    expect(page.locator("main")).to_contain_text("You can edit it until")
    page.get_by_label(re.compile("comment", re.I)).fill("First, and a considered thought.")
    # The reader took too long: the edit window closed while they typed.
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(minutes=40)
    )
    page.get_by_role("button", name=re.compile("Save")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your changes were not saved")
    expect(page.get_by_role("alert")).to_contain_text("the time to edit this one ended at")
    expect(page.get_by_label("Your text")).to_have_value("First, and a considered thought.")
    if javascript:
        assert_accessible(page)
    page.get_by_role("button", name="Post it as a reply").click()

    reply = Comment.objects.get(body="First, and a considered thought.")
    assert reply.parent_id == comment.pk
    expect(page.locator(f"#comment-{reply.pk}")).to_contain_text("a considered thought")


def test_after_posting_back_shows_an_empty_box_and_nothing_is_sent_twice(
    signed_in, demo_story
):
    reader = UserFactory(username="grace")
    page = signed_in(reader)
    page.goto(demo_story.get_absolute_url())
    page.get_by_label("Your comment").fill("Posted once, and only once.")
    page.get_by_role("button", name="Post comment").click()
    posted = Comment.objects.get(author=reader)
    expect(page.locator(f"#comment-{posted.pk}")).to_be_in_viewport()
    expect(page.get_by_role("status")).to_contain_text("Your comment is posted.")

    page.go_back()

    expect(page.get_by_label("Your comment")).to_have_value("")
    assert Comment.objects.filter(author=reader).count() == 1


def test_text_from_a_post_that_failed_is_still_there_after_back(signed_in, demo_story, settings):
    settings.NEWSROOM_COMMENT_MAX_LENGTH = 20
    page = signed_in(UserFactory())
    page.goto(demo_story.get_absolute_url())
    box = page.get_by_label("Your comment")
    box.evaluate("el => el.removeAttribute('maxlength')")
    box.fill("Far too long for the limit set here.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("alert")).to_be_visible()

    page.go_back()

    expect(page.get_by_label("Your comment")).to_have_value("Far too long for the limit set here.")


def test_deleting_a_reply_returns_to_where_it_was_in_the_thread(signed_in, demo_story):
    reader = UserFactory(username="linus")
    parent = Comment.objects.get(article=demo_story, level=1)
    reply = comment_create(article=demo_story, author=reader, body="A reply I regret", parent=parent)
    page = signed_in(reader, javascript=False)
    page.goto(demo_story.get_absolute_url())

    page.locator(f"#comment-{reply.pk}").get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Delete comment").click()

    expect(page).to_have_url(re.compile(rf"#comment-{parent.pk}$"))
    expect(page.locator(f"#comment-{parent.pk}")).to_be_in_viewport()
    expect(page.get_by_role("status")).to_contain_text("The comment was deleted.")
