"""Staff at work in the admin: an editor publishes a story, a moderator approves a comment."""

from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.management.commands.ensure_editor import editors_group
from articles.models import Article
from comments.models import BlockedPhrase, Comment
from comments.services import comment_create
from tests.browser.axe import assert_accessible
from tests.browser.helpers import csp_violations, watch_page
from tests.factories import ArticleFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.browser

HELD = "Is this the miracle cure they promised?"
BODY = """The council voted on Tuesday to keep the harbour lighthouse lit.

Fishing crews had asked for the light to stay after a **foggy** winter."""


def test_an_editor_writes_and_publishes_a_story_that_readers_then_find(signed_in, page):
    editor = StaffFactory()
    admin = signed_in(editor)
    admin.goto("/admin/articles/article/add/")

    admin.get_by_label("Title").fill("Harbour lighthouse to stay lit")
    admin.get_by_label("Title").press("Tab")
    # The admin's own script fills the slug from the title (CSP allows it).
    expect(admin.get_by_label("Slug")).to_have_value("harbour-lighthouse-to-stay-lit")
    admin.get_by_label("Standfirst").fill("Councillors side with the fishing fleet.")
    admin.get_by_label("Byline").fill("Harbour correspondent")
    admin.get_by_label("Body").fill(BODY)
    admin.get_by_label("Status").select_option(label="Published")
    yesterday = timezone.localdate() - timedelta(days=1)
    admin.get_by_label("Date:").fill(yesterday.strftime("%d/%m/%Y"))
    admin.get_by_label("Time:").fill("09:30:00")
    admin.get_by_role("button", name="Save", exact=True).click()

    expect(admin.locator(".messagelist")).to_contain_text("was added successfully")
    story = Article.objects.get(slug="harbour-lighthouse-to-stay-lit")
    assert story.status == Article.Status.PUBLISHED
    assert timezone.localtime(story.published_at).date() == yesterday
    assert "<strong>foggy</strong>" in story.body_html

    # A guest, in a separate browser context, finds it three ways.
    page.goto("/")
    page.get_by_role("link", name="Harbour lighthouse to stay lit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Harbour lighthouse to stay lit")
    expect(page.locator(".story__body strong")).to_have_text("foggy")
    expect(page.locator(".story__byline")).to_have_text("Harbour correspondent")

    page.get_by_role("search").get_by_label("Search stories").fill("lighthouse")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    expect(
        page.locator("main").get_by_role("link", name="Harbour lighthouse to stay lit")
    ).to_be_visible()

    feed = feedparser.parse(page.request.get("/feeds/rss/").text())
    assert [entry.title for entry in feed.entries] == ["Harbour lighthouse to stay lit"]
    assert feed.entries[0].link.endswith(story.get_absolute_url())


def test_a_moderator_approves_a_held_comment_from_the_queue(signed_in, page):
    article = ArticleFactory()
    BlockedPhrase.objects.create(phrase="miracle cure")
    author = UserFactory()
    held = comment_create(article=article, author=author, body=HELD)
    assert held.status == Comment.Status.PENDING
    page.goto(article.get_absolute_url())
    expect(page.locator("main")).not_to_contain_text(HELD)
    author_page = signed_in(author)
    author_page.goto(article.get_absolute_url())
    expect(author_page.locator(f"#comment-{held.pk}")).to_contain_text("Awaiting moderation")

    moderator = signed_in(StaffFactory())
    moderator.goto("/admin/comments/comment/")
    row = moderator.locator("#result_list tbody tr", has_text=HELD)
    expect(row).to_be_visible()
    row.locator("input[name=_selected_action]").check()
    moderator.locator("select[name=action]").select_option(label="Approve selected comments")
    moderator.get_by_role("button", name="Run").click()

    expect(moderator.locator(".messagelist")).to_contain_text("1 comment changed.")
    held.refresh_from_db()
    assert held.status == Comment.Status.PUBLISHED
    expect(moderator.locator("#result_list", has_text=HELD)).to_have_count(0)

    page.reload()
    expect(page.locator(f"#comment-{held.pk}")).to_contain_text(HELD)
    author_page.reload()
    expect(author_page.locator(f"#comment-{held.pk}")).not_to_contain_text("Awaiting moderation")


def test_an_editor_is_warned_before_leaving_unsaved_changes_and_previews_the_draft(
    signed_in, page
):
    editor = UserFactory(username="desk_editor", is_staff=True)
    editor.groups.add(editors_group())
    draft = ArticleFactory(title="Harbour draft", status=Article.Status.DRAFT)
    admin = signed_in(editor)
    errors = watch_page(admin)
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # "Stay on page"

    admin.on("dialog", answer)
    admin.goto(f"/admin/articles/article/{draft.pk}/change/")
    change_url = admin.url
    expect(admin.get_by_text("Length (reading at 200 words a minute)")).to_be_visible()

    # Untouched, the form lets the editor go.
    admin.get_by_role("link", name="Stories").first.click()
    expect(admin).to_have_url("/admin/articles/")
    assert asked == []

    # Changed, leaving asks first; staying keeps the edit.
    admin.go_back()
    admin.get_by_label("Title").click()
    admin.keyboard.type(" updated")
    admin.get_by_role("link", name="Stories").first.click()
    expect(admin.get_by_label("Title")).to_have_value("Harbour draft updated")
    assert asked == ["beforeunload"]
    assert admin.url == change_url

    # Saving is not leaving: no question.
    admin.get_by_role("button", name="Save and continue editing").click()
    expect(admin.locator(".messagelist")).to_contain_text("was changed successfully")
    assert asked == ["beforeunload"]
    assert csp_violations(admin) == []
    # The admin has no /favicon.ico; nothing else may fail.
    assert [error for error in errors if "status of 404" not in error] == []

    # Preview opens the draft in a new tab, as readers will see it once published.
    preview_link = admin.get_by_role("link", name="Preview “Harbour draft updated”")
    expect(preview_link).to_have_attribute("target", "_blank")
    with admin.context.expect_page() as opened:
        preview_link.click()
    preview = opened.value
    expect(preview.get_by_role("heading", level=1)).to_have_text("Harbour draft updated")
    expect(preview.get_by_role("status")).to_contain_text("Preview — not published.")
    assert preview.evaluate("window.opener") is None  # rel=noopener

    # The history and the comparison of a version with now are accessible.
    Article.objects.filter(pk=draft.pk).update(title="Harbour story, final")
    admin.goto(f"/admin/articles/article/{draft.pk}/history/")
    assert_accessible(admin)
    admin.get_by_role("link", name="Compare").first.click()
    expect(admin.get_by_role("heading", name="Title")).to_be_visible()
    assert_accessible(admin)
