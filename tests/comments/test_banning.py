"""Banning, as a moderator in the Editors group does it (staff, not a
superuser, without any permission on user accounts), and what the banned
reader is told."""

import importlib
import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.management.commands.ensure_editor import editors_group
from comments.models import Ban, Comment, Flag
from comments.services.moderation import user_ban
from tests.comments.threads import C, build
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUE = "/admin/comments/comment/"
STANDARD = "Your account may not comment because of comments that broke the discussion rules."
# What the admin's searchable select sends as the moderator types.
SELECT_QUERY = {"app_label": "comments", "model_name": "ban", "field_name": "user"}


@pytest.fixture
def moderator(client):
    moderator = StaffFactory(username="desk", is_superuser=False)
    moderator.groups.add(editors_group())
    client.force_login(moderator)
    return moderator


@pytest.fixture
def troll(db):
    return UserFactory(username="trollface", email="secret-address@example.com")


def _attr(html: str, pattern: str) -> str:
    return unescape(re.search(pattern, html).group(1))


def _links(html: str) -> dict[str, str]:
    """A page's links, by their text."""
    return {
        unescape(re.sub(r"<[^>]+>", "", text)).strip(): unescape(href)
        for href, text in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', html, re.S)
    }


def _post_comment(client, article, body="Hello again"):
    return client.post(reverse("comments:post", kwargs={"article_id": article.pk}), {"body": body})


# The ban form's reader lookup ------------------------------------------------


def test_the_ban_forms_reader_lookup_finds_readers_for_the_editors_group(
    client, moderator, troll, django_assert_num_queries
):
    fan = UserFactory(username="trolley_fan")
    StaffFactory(username="troll_of_staff")
    UserFactory(username="troll_closed", is_active=False)
    UserFactory(username="someone_else")
    form = client.get(reverse("admin:comments_ban_add"))
    assert form.status_code == 200
    lookup_url = _attr(form.content.decode(), r'data-ajax--url="([^"]+)"')

    # The session, the moderator, their own and their groups' permissions, the readers.
    with django_assert_num_queries(5):
        response = client.get(lookup_url, {**SELECT_QUERY, "term": "TROLL"})

    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {"id": str(fan.pk), "text": "trolley_fan"},
            {"id": str(troll.pk), "text": "trollface"},
        ],
        "pagination": {"more": False},
    }
    assert "example.com" not in response.content.decode()
    # Searching by email finds nobody: the lookup knows names only.
    by_email = client.get(lookup_url, {**SELECT_QUERY, "term": "secret-address"})
    assert by_email.json()["results"] == []


def test_the_reader_lookup_pages_in_the_same_number_of_queries(
    client, moderator, django_assert_num_queries
):
    for n in range(45):
        UserFactory(username=f"reader_{n:02d}")
    lookup_url = reverse("admin:comments_ban_readers")

    pages = []
    for page in (1, 2, 3):
        with django_assert_num_queries(5):
            pages.append(client.get(lookup_url, {**SELECT_QUERY, "term": "reader_", "page": page}))

    assert [len(p.json()["results"]) for p in pages] == [20, 20, 5]
    assert [p.json()["pagination"]["more"] for p in pages] == [True, True, False]
    assert pages[2].json()["results"][-1]["text"] == "reader_44"


def test_the_reader_lookup_is_for_moderators_only(client, troll):
    lookup_url = reverse("admin:comments_ban_readers")
    client.force_login(StaffFactory(is_superuser=False))  # staff without moderation rights

    assert client.get(lookup_url, {"term": "troll"}).status_code == 403
    client.force_login(troll)
    assert client.get(lookup_url, {"term": "troll"}).status_code == 302  # to the admin log-in


def test_an_editor_bans_a_reader_from_the_ban_form_through_the_service(client, moderator, troll):
    response = client.post(
        reverse("admin:comments_ban_add"),
        {"user": troll.pk, "reason": "", "note": "Three abusive replies", "until": ""},
    )

    assert response.status_code == 302
    ban = Ban.objects.get()
    assert (ban.user, ban.reason, ban.note, ban.created_by) == (
        troll, "", "Three abusive replies", moderator,
    )  # fmt: skip
    change = client.get(reverse("admin:comments_ban_change", args=[ban.pk]))
    assert change.status_code == 200
    assertNotContains(change, "secret-address")
    profile = reverse("accounts:profile", kwargs={"username": "trollface"})
    assert _links(change.content.decode())["trollface"] == profile
    assert client.get(profile).status_code == 200
    listing = client.get(reverse("admin:comments_ban_changelist"))
    assert _links(listing.content.decode())["trollface"] == reverse(
        "admin:comments_ban_change", args=[ban.pk]
    )
    assertNotContains(listing, "secret-address")


def test_changing_the_ban_of_a_reader_who_joined_the_staff_says_why_it_cannot(
    client, moderator, troll
):
    ban = user_ban(user=troll, moderator=moderator, reason="Abuse")
    troll.is_staff = True
    troll.save()

    response = client.post(
        reverse("admin:comments_ban_change", args=[ban.pk]),
        {"reason": "Abuse, again", "note": "", "until": ""},
    )

    assertContains(response, "trollface is on the staff now", status_code=200)
    ban.refresh_from_db()
    assert ban.reason == "Abuse"


def test_the_ban_form_says_the_reason_is_shown_to_the_reader(client, moderator):
    form = client.get(reverse("admin:comments_ban_add"))

    assertContains(form, "Reason shown to the reader")
    assertContains(form, "The reader sees this when they try to comment")
    assertContains(form, "Internal note")
    assertContains(form, "For moderators only")


# The comment's page in the admin ---------------------------------------------


def test_the_author_link_on_a_comment_page_opens_for_a_moderator(client, moderator, troll, article):
    comment = build(article, [C("You are all idiots", author=troll)])["You are all idiots"]
    Flag.objects.create(user=UserFactory(username="reporter"), comment=comment, reason="abuse")

    page = client.get(f"{QUEUE}{comment.pk}/change/")

    assert page.status_code == 200
    links = _links(page.content.decode())
    assert links["trollface"] == reverse("accounts:profile", kwargs={"username": "trollface"})
    assert client.get(links["trollface"]).status_code == 200
    theirs = client.get(links["their comments"])
    assert [c.pk for c in theirs.context["cl"].result_list] == [comment.pk]
    ban_form = client.get(links["Ban this author"])
    assert ban_form.status_code == 200
    assertContains(ban_form, f'<option value="{troll.pk}" selected>trollface</option>', html=True)
    assertContains(ban_form, f"Over comment {comment.pk} on")
    # Any other user the admin links to (here: who reported it) opens their public profile.
    reporter = client.get(links["reporter"])
    assert reporter.status_code == 302
    assert reporter["Location"] == reverse("accounts:profile", kwargs={"username": "reporter"})


def test_a_banned_authors_comment_page_links_to_the_ban(client, moderator, troll, article):
    comment = build(article, [C("Again", author=troll)])["Again"]
    ban = user_ban(user=troll, moderator=moderator, note="Earlier")

    links = _links(client.get(f"{QUEUE}{comment.pk}/change/").content.decode())

    assert "Ban this author" not in links
    assert links["Banned — change or lift the ban"] == reverse(
        "admin:comments_ban_change", args=[ban.pk]
    )


# Banning from the comment on the site ----------------------------------------


def test_a_moderator_bans_the_author_from_the_comment(client, moderator, troll, article):
    comment = build(article, [C("Rude words", author=troll)])["Rude words"]
    story = client.get(article.get_absolute_url()).content.decode()
    ban_url = reverse("comments:ban", kwargs={"pk": comment.pk})
    assert _links(story)["Ban author"] == ban_url

    form = client.get(ban_url)
    assertContains(form, "<h1>Ban trollface from commenting</h1>", html=True)
    assertContains(form, "Reason shown to the reader")
    ends = timezone.localdate() + timedelta(days=7)
    response = client.post(
        ban_url, {"reason": "Personal attacks", "until": ends.isoformat(), "note": "Warned twice"}
    )

    assert response.status_code == 302
    ban = Ban.objects.get()
    assert (ban.user, ban.reason, ban.note, ban.created_by) == (
        troll, "Personal attacks", "Warned twice", moderator,
    )  # fmt: skip
    assert timezone.localtime(ban.until).date() == ends
    assertContains(client.get(response["Location"]), "trollface may no longer comment.")
    client.force_login(troll)
    refused = _post_comment(client, article)
    assertContains(refused, "comment: Personal attacks (until", status_code=400)
    assertNotContains(refused, "Warned twice", status_code=400)


def test_readers_are_offered_no_ban_and_may_not_ban(client, troll, article):
    comment = build(article, [C("Rude words", author=troll)])["Rude words"]
    client.force_login(UserFactory())

    story = client.get(article.get_absolute_url()).content.decode()
    response = client.post(reverse("comments:ban", kwargs={"pk": comment.pk}), {"reason": "x"})

    assert "Ban author" not in story
    assert response.status_code == 403
    assert not Ban.objects.exists()


def test_the_ban_page_refuses_staff_and_past_days(client, moderator, troll, article):
    rows = build(article, [C("staff", author=StaffFactory()), C("reader", author=troll)])

    staff = client.post(reverse("comments:ban", kwargs={"pk": rows["staff"].pk}), {"reason": "x"})
    past = client.post(
        reverse("comments:ban", kwargs={"pk": rows["reader"].pk}),
        {"until": timezone.localdate().isoformat()},
    )

    assertContains(staff, "Staff accounts cannot be banned.", status_code=403)
    assertContains(past, "Choose a day after today", status_code=400)
    assert not Ban.objects.exists()


# What the banned reader is told -------------------------------------------------


def test_a_ban_without_a_reason_tells_the_reader_the_standard_wording(client, troll, article):
    user_ban(user=troll, moderator=StaffFactory(), note="Over comment 8 in the queue")
    client.force_login(troll)

    refused = _post_comment(client, article)

    assertContains(refused, STANDARD, status_code=400)
    assertContains(
        refused, f'<a href="{reverse("guidelines")}">Read the comment guidelines</a>',
        status_code=400, html=True,
    )  # fmt: skip
    assertNotContains(refused, "Over comment 8", status_code=400)
    assertContains(refused, "Hello again", status_code=400)  # the text is kept


def test_banning_from_the_queue_keeps_the_detail_for_moderators(client, moderator, troll, article):
    comment = build(article, [C("spam spam", author=troll)])["spam spam"]

    client.post(f"{QUEUE}?status=all", {"action": "ban_authors", "_selected_action": [comment.pk]})

    ban = Ban.objects.get()
    assert ban.reason == ""
    assert ban.note == f"Banned from the moderation queue over comment {comment.pk}."
    client.force_login(troll)
    refused = _post_comment(client, article)
    assertContains(refused, STANDARD, status_code=400)
    assertNotContains(refused, "moderation queue", status_code=400)
    assert Comment.objects.count() == 1


def test_bans_made_from_the_queue_before_keep_their_words_as_the_internal_note(troll):
    from django.apps import apps

    [path] = Path(__file__).parents[2].glob("comments/migrations/*_ban_internal_note.py")
    migration = importlib.import_module(f"comments.migrations.{path.stem}")
    old = Ban.objects.create(user=troll, reason="Banned from the moderation queue over comment 8.")
    kept = Ban.objects.create(user=UserFactory(), reason="Repeated personal attacks")

    migration.move_internal_reasons(apps, None)

    old.refresh_from_db()
    kept.refresh_from_db()
    assert (old.reason, old.note) == ("", "Banned from the moderation queue over comment 8.")
    assert (kept.reason, kept.note) == ("Repeated personal attacks", "")
