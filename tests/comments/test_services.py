"""The comment services: every write, every rule, and that refusals change nothing."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from comments.models import Comment, CommentVersion, Flag, Like
from comments.services import (
    CommentError,
    ImportedComment,
    can_delete,
    can_edit,
    comment_create,
    comment_delete,
    comment_edit,
    comment_flag,
    comment_import_thread,
    like_toggle,
    lock_new_tree,
    lock_thread,
)
from tests.comments.conftest import tree_problems, tree_shape
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def _snapshot(article):
    """Everything a refused write must leave alone."""
    return (
        tree_shape(article),
        list(Comment.objects.filter(article=article).values().order_by("pk")),
        CommentVersion.objects.count(),
        Like.objects.count(),
        Flag.objects.count(),
    )


def _age(comment, minutes):
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )
    comment.refresh_from_db()


# comment_create ------------------------------------------------------------


def test_create_top_level_comment_renders_and_records(article, user):
    comment = comment_create(
        article=article,
        author=user,
        body="  Great piece.\nThanks!  ",
        ip_address="203.0.113.9",
        user_agent="Mozilla/5.0",
    )

    comment.refresh_from_db()
    assert comment.body == "Great piece.\nThanks!"
    assert comment.body_html == "<p>Great piece.<br>\nThanks!</p>"
    assert comment.status == Comment.Status.PUBLISHED
    assert comment.author == user
    assert comment.ip_address == "203.0.113.9"
    assert comment.user_agent == "Mozilla/5.0"
    assert comment.like_count == 0
    assert abs(comment.created_at - timezone.now()) < timedelta(minutes=1)


def test_each_top_level_comment_is_its_own_thread(post, article):
    first, second = post("c1"), post("c2")

    # c1
    # c2
    assert tree_shape(article) == "c1 - 0\nc2 - 0"
    assert first.tree_id != second.tree_id


def test_replies_nest_in_order(post, article):
    c1 = post("c1")
    c2 = post("c2", parent=c1)
    post("c3", parent=c2)
    post("c4", parent=c1)
    post("c5")

    # c1
    # ├── c2
    # │   └── c3
    # └── c4
    # c5
    assert tree_shape(article) == "c1 - 0\nc2 c1 1\nc3 c2 2\nc4 c1 1\nc5 - 0"
    assert tree_problems() == []


def test_reply_with_a_stale_parent_instance_lands_in_the_right_place(post, article):
    c1 = post("c1")
    stale = Comment.objects.get(pk=c1.pk)
    post("c2", parent=c1)
    post("c3", parent=c1)

    post("c4", parent=stale)

    # c1
    # ├── c2
    # ├── c3
    # └── c4
    assert tree_shape(article) == "c1 - 0\nc2 c1 1\nc3 c1 1\nc4 c1 1"
    assert tree_problems() == []


def test_reply_to_an_author_deleted_comment_is_allowed(post, article):
    c1 = post("c1")
    comment_delete(comment=c1, actor=c1.author)

    post("c2", parent=c1)

    # [deleted]
    # └── c2
    assert tree_shape(article, labels={c1.pk: "c1"}) == "c1 - 0\nc2 c1 1"


@pytest.mark.parametrize("who", ["nobody", "anonymous", "inactive"])
def test_create_needs_an_active_signed_in_author(article, who):
    author = {
        "nobody": lambda: None,
        "anonymous": AnonymousUser,
        "inactive": lambda: UserFactory(is_active=False),
    }[who]()
    with pytest.raises(PermissionDenied):
        comment_create(article=article, author=author, body="Hello")
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"comments_open": False}, "Comments on this story are closed."),
        (
            {"comments_close_after_days": 1, "published_at_days_ago": 2},
            "Comments on this story are closed.",
        ),
        ({"status": Article.Status.DRAFT}, "This story is not available for comments."),
        ({"published_at_days_ago": -1}, "This story is not available for comments."),
    ],
    ids=["closed", "closed-automatically", "draft", "scheduled"],
)
def test_create_refused_on_closed_or_unpublished_stories(user, changes, message):
    days_ago = changes.pop("published_at_days_ago", 0)
    published_at = timezone.now() - timedelta(days=days_ago, hours=1)
    article = ArticleFactory(published_at=published_at, **changes)
    before = _snapshot(article)

    with pytest.raises(CommentError) as refused:
        comment_create(article=article, author=user, body="Hello")

    assert refused.value.message == message
    assert _snapshot(article) == before


def test_reply_must_be_on_the_same_story(post, user):
    other_story = ArticleFactory()
    elsewhere = post("elsewhere", on=other_story)
    article = ArticleFactory()
    before = _snapshot(article)

    with pytest.raises(CommentError, match="same story"):
        comment_create(article=article, author=user, body="Hi", parent=elsewhere)

    assert _snapshot(article) == before


@pytest.mark.parametrize(
    "status", [Comment.Status.REMOVED, Comment.Status.SPAM, Comment.Status.PENDING]
)
def test_cannot_reply_to_a_comment_that_is_not_published(post, article, user, status):
    c1 = post("c1")
    Comment.objects.filter(pk=c1.pk).update(status=status)
    before = _snapshot(article)

    held = status in Comment.HELD_STATUSES
    reason = "awaiting moderation, so it cannot be replied to" if held else "can no longer be"
    with pytest.raises(CommentError, match=reason):
        comment_create(article=article, author=user, body="Hi", parent=c1)

    assert _snapshot(article) == before


def test_replies_stop_at_the_depth_cap(post, article, user, settings):
    settings.NEWSROOM_COMMENT_MAX_DEPTH = 3
    c1 = post("c1")
    c2 = post("c2", parent=c1)
    c3 = post("c3", parent=c2)
    before = _snapshot(article)

    with pytest.raises(CommentError, match="nested too deeply"):
        comment_create(article=article, author=user, body="c4", parent=c3)

    # c1
    # └── c2
    #     └── c3      (a fourth level is refused)
    assert _snapshot(article) == before
    assert tree_shape(article) == "c1 - 0\nc2 c1 1\nc3 c2 2"


@pytest.mark.parametrize("body", ["", "   \n\n  ", "<em></em>"], ids=["empty", "blank", "no-text"])
def test_create_refuses_an_empty_body(article, user, body):
    with pytest.raises(CommentError, match="Write something"):
        comment_create(article=article, author=user, body=body)
    assert not Comment.objects.exists()


def test_create_refuses_a_body_over_the_limit_and_says_by_how_much(article, user, settings):
    settings.NEWSROOM_COMMENT_MAX_LENGTH = 10

    with pytest.raises(CommentError) as refused:
        comment_create(article=article, author=user, body="x" * 11)

    assert refused.value.message == "Comments can be at most 10 characters long; this one has 11."
    assert not Comment.objects.exists()
    assert comment_create(article=article, author=user, body=" " + "x" * 10 + " ").body == "x" * 10


def test_create_sanitizes_the_body(article, user):
    comment = comment_create(
        article=article,
        author=user,
        body='<script>alert(1)</script> <a href="javascript:x()">hi</a>',
    )

    assert "<script" not in comment.body_html
    assert "<a " not in comment.body_html
    assert comment.body_html == (
        '<p>&lt;script&gt;alert(1)&lt;/script&gt; &lt;a href="javascript:x()"&gt;hi&lt;/a&gt;</p>'
    )


def test_writes_announce_the_change_after_commit(
    article, user, staff, thread_changes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_create(article=article, author=user, body="Hello")
    with django_capture_on_commit_callbacks(execute=True):
        comment_edit(comment=comment, editor=user, body="Hello again")
    with django_capture_on_commit_callbacks(execute=True):
        like_toggle(comment=comment, user=staff)
    with django_capture_on_commit_callbacks(execute=True):
        comment_flag(comment=comment, user=staff, reason=Flag.Reason.OTHER)
    with django_capture_on_commit_callbacks(execute=True):
        comment_delete(comment=comment, actor=user)
    with django_capture_on_commit_callbacks(execute=True):
        comment_import_thread(article=article, comments=[ImportedComment("k", "A", "Hi", 0)])

    assert thread_changes == [article.pk] * 6


def test_a_refused_write_announces_nothing(
    article, user, thread_changes, django_capture_on_commit_callbacks
):
    article.comments_open = False
    article.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(CommentError):
            comment_create(article=article, author=user, body="Hello")

    assert callbacks == []
    assert thread_changes == []


# comment_edit --------------------------------------------------------------


def test_author_edits_within_the_window_and_history_is_kept(post):
    comment = post("First words")
    author = comment.author
    posted_at = comment.created_at

    edited = comment_edit(comment=comment, editor=author, body="Second words")
    edited_again = comment_edit(comment=edited, editor=author, body="Third *words*")

    assert edited_again.body == "Third *words*"
    assert edited_again.body_html == "<p>Third *words*</p>"
    assert edited_again.edited_at is not None
    assert edited_again.edited_by_moderator is False
    versions = list(edited_again.versions.order_by("created_at"))
    assert [v.body for v in versions] == ["First words", "Second words"]
    assert versions[0].body_html == "<p>First words</p>"
    assert versions[0].created_at == posted_at
    assert versions[1].created_at == edited.edited_at
    assert versions[1].replaced_by == author


def test_unchanged_text_saves_no_version(post):
    comment = post("Same")

    result = comment_edit(comment=comment, editor=comment.author, body="  Same \n")

    assert result.edited_at is None
    assert not CommentVersion.objects.exists()


def test_author_cannot_edit_after_the_window(post, settings):
    settings.NEWSROOM_COMMENT_EDIT_WINDOW_MINUTES = 15
    comment = post("Original")
    _age(comment, 16)
    before = _snapshot(comment.article)

    assert can_edit(comment=comment, user=comment.author) is False
    with pytest.raises(CommentError, match="first 15 minutes"):
        comment_edit(comment=comment, editor=comment.author, body="Changed")
    assert _snapshot(comment.article) == before


def test_staff_edit_any_time_and_are_marked_as_moderators(post, staff):
    comment = post("Original")
    _age(comment, 60 * 24)

    assert can_edit(comment=comment, user=staff) is True
    edited = comment_edit(comment=comment, editor=staff, body="Moderated")

    assert edited.body == "Moderated"
    assert edited.edited_by_moderator is True
    assert edited.versions.get().replaced_by == staff


def test_staff_editing_their_own_comment_is_not_a_moderator_edit(post, staff):
    comment = post("Mine", author=staff)

    edited = comment_edit(comment=comment, editor=staff, body="Still mine")

    assert edited.edited_by_moderator is False


def test_others_cannot_edit(post, user):
    comment = post("Original")
    before = _snapshot(comment.article)

    assert can_edit(comment=comment, user=user) is False
    assert can_edit(comment=comment, user=AnonymousUser()) is False
    with pytest.raises(PermissionDenied):
        comment_edit(comment=comment, editor=user, body="Hijacked")
    with pytest.raises(PermissionDenied):
        comment_edit(comment=comment, editor=AnonymousUser(), body="Hijacked")
    assert _snapshot(comment.article) == before


@pytest.mark.parametrize("how", ["deleted", "removed"])
def test_deleted_and_removed_comments_cannot_be_edited(post, staff, how):
    comment = post("Original")
    comment = comment_delete(comment=comment, actor=comment.author if how == "deleted" else staff)
    before = _snapshot(comment.article)

    for editor in (comment.author, staff):
        assert can_edit(comment=comment, user=editor) is False
        with pytest.raises(CommentError, match="can no longer be edited"):
            comment_edit(comment=comment, editor=editor, body="Back")
    assert _snapshot(comment.article) == before


def test_edit_validates_the_new_body(post, settings):
    settings.NEWSROOM_COMMENT_MAX_LENGTH = 20
    comment = post("Original")
    before = _snapshot(comment.article)

    with pytest.raises(CommentError, match="Write something"):
        comment_edit(comment=comment, editor=comment.author, body="  ")
    with pytest.raises(CommentError, match="at most 20 characters"):
        comment_edit(comment=comment, editor=comment.author, body="y" * 21)
    assert _snapshot(comment.article) == before


# comment_delete ------------------------------------------------------------


def test_author_delete_erases_the_words_but_keeps_the_replies(post, article):
    c1 = post("c1")
    c1 = comment_edit(comment=c1, editor=c1.author, body="c1 edited")
    c2 = post("c2", parent=c1)
    post("c3", parent=c2)

    deleted = comment_delete(comment=c1, actor=c1.author)

    assert deleted.is_deleted
    assert deleted.body == deleted.body_html == ""
    assert deleted.status == Comment.Status.PUBLISHED
    assert not CommentVersion.objects.filter(comment=c1).exists()
    # [deleted]
    # └── c2
    #     └── c3
    assert tree_shape(article, labels={c1.pk: "[deleted]"}) == (
        "[deleted] - 0\nc2 [deleted] 1\nc3 c2 2"
    )
    assert can_delete(comment=deleted, user=c1.author) is False


def test_staff_removal_keeps_the_text_for_the_record(post, article, staff):
    c1 = post("c1")
    post("c2", parent=c1)

    assert can_delete(comment=c1, user=staff) is True
    removed = comment_delete(comment=c1, actor=staff)

    assert removed.status == Comment.Status.REMOVED
    assert removed.body == "c1"
    assert removed.deleted_at is None
    # c1 (removed)
    # └── c2
    assert tree_shape(article) == "c1 - 0\nc2 c1 1"
    assert can_delete(comment=removed, user=staff) is False


def test_delete_is_idempotent(post, staff):
    mine = post("mine")
    theirs = post("theirs")
    first = comment_delete(comment=mine, actor=mine.author)
    comment_delete(comment=theirs, actor=staff)

    again = comment_delete(comment=mine, actor=mine.author)
    removed_again = comment_delete(comment=theirs, actor=staff)

    assert again.deleted_at == first.deleted_at
    assert removed_again.status == Comment.Status.REMOVED


def test_others_cannot_delete(post, user):
    comment = post("Original")
    before = _snapshot(comment.article)

    assert can_delete(comment=comment, user=user) is False
    assert can_delete(comment=comment, user=AnonymousUser()) is False
    with pytest.raises(PermissionDenied):
        comment_delete(comment=comment, actor=user)
    with pytest.raises(PermissionDenied):
        comment_delete(comment=comment, actor=AnonymousUser())
    assert _snapshot(comment.article) == before


# like_toggle ---------------------------------------------------------------


def test_like_then_unlike(post, user):
    comment = post("Nice")

    assert like_toggle(comment=comment, user=user) == (True, 1)
    assert like_toggle(comment=comment, user=UserFactory()) == (True, 2)
    assert like_toggle(comment=comment, user=user) == (False, 1)

    comment.refresh_from_db()
    assert comment.like_count == 1
    assert Like.objects.filter(comment=comment).count() == 1


def test_anonymous_readers_cannot_like(post):
    comment = post("Nice")

    with pytest.raises(PermissionDenied):
        like_toggle(comment=comment, user=AnonymousUser())
    assert not Like.objects.exists()


@pytest.mark.parametrize("state", ["deleted", "removed", "pending"])
def test_only_published_comments_can_be_liked_or_unliked(post, user, staff, state):
    comment = post("Nice")
    like_toggle(comment=comment, user=staff)
    if state == "deleted":
        comment_delete(comment=comment, actor=comment.author)
    else:
        status = {"removed": Comment.Status.REMOVED, "pending": Comment.Status.PENDING}[state]
        Comment.objects.filter(pk=comment.pk).update(status=status)
    before = _snapshot(comment.article)

    for reader in (user, staff):
        with pytest.raises(CommentError, match="can no longer be liked"):
            like_toggle(comment=comment, user=reader)
    assert _snapshot(comment.article) == before


# comment_flag --------------------------------------------------------------


def test_flag_records_the_report(post, user):
    comment = post("Rude words")

    flag = comment_flag(comment=comment, user=user, reason=Flag.Reason.ABUSE, note=" insults ")

    assert (flag.user, flag.comment, flag.reason, flag.note) == (user, comment, "abuse", "insults")
    comment.refresh_from_db()
    assert comment.flag_count == 1
    assert comment.status == Comment.Status.PUBLISHED


def test_enough_reports_hold_the_comment_for_moderation(post, settings):
    settings.NEWSROOM_COMMENT_FLAGS_TO_HIDE = 3
    comment = post("Spammy")

    for count in (1, 2):
        comment_flag(comment=comment, user=UserFactory(), reason=Flag.Reason.SPAM)
        comment.refresh_from_db()
        assert (comment.flag_count, comment.status) == (count, Comment.Status.PUBLISHED)

    comment_flag(comment=comment, user=UserFactory(), reason=Flag.Reason.SPAM)
    comment.refresh_from_db()
    assert comment.flag_count == 3
    assert comment.status == Comment.Status.PENDING
    assert comment.hold_reason == "Reported by 3 readers"

    comment_flag(comment=comment, user=UserFactory(), reason=Flag.Reason.SPAM)
    comment.refresh_from_db()
    assert comment.flag_count == 4
    assert comment.hold_reason == "Reported by 3 readers"


def test_a_reader_reports_a_comment_once(post, user):
    comment = post("Rude")
    comment_flag(comment=comment, user=user, reason=Flag.Reason.ABUSE)
    before = _snapshot(comment.article)

    with pytest.raises(CommentError) as refused:
        comment_flag(comment=comment, user=user, reason=Flag.Reason.SPAM)

    assert refused.value.message == "You have already reported this comment."
    assert _snapshot(comment.article) == before


@pytest.mark.parametrize(
    ("reason", "note", "message"),
    [
        ("bad-reason", "", "Choose a reason"),
        (Flag.Reason.OTHER, "n" * 501, "at most 500 characters"),
    ],
    ids=["unknown-reason", "long-note"],
)
def test_flag_validates_its_input(post, user, reason, note, message):
    comment = post("Text")
    before = _snapshot(comment.article)

    with pytest.raises(CommentError, match=message):
        comment_flag(comment=comment, user=user, reason=reason, note=note)
    assert _snapshot(comment.article) == before


def test_cannot_report_your_own_or_while_signed_out(post):
    comment = post("Mine")
    before = _snapshot(comment.article)

    with pytest.raises(CommentError, match="your own comment"):
        comment_flag(comment=comment, user=comment.author, reason=Flag.Reason.SPAM)
    with pytest.raises(PermissionDenied):
        comment_flag(comment=comment, user=AnonymousUser(), reason=Flag.Reason.SPAM)
    assert _snapshot(comment.article) == before


def test_deleted_comments_cannot_be_reported(post, user):
    comment = post("Gone soon")
    comment_delete(comment=comment, actor=comment.author)
    before = _snapshot(comment.article)

    with pytest.raises(CommentError, match="can no longer be reported"):
        comment_flag(comment=comment, user=user, reason=Flag.Reason.SPAM)
    assert _snapshot(comment.article) == before


# comment_import_thread -----------------------------------------------------


def _page(likes_on_a=4):
    return [
        ImportedComment(
            key="a",
            author_name="Alice",
            body="First!",
            like_count=likes_on_a,
            children=[
                ImportedComment(
                    key="b",
                    author_name="Bob",
                    body="Reply",
                    like_count=0,
                    children=[
                        ImportedComment(key="c", author_name="Cat", body="Deep", like_count=1)
                    ],
                ),
                ImportedComment(key="d", author_name="Dan", body="Also", like_count=2),
            ],
        ),
        ImportedComment(key="e", author_name="Eve", body="Second thread", like_count=0),
    ]


def test_import_builds_the_threads(article):
    created = comment_import_thread(article=article, comments=_page())

    assert created == 5
    # a
    # ├── b
    # │   └── c
    # └── d
    # e
    assert tree_shape(article) == "a - 0\nb a 1\nc b 2\nd a 1\ne - 0"
    a = Comment.objects.get(import_key="a")
    assert (a.author, a.author_name, a.display_name) == (None, "Alice", "Alice")
    assert (a.like_baseline, a.like_count) == (4, 4)
    assert a.body_html == "<p>First!</p>"
    assert tree_problems() == []


def test_import_keeps_replies_under_held_parents_and_past_the_readers_depth(article, settings):
    # Readers may not reply this deep, nor under a removed comment; an
    # imported thread keeps the place its source gave every reply.
    settings.NEWSROOM_COMMENT_MAX_DEPTH = 2
    page = _page()
    page[0].status = Comment.Status.REMOVED

    assert comment_import_thread(article=article, comments=page) == 5

    # a (removed)
    # ├── b
    # │   └── c     level 2, at the readers' limit
    # └── d
    # e
    assert tree_shape(article) == "a - 0\nb a 1\nc b 2\nd a 1\ne - 0"
    assert tree_problems() == []


def test_likes_add_to_the_imported_baseline_and_survive_reimport(article, user):
    comment_import_thread(article=article, comments=_page(likes_on_a=4))
    a = Comment.objects.get(import_key="a")

    assert like_toggle(comment=a, user=user) == (True, 5)

    assert comment_import_thread(article=article, comments=_page(likes_on_a=4)) == 0
    a.refresh_from_db()
    assert (a.like_baseline, a.like_count) == (4, 5)

    comment_import_thread(article=article, comments=_page(likes_on_a=6))
    a.refresh_from_db()
    assert (a.like_baseline, a.like_count) == (6, 7)


def test_a_page_reimport_never_lowers_a_like_baseline_unless_asked(article, user):
    comment_import_thread(article=article, comments=_page(likes_on_a=4))
    a = Comment.objects.get(import_key="a")
    like_toggle(comment=a, user=user)

    # A page saved without its "Liked by" lines says 0.
    comment_import_thread(article=article, comments=_page(likes_on_a=0))
    a.refresh_from_db()
    assert (a.like_baseline, a.like_count) == (4, 5)

    comment_import_thread(article=article, comments=_page(likes_on_a=1), lower_likes=True)
    a.refresh_from_db()
    assert (a.like_baseline, a.like_count) == (1, 2)  # the like given here stays


def test_reimport_changes_nothing_structurally_and_adds_new_comments(article, post):
    comment_import_thread(article=article, comments=_page())
    post("local reply", parent=Comment.objects.get(import_key="c"))
    page = _page()
    page[0].author_name = "Alice B."
    page[0].children[1].children.append(
        ImportedComment(key="f", author_name="Fay", body="Late reply", like_count=0)
    )

    assert comment_import_thread(article=article, comments=page) == 1

    # a
    # ├── b
    # │   └── c
    # │       └── local reply
    # └── d
    #     └── f
    # e
    assert tree_shape(article) == (
        "a - 0\nb a 1\nc b 2\nlocal reply c 3\nd a 1\nf d 2\ne - 0"
    )
    assert Comment.objects.get(import_key="a").author_name == "Alice B."
    assert tree_problems() == []


def test_reimport_does_not_restore_deleted_words(article, staff):
    comment_import_thread(article=article, comments=_page())
    b = Comment.objects.get(import_key="b")
    comment_edit(comment=b, editor=staff, body="Edited by a moderator")

    comment_import_thread(article=article, comments=_page())

    assert Comment.objects.get(import_key="b").body == "Edited by a moderator"


def _deep_page(threads: int, depth: int) -> list[ImportedComment]:
    """`threads` top-level comments, each with a chain of replies `depth` deep
    and a second reply to its first reply."""
    roots = []
    for number in range(threads):
        root = ImportedComment(f"t{number}", "Ana", f"Thread {number}", 0)
        node = root
        for level in range(1, depth + 1):
            child = ImportedComment(f"t{number}-{level}", "Ben", f"Reply {level}", 0)
            node.children.append(child)
            node = child
        root.children[0].children.append(ImportedComment(f"t{number}-x", "Cy", "Aside", 0))
        roots.append(root)
    return roots


def test_importing_threads_costs_the_same_queries_whatever_their_size(
    django_assert_num_queries,
):
    small, large = ArticleFactory(), ArticleFactory()

    # Its savepoint, the lock, the stored keys, the ids with the last tree
    # id, the rows, the story's page version, the release: written whole,
    # not one round trip per comment.
    with django_assert_num_queries(7):
        assert comment_import_thread(article=small, comments=_deep_page(1, 1)) == 3
    with django_assert_num_queries(7):
        assert comment_import_thread(article=large, comments=_deep_page(4, 12)) == 56

    # t0
    # └── t0-1
    #     ├── t0-2 … (a chain down to t0-12)
    #     └── t0-x
    assert tree_shape(small) == "t0 - 0\nt0-1 t0 1\nt0-x t0-1 2"
    lines = tree_shape(large).splitlines()
    assert lines[:3] == ["t0 - 0", "t0-1 t0 1", "t0-2 t0-1 2"]
    assert lines[12:15] == ["t0-12 t0-11 12", "t0-x t0-1 2", "t1 - 0"]
    assert tree_problems() == []


def test_a_reimport_adds_new_replies_to_stored_threads_and_new_threads_alike(article):
    comment_import_thread(article=article, comments=_deep_page(1, 2))
    page = _deep_page(2, 2)
    page[0].children[0].children[0].children.append(ImportedComment("late", "Di", "Late", 0))

    assert comment_import_thread(article=article, comments=page) == 5

    # t0                 stored
    # └── t0-1
    #     ├── t0-2
    #     │   └── late   new, under a stored reply
    #     └── t0-x
    # t1                 new, with its replies
    # └── t1-1
    #     ├── t1-2
    #     └── t1-x
    assert tree_shape(article) == (
        "t0 - 0\nt0-1 t0 1\nt0-2 t0-1 2\nlate t0-2 3\nt0-x t0-1 2\n"
        "t1 - 0\nt1-1 t1 1\nt1-2 t1-1 2\nt1-x t1-1 2"
    )
    assert tree_problems() == []


@pytest.mark.parametrize(
    "comments",
    [
        [ImportedComment("", "A", "x", 0)],
        [ImportedComment("k", "A", "x", 0), ImportedComment("k", "B", "y", 0)],
        [ImportedComment("k", "A", "x", -1)],
    ],
    ids=["empty-key", "duplicate-key", "negative-likes"],
)
def test_import_refuses_bad_input(article, comments):
    with pytest.raises(CommentError):
        comment_import_thread(article=article, comments=comments)
    assert not Comment.objects.exists()


# locks ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_lock_helpers_need_a_transaction(post):
    c1 = post("c1")

    with pytest.raises(transaction.TransactionManagementError):
        lock_new_tree()
    with pytest.raises(transaction.TransactionManagementError):
        lock_thread(tree_id=c1.tree_id)
    with transaction.atomic():
        lock_new_tree()
        assert lock_thread(tree_id=c1.tree_id) == c1
        assert lock_thread(tree_id=c1.tree_id + 1000) is None
