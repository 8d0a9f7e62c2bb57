"""A moderator in the Editors group bans a reader: from the comment itself on
the site, and by name in the admin's Ban form; the reader is then told why."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.management.commands.ensure_editor import editors_group
from comments.models import Ban
from tests.browser.axe import assert_accessible
from tests.comments.threads import C, build
from tests.factories import ArticleFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.browser


def _moderator():
    moderator = StaffFactory(username="desk", is_superuser=False)
    moderator.groups.add(editors_group())
    return moderator


@pytest.mark.parametrize("javascript", [True, False])
def test_a_moderator_bans_the_author_from_the_comment(signed_in, javascript):
    article = ArticleFactory()
    troll = UserFactory(username="trollface")
    comment = build(article, [C("You are all fools", author=troll)])["You are all fools"]
    moderator = signed_in(_moderator(), javascript=javascript)
    moderator.goto(article.get_absolute_url())

    moderator.locator(f"#comment-{comment.pk}").get_by_role("link", name="Ban author").click()

    expect(moderator.get_by_role("heading", level=1)).to_have_text(
        "Ban trollface from commenting"
    )
    if javascript:  # axe runs as a script in the page
        assert_accessible(moderator)
    ends = timezone.localdate() + timedelta(days=14)
    moderator.get_by_label("Reason shown to the reader").fill("Insulting other readers")
    moderator.get_by_label("Ban ends on").fill(ends.isoformat())
    moderator.get_by_label("Internal note").fill("Third warning ignored")
    moderator.get_by_role("button", name="Ban trollface").click()

    expect(moderator.locator(f"#comment-{comment.pk}")).to_be_visible()
    expect(moderator.get_by_text("trollface may no longer comment.")).to_be_visible()
    ban = Ban.objects.get()
    assert (ban.user, ban.reason, ban.note) == (
        troll, "Insulting other readers", "Third warning ignored",
    )  # fmt: skip
    assert timezone.localtime(ban.until).date() == ends

    reader = signed_in(troll, javascript=javascript)
    reader.goto(article.get_absolute_url())
    reader.get_by_label("Your comment").fill("Let me back in")
    reader.get_by_role("button", name="Post comment").click()
    alert = reader.get_by_role("alert").filter(has_text="Insulting other readers")
    expect(alert).to_contain_text("You can't comment: Insulting other readers (until")
    expect(alert).not_to_contain_text("Third warning")
    expect(alert.get_by_role("link", name="Read the comment guidelines")).to_be_visible()
    expect(reader.get_by_label("Your comment")).to_have_value("Let me back in")


def test_a_moderator_finds_a_reader_by_name_in_the_ban_form(signed_in):
    troll = UserFactory(username="trollface", email="hidden@example.com")
    UserFactory(username="someone_else")
    StaffFactory(username="troll_editor")
    admin = signed_in(_moderator())
    admin.goto("/admin/comments/ban/add/")

    admin.locator(".field-user .select2-selection").click()
    admin.locator(".select2-search__field").fill("troll")
    options = admin.locator(".select2-results__option")
    expect(options).to_have_text(["trollface"])  # readers only, by name only
    options.first.click()
    expect(admin.get_by_text("Reason shown to the reader")).to_be_visible()
    admin.get_by_role("button", name="Save", exact=True).click()

    expect(admin.locator(".messagelist")).to_contain_text("was added successfully")
    ban = Ban.objects.get()
    assert (ban.user, ban.reason) == (troll, "")
