"""axe-core finds no serious or critical problems on the pages readers use most."""

import pytest

from comments.services import comment_create
from tests.browser.axe import assert_accessible, blocking, run_axe
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def deep_thread_story(demo_story):
    """The demo story with a conversation several levels deep under its imported reply."""
    parent = demo_story.comments.get(level=1)
    authors = [UserFactory(username=name) for name in ("ada", "grace", "linus")]
    for depth in range(7):
        parent = comment_create(
            article=demo_story,
            author=authors[depth % 3],
            body=f"A reply at depth {depth + 2}, see https://example.com/{depth}",
            parent=parent,
        )
    ArticleFactory(title="Lighthouse keepers return", body="The lighthouse is staffed again.")
    # Search results list comments too; the front page's "Most discussed" lists this story.
    comment_create(article=demo_story, author=authors[0], body="I visited that lighthouse.")
    return demo_story


def check_pages(page, urls: dict[str, str]) -> None:
    failures = []
    for name, url in urls.items():
        page.goto(url)
        try:
            assert_accessible(page)
        except AssertionError as problem:
            failures.append(f"{name}: {problem}")
    assert not failures, "\n\n".join(failures)


def test_a_guests_pages_have_no_serious_accessibility_violations(page, deep_thread_story):
    check_pages(
        page,
        {
            "front page": "/",
            "story with a deep thread": deep_thread_story.get_absolute_url(),
            "search results": "/search/?q=lighthouse",
            "log-in page": "/accounts/login/",
            "sign-up page": "/accounts/signup/",
        },
    )


def test_a_signed_in_readers_pages_have_no_serious_accessibility_violations(
    signed_in, deep_thread_story
):
    # Log-in and sign-up redirect a signed-in reader away; they see the
    # comment form, like buttons, the reply page and their profile instead.
    reader = UserFactory(username="reader")
    own = comment_create(article=deep_thread_story, author=reader, body="My own comment.")
    page = signed_in(reader)
    check_pages(
        page,
        {
            "front page": "/",
            "story with a deep thread": deep_thread_story.get_absolute_url(),
            "search results": "/search/?q=lighthouse",
            "reply page": f"/comments/{own.pk}/reply/",
            "edit page": f"/comments/{own.pk}/edit/",
            "profile": "/people/reader/",
        },
    )


def test_the_pages_a_commenter_meets_after_acting_have_no_serious_violations(
    signed_in, deep_thread_story
):
    # Reply emails, a continued thread, an edit history with a hidden version,
    # a second report, a refused edit and the site's own pages.
    from comments.models import Comment, Flag
    from comments.services import comment_edit, comment_flag

    reader = UserFactory(username="reader")
    own = comment_create(
        article=deep_thread_story, author=reader, body="Mine, with replies.", notify_replies=True
    )
    other = Comment.objects.filter(article=deep_thread_story).exclude(author=reader).first()
    comment_flag(comment=other, user=reader, reason=Flag.Reason.SPAM)
    comment_edit(comment=own, editor=reader, body="Mine, edited once.")
    deepest = Comment.objects.filter(article=deep_thread_story).order_by("-level").first()
    continued = deepest.get_ancestors().get(level=5)
    page = signed_in(reader)
    check_pages(
        page,
        {
            "reply emails": "/comments/reply-emails/",
            "continued thread": f"/comments/{continued.pk}/",
            "edit history": f"/comments/{own.pk}/history/",
            "already reported": f"/comments/{other.pk}/flag/",
            "refused edit": f"/comments/{other.pk}/edit/",
            "about": "/about/",
            "contact": "/contact/",
            "comment guidelines": "/comment-guidelines/",
            "privacy": "/privacy/comments/",
            "close my account": "/my-account/close/",
        },
    )


def test_the_check_catches_a_real_problem(page):
    """Guards the guard: an unlabelled field and an image without alt text must fail."""
    page.goto("/")
    page.evaluate(
        """() => {
          const img = document.createElement("img");
          img.src = "data:image/gif;base64,R0lGODlhAQABAAAAACw=";
          const input = document.createElement("input");
          document.querySelector("main").append(img, input);
        }"""
    )
    rules = {violation["id"] for violation in blocking(run_axe(page))}
    assert {"image-alt", "label"} <= rules
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)
