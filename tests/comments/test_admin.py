"""The moderation queue in the admin, as a moderator uses it."""

from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from articles.management.commands.ensure_editor import editors_group
from comments.models import Ban, Comment, CommentVersion, Flag, ModerationAction
from comments.services import comment_flag, comment_moderate, user_ban, user_unban
from tests.comments.threads import C, build
from tests.factories import ArticleFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Comment.Status
QUEUE = "/admin/comments/comment/"


@pytest.fixture
def moderator(client, staff):
    client.force_login(staff)
    return staff


def listed(response) -> set[str]:
    """The texts of the comments on a changelist page."""
    return {comment.body for comment in response.context["cl"].result_list}


def tree_rows():
    return list(
        Comment.objects.order_by("pk").values_list("id", "tree_id", "lft", "rght", "parent_id")
    )


class _FormFields(HTMLParser):
    """The values a browser would submit from the page's main form."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "checkbox"}:
            self.data[name] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def change_form_data(client, comment) -> dict[str, str]:
    parser = _FormFields()
    parser.feed(client.get(f"{QUEUE}{comment.pk}/change/").content.decode())
    # The textarea's first newline is markup, not content.
    return {k: v.removeprefix("\n") for k, v in parser.data.items()}


# The queue -------------------------------------------------------------------


def test_the_queue_opens_on_held_comments(client, moderator, article):
    build(article, [C("public"), C("held", status=Status.PENDING), C("junk", status=Status.SPAM)])

    response = client.get(QUEUE)

    assert listed(response) == {"held"}
    assertContains(response, "Pending moderation")


def counts_line(pending: int, reported: int) -> str:
    return (
        '<p class="queue-counts">Waiting for a decision: '
        f'<a href="?status=pending">{pending} pending</a>, '
        f'<a href="?flagged=yes">{reported} reported</a></p>'
    )


def report(comment, times: int = 1) -> None:
    for _ in range(times):
        comment_flag(comment=comment, user=UserFactory(), reason=Flag.Reason.ABUSE)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"held", "reported"}),
        ("status=waiting", {"held", "reported"}),
        ("status=pending", {"held"}),
        ("status=spam", {"junk"}),
        ("status=removed", {"gone"}),
        ("status=published", {"public", "reported", "approved after a report"}),
        (
            "status=all",
            {"public", "reported", "approved after a report", "held", "junk", "gone"},
        ),
        ("flagged=yes", {"reported"}),
        ("status=all&flagged=yes", {"reported"}),
        ("status=all&flagged=ever", {"reported", "approved after a report"}),
        ("status=all&flagged=no", {"public", "held", "junk", "gone"}),
        ("status=all&q=jun", {"junk"}),
    ],
)
def test_queue_filters(client, moderator, article, query, expected):
    rows = build(
        article,
        [
            C("public"),
            C("reported"),
            C("approved after a report"),
            C("held", status=Status.PENDING),
            C("junk", status=Status.SPAM),
            C("gone", status=Status.REMOVED),
        ],
    )
    report(rows["reported"])
    report(rows["approved after a report"])
    comment_moderate(
        comments=[rows["approved after a report"]], moderator=moderator, action="approve"
    )

    assert listed(client.get(f"{QUEUE}?{query}")) == expected


def test_a_reported_comment_waits_in_the_queue_until_a_moderator_keeps_it(
    client, moderator, article
):
    rows = build(article, [C("rude but published"), C("fine")])
    report(rows["rude but published"])

    queue = client.get(QUEUE)
    assert listed(queue) == {"rude but published"}
    assertContains(queue, counts_line(0, 1), html=True)
    page = client.get(f"{QUEUE}{rows['rude but published'].pk}/change/")
    approve_button = '<button type="submit" name="_moderate" value="approve">Approve</button>'
    assertContains(page, approve_button, html=True)

    response = bulk(client, "approve_selected", [rows["rude but published"]], query="")

    assertContains(response, "Approve: 1 comment changed.")
    assert listed(response) == set()
    assertContains(response, counts_line(0, 0), html=True)
    assert Comment.objects.get(pk=rows["rude but published"].pk).status == Status.PUBLISHED
    entry = ModerationAction.objects.get()
    assert (entry.action, entry.from_status, entry.to_status) == (
        "approve",
        Status.PUBLISHED,
        Status.PUBLISHED,
    )


def test_queue_filters_by_story(client, moderator, article):
    other = ArticleFactory(title="The other story")
    build(article, [C("here", status=Status.PENDING)])
    build(other, [C("there", status=Status.PENDING)])

    response = client.get(QUEUE)
    assertContains(response, "The other story (1 waiting)")
    assert listed(client.get(f"{QUEUE}?article={other.pk}")) == {"there"}


def test_the_story_filter_counts_only_comments_still_waiting(client, moderator):
    story = ArticleFactory(title="Harbour lights")
    rows = build(
        story,
        [
            C("held", status=Status.PENDING),
            C("reported"),
            C("reported then removed"),
            C("held then deleted by its author", status=Status.PENDING, deleted=True),
        ],
    )
    report(rows["reported"])
    report(rows["reported then removed"], times=3)
    comment_moderate(comments=[rows["reported then removed"]], moderator=moderator, action="remove")

    response = client.get(QUEUE)

    assertContains(response, "Harbour lights (2 waiting)")
    assertContains(response, counts_line(1, 1), html=True)
    assertContains(client.get("/admin/"), "Comments (1 pending, 1 reported)")


def test_the_admin_menu_shows_what_waits_to_moderators_only(client, article):
    rows = build(article, [C("held", status=Status.PENDING), C("reported"), C("fine")])
    report(rows["reported"], times=2)
    moderator = UserFactory(username="night_editor", is_staff=True)
    moderator.groups.add(editors_group())
    client.force_login(moderator)

    index = client.get("/admin/")
    queue = client.get(QUEUE)

    assertContains(index, "Comments (1 pending, 1 reported)")
    # The sidebar beside the queue shows the same counts.
    assertContains(queue, "Comments (1 pending, 1 reported)")
    assertContains(queue, counts_line(1, 1), html=True)

    client.force_login(UserFactory(username="plain_staff", is_staff=True))
    assertNotContains(client.get("/admin/"), "pending")
    assert client.get(QUEUE).status_code == 403


def test_the_menu_counts_cost_two_queries(client, moderator, article, django_assert_num_queries):
    build(article, [C("held", status=Status.PENDING)])
    log_url = reverse("admin:comments_moderationaction_changelist")
    client.get(log_url)  # warm the content types and permissions caches

    # The session, the user, pending and reported, then the index's recent actions.
    with django_assert_num_queries(5):
        client.get(reverse("admin:index"))


def test_show_counts_gives_each_status_its_count(client, moderator, article):
    rows = build(
        article,
        [
            C("one"),
            C("two"),
            C("reported"),
            C("held", status=Status.PENDING),
            C("junk", status=Status.SPAM),
        ],
    )
    report(rows["reported"])

    response = client.get(f"{QUEUE}?_facets=True")

    status_filter = response.context["cl"].filter_specs[0]
    shown = [choice["display"] for choice in status_filter.choices(response.context["cl"])]
    assert shown == [
        "All (5)",
        "Waiting for a decision (2)",
        "Published (3)",
        "Pending moderation (1)",
        "Spam (1)",
        "Removed (0)",
    ]
    assertContains(response, "Published (3)")


def test_each_row_shows_story_parent_reasons_and_the_authors_record(client, moderator, article):
    troll = UserFactory(username="troll")
    build(
        article,
        [
            C("an earlier good one", author=troll),
            C("another good one", author=troll),
            C("spammy", author=troll, status=Status.SPAM),
            C("taken down", author=troll, status=Status.REMOVED),
            C("The opening remark", [C("held reply", author=troll, status=Status.PENDING)]),
        ],
    )
    held = Comment.objects.get(body="held reply")
    Comment.objects.filter(pk=held.pk).update(hold_reason="Contains a blocked phrase")
    for _ in range(2):
        Flag.objects.create(user=UserFactory(), comment=held, reason=Flag.Reason.ABUSE)

    response = client.get(QUEUE)

    assertContains(response, "2 approved · 2 rejected")
    assertContains(response, f'href="{article.get_absolute_url()}"')
    assertContains(response, "The opening remark")
    assertContains(response, "Contains a blocked phrase; Abusive or harassing ×2")


def queue_queries(client, count: int) -> int:
    article = ArticleFactory()
    roots = [
        C(f"thread {n}", [C(f"reply {n}", author=UserFactory(), status=Status.PENDING)])
        for n in range(count)
    ]
    rows = build(article, roots)
    for n in range(count):
        Flag.objects.create(user=UserFactory(), comment=rows[f"reply {n}"], reason="spam")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE)
    assert len(listed(response)) == count
    return len(queries)


def test_the_queue_page_takes_the_same_queries_for_5_or_50_rows(client, moderator):
    few = queue_queries(client, 5)
    Comment.objects.all().delete()
    many = queue_queries(client, 50)

    assert few == many


# Bulk actions ----------------------------------------------------------------


def bulk(client, action: str, comments, query: str = "status=all"):
    return client.post(
        f"{QUEUE}?{query}",
        {"action": action, "_selected_action": [c.pk for c in comments]},
        follow=True,
    )


@pytest.mark.parametrize(
    ("action", "start", "end"),
    [
        ("approve_selected", Status.PENDING, Status.PUBLISHED),
        ("spam_selected", Status.PENDING, Status.SPAM),
        ("not_spam_selected", Status.SPAM, Status.PUBLISHED),
        ("remove_selected", Status.PUBLISHED, Status.REMOVED),
        ("restore_selected", Status.REMOVED, Status.PUBLISHED),
    ],
)
def test_bulk_actions_change_status_log_it_and_keep_the_tree(
    client, moderator, article, action, start, end
):
    #  root
    #  ├── first    <- selected
    #  │   └── under
    #  └── second   <- selected
    rows = build(
        article,
        [C("root", [C("first", [C("under")], status=start), C("second", status=start)])],
    )
    before = tree_rows()

    response = bulk(client, action, [rows["first"], rows["second"]])

    assertContains(response, "2 comments changed")
    assert tree_rows() == before
    statuses = dict(Comment.objects.values_list("body", "status"))
    assert statuses == {"root": "published", "first": end, "second": end, "under": "published"}
    log = set(
        ModerationAction.objects.values_list("comment_id", "moderator", "from_status", "to_status")
    )
    assert log == {
        (rows["first"].pk, moderator.pk, start, end),
        (rows["second"].pk, moderator.pk, start, end),
    }


def test_comments_cannot_be_deleted_from_the_admin(client, moderator, article):
    rows = build(article, [C("root", [C("reply")])])

    changelist = client.get(f"{QUEUE}?status=all")
    actions = [name for name, _label in changelist.context["action_form"].fields["action"].choices]
    assert "remove_selected" in actions
    assert "delete_selected" not in actions
    assert client.post(f"{QUEUE}{rows['root'].pk}/delete/", {"post": "yes"}).status_code == 403
    assert Comment.objects.count() == 2


def test_ban_author_action_bans_each_author_once(client, moderator, article):
    troll, colleague = UserFactory(username="troll"), StaffFactory(username="colleague")
    rows = build(
        article,
        [C("one", author=troll), C("two", author=troll), C("three", author=colleague)],
    )

    response = bulk(client, "ban_authors", rows.values())

    assertContains(response, "1 author banned.")
    assertContains(response, "Not banned (staff): colleague.")
    ban = Ban.objects.get()
    assert (ban.user, ban.created_by) == (troll, moderator)


# The comment page --------------------------------------------------------------


def test_editing_the_text_goes_through_the_edit_service(client, moderator, article):
    author = UserFactory()
    rows = build(article, [C("Original words", author=author)])
    comment = rows["Original words"]
    data = change_form_data(client, comment)
    data["body"] = "Words a moderator changed"

    response = client.post(f"{QUEUE}{comment.pk}/change/", data)

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Words a moderator changed"
    assert comment.body_html == "<p>Words a moderator changed</p>"
    assert comment.edited_by_moderator is True
    assert CommentVersion.objects.get(comment=comment).body == "Original words"


def test_the_comment_page_shows_reports_and_the_log_and_moderates(client, moderator, article):
    reader = UserFactory(username="careful_reader")
    rows = build(article, [C("held for review", status=Status.PENDING)])
    comment = rows["held for review"]
    Flag.objects.create(
        user=reader, comment=comment, reason=Flag.Reason.OFF_TOPIC, note="not about this"
    )
    data = change_form_data(client, comment)

    page = client.get(f"{QUEUE}{comment.pk}/change/")
    assertContains(page, "not about this")
    approve_button = '<button type="submit" name="_moderate" value="approve">Approve</button>'
    assertContains(page, approve_button, html=True)
    assertNotContains(page, 'value="restore"')

    response = client.post(
        f"{QUEUE}{comment.pk}/change/", {**data, "_moderate": "approve"}, follow=True
    )

    assertContains(response, "Approve: 1 comment changed.")
    comment.refresh_from_db()
    assert comment.status == Status.PUBLISHED
    assert ModerationAction.objects.get().action == "approve"
    assertContains(response, "Moderation log")


def test_the_comment_page_names_the_story_and_each_report(client, moderator):
    story = ArticleFactory(title="Lighthouse to stay lit")
    troll = UserFactory(username="troll99")
    rows = build(story, [C("nasty words", author=troll)])
    comment = rows["nasty words"]
    comment_flag(comment=comment, user=UserFactory(), reason=Flag.Reason.SPAM)

    page = client.get(f"{QUEUE}{comment.pk}/change/")

    assertContains(page, f"Comment {comment.pk} by troll99 on “Lighthouse to stay lit”")
    assertContains(page, f"Report on comment {comment.pk}: Spam")
    assertNotContains(page, "Flag object")


def audit_log_queries(client, moderator, count: int) -> int:
    story = ArticleFactory()
    rows = build(
        story, [C(f"held {n}", author=UserFactory(), status=Status.PENDING) for n in range(count)]
    )
    comment_moderate(comments=list(rows.values()), moderator=moderator, action="approve")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:comments_moderationaction_changelist"))
    for comment in rows.values():
        name = f"Comment {comment.pk} by {comment.author.username} on “{story.title}”"
        assertContains(response, name)
    return len(queries)


def test_the_audit_log_names_each_story_in_the_same_queries_for_2_or_20(client, moderator):
    few = audit_log_queries(client, moderator, 2)
    ModerationAction.objects.all().delete()
    many = audit_log_queries(client, moderator, 20)

    assert few == many


# The audit log, bans and phrases ---------------------------------------------------


def test_the_audit_log_is_read_only_and_filters_by_moderator(client, moderator, article):
    other = StaffFactory(username="night_shift")
    rows = build(article, [C("a", status=Status.PENDING), C("b", status=Status.PENDING)])
    comment_moderate(comments=[rows["a"]], moderator=moderator, action="approve")
    comment_moderate(comments=[rows["b"]], moderator=other, action="remove")
    log_url = reverse("admin:comments_moderationaction_changelist")

    response = client.get(f"{log_url}?moderator__id__exact={other.pk}")

    entries = list(response.context["cl"].result_list)
    assert [(e.comment_id, e.action) for e in entries] == [(rows["b"].pk, "remove")]
    assertContains(response, "Pending moderation → Removed")
    assert client.get(f"{log_url}add/").status_code == 403
    assert list(client.get(f"{log_url}?action=approve").context["cl"].result_list) == [
        ModerationAction.objects.get(action="approve")
    ]


def test_adding_a_ban_records_who_banned(client, moderator):
    reader = UserFactory()

    response = client.post(
        reverse("admin:comments_ban_add"), {"user": reader.pk, "reason": "Spam links", "until": ""}
    )

    assert response.status_code == 302
    ban = Ban.objects.get()
    assert (ban.user, ban.reason, ban.created_by) == (reader, "Spam links", moderator)


def test_blocked_phrases_can_be_switched_off_from_the_list(client, moderator):
    from comments.models import BlockedPhrase

    phrase = BlockedPhrase.objects.create(phrase="cheap pills")
    url = reverse("admin:comments_blockedphrase_changelist")

    response = client.post(
        url,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(phrase.pk),
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    phrase.refresh_from_db()
    assert phrase.is_active is False


def test_readers_cannot_open_the_queue(client, user):
    client.force_login(user)

    response = client.get(QUEUE)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_removed_comment_is_read_only_and_can_be_restored(client, moderator, article):
    rows = build(article, [C("said too much", status=Status.REMOVED)])
    comment = rows["said too much"]
    data = change_form_data(client, comment)
    assert "body" not in data  # no longer editable, only restorable

    response = client.post(
        f"{QUEUE}{comment.pk}/change/", {**data, "_moderate": "restore"}, follow=True
    )

    assertContains(response, "Restore: 1 comment changed.")
    comment.refresh_from_db()
    assert (comment.status, comment.body) == (Status.PUBLISHED, "said too much")


# The comment page: conversation and notes ---------------------------------------


def test_the_comment_page_shows_what_it_answers_and_its_replies(client, moderator, article):
    #  Opening remark
    #  └── The held one          <- opened
    #      ├── A published reply
    #      └── A removed reply
    rows = build(
        article,
        [
            C(
                "Opening remark",
                [
                    C(
                        "The held one",
                        [C("A published reply"), C("A removed reply", status=Status.REMOVED)],
                        status=Status.PENDING,
                    )
                ],
            )
        ],
    )

    page = client.get(f"{QUEUE}{rows['The held one'].pk}/change/")

    assertContains(page, "Conversation")
    for role, key, status in [
        ("In reply to", "Opening remark", "Published"),
        ("Reply", "A published reply", "Published"),
        ("Reply", "A removed reply", "Removed"),
    ]:
        comment = rows[key]
        assertContains(
            page,
            f"<li><strong>{role}</strong> ({comment.display_name}, {status}): "
            f'<a href="{QUEUE}{comment.pk}/change/">{key}</a></li>',
            html=True,
        )


def test_a_moderator_note_is_kept_for_moderators_and_never_shown_to_readers(
    client, moderator, article
):
    rows = build(article, [C("borderline joke", status=Status.PENDING)])
    comment = rows["borderline joke"]
    data = change_form_data(client, comment)

    saved = client.post(
        f"{QUEUE}{comment.pk}/change/",
        {**data, "moderator_note": "Asked the desk; leave it for now."},
        follow=True,
    )
    decided = client.post(
        f"{QUEUE}{comment.pk}/change/",
        {**data, "moderator_note": "Desk says fine.", "_moderate": "approve"},
        follow=True,
    )

    assertContains(saved, "Note added for the other moderators.")
    assertContains(decided, "Asked the desk; leave it for now.")
    assertContains(decided, "Desk says fine.")
    log = list(ModerationAction.objects.order_by("pk").values_list("action", "note"))
    assert log == [("note", "Asked the desk; leave it for now."), ("approve", "Desk says fine.")]
    client.logout()
    story = client.get(article.get_absolute_url())
    assertContains(story, "borderline joke")
    assertNotContains(story, "Desk says fine.")
    assertNotContains(story, "Asked the desk")


# The author's history ---------------------------------------------------------------


def test_search_finds_comments_by_author_name_email_and_ip(client, moderator, article):
    build(article, [C("from elsewhere", author=UserFactory(username="someone"))])
    rows = build(article, [C("from the troll", author=UserFactory(username="troll99"))])
    Comment.objects.filter(pk=rows["from the troll"].pk).update(ip_address="203.0.113.9")

    for term in ["troll99", "troll99@example.com", "203.0.113.9"]:
        assert listed(client.get(f"{QUEUE}?status=all&q={term}")) == {"from the troll"}, term
    assert listed(client.get(f"{QUEUE}?status=all&q=203.0.113.1")) == set()


def test_the_author_history_shows_comments_decisions_reports_and_bans(client, moderator, article):
    troll = UserFactory(username="troll99")
    rows = build(
        article,
        [
            C("first rant", author=troll),
            C("second rant", author=troll, status=Status.PENDING),
            C("someone else's", author=UserFactory()),
        ],
    )
    comment_flag(
        comment=rows["first rant"], user=UserFactory(username="alert_reader"), reason="abuse"
    )
    comment_moderate(
        comments=[rows["second rant"]], moderator=moderator, action="spam", note="Link farm"
    )
    user_ban(user=troll, moderator=moderator, reason="Repeated abuse")
    user_unban(user=troll, moderator=moderator)
    user_ban(user=troll, moderator=moderator, reason="Back at it")

    queue = client.get(f"{QUEUE}?status=all")
    history_url = reverse("admin:comments_comment_author", args=[troll.pk])
    assertContains(queue, f'<a href="{history_url}">troll99</a>', html=True)
    page = client.get(history_url)

    assertContains(page, "<h1>History of troll99</h1>", html=True)
    assertContains(page, "Comments (2)")
    assertContains(page, "first rant")
    assertContains(page, "second rant")
    assertNotContains(page, "someone else's")
    assertContains(page, "Link farm")
    assertContains(page, "alert_reader")
    assertContains(page, "Abusive or harassing")
    assertContains(page, "Repeated abuse (until lifted)")
    assertContains(page, "Ban lifted")
    assertContains(page, "Banned until lifted: Back at it.")


def test_the_author_history_takes_the_same_queries_however_long(
    client, moderator, django_assert_num_queries
):
    quiet, busy = UserFactory(), UserFactory()
    build(ArticleFactory(), [C("only one", author=quiet)])
    rows = build(ArticleFactory(), [C(f"rant {n}", author=busy) for n in range(30)])
    for comment in list(rows.values())[:10]:
        comment_flag(comment=comment, user=UserFactory(), reason="spam")
    comment_moderate(comments=list(rows.values()), moderator=moderator, action="remove")
    user_ban(user=busy, moderator=moderator, reason="Enough")
    client.get(reverse("admin:comments_comment_author", args=[quiet.pk]))  # warm caches

    # Session, user, the author, the menu's two counts, the six reads of the
    # history, whoever it is.
    with django_assert_num_queries(11):
        client.get(reverse("admin:comments_comment_author", args=[quiet.pk]))
    with django_assert_num_queries(11):
        client.get(reverse("admin:comments_comment_author", args=[busy.pk]))


@pytest.mark.parametrize(("role", "status"), [("editor_group", 200), ("plain_staff", 403)])
def test_only_moderators_open_an_author_history(client, role, status):
    author = UserFactory()
    viewer = UserFactory(username=role, is_staff=True)
    if role == "editor_group":
        viewer.groups.add(editors_group())
    client.force_login(viewer)

    response = client.get(reverse("admin:comments_comment_author", args=[author.pk]))

    assert response.status_code == status


# Bans in the audit log -----------------------------------------------------------------


def test_bans_and_unbans_in_the_admin_are_in_the_audit_log(client, moderator):
    reader = UserFactory(username="shouty")
    client.post(
        reverse("admin:comments_ban_add"), {"user": reader.pk, "reason": "Shouting", "until": ""}
    )
    ban = Ban.objects.get()
    client.post(reverse("admin:comments_ban_delete", args=[ban.pk]), {"post": "yes"})

    assert not Ban.objects.exists()
    log = list(
        ModerationAction.objects.order_by("pk").values_list("action", "reader", "moderator", "note")
    )
    assert log == [
        ("ban", reader.pk, moderator.pk, "Shouting (until lifted)"),
        ("unban", reader.pk, moderator.pk, ""),
    ]
    audit = client.get(reverse("admin:comments_moderationaction_changelist"))
    history_url = reverse("admin:comments_comment_author", args=[reader.pk])
    assertContains(audit, f'<a href="{history_url}">shouty</a>', html=True, count=2)
