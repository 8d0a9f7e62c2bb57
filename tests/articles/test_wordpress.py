"""`manage.py import_wordpress`: WordPress exports (WXR) in, with their threads."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, Source, Tag
from articles.wordpress.importing import NOTE_PASSWORD
from comments.integrity import all_problems
from comments.models import Comment
from comments.services import comment_moderate
from tests.comments.conftest import tree_shape
from tests.factories import ArticleFactory

FIXTURES = Path(__file__).parent / "fixtures"
EXPORT = FIXTURES / "wordpress.xml"
SITE = "https://gazette.example.org"

pytestmark = pytest.mark.django_db


def import_wordpress(*args) -> str:
    out = StringIO()
    call_command("import_wordpress", *map(str, args), stdout=out, stderr=StringIO())
    return out.getvalue()


def story(post_id: int) -> Article:
    return Article.objects.get(import_key=f"wp:{SITE}#{post_id}")


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Article, Source, Tag, Comment)}


def test_posts_become_stories_and_everything_else_is_skipped_and_counted():
    output = import_wordpress(EXPORT)

    assert "stories created: 7" in output
    assert "skipped (pages): 1" in output
    assert "skipped (attachments): 1" in output
    assert "skipped (nav menu items): 1" in output
    assert "pingbacks and trackbacks skipped (not readers' comments): 2" in output
    ferry = story(11)
    assert ferry.title == "Ferry returns to Skärgård"
    assert ferry.slug == "ferry-returns"
    assert ferry.byline == "Zoë Ångström"
    assert ferry.standfirst == "The ferry is back & running."
    assert ferry.original_url == f"{SITE}/2021/03/01/ferry-returns/"
    assert ferry.source.name == "Harbour Town Gazette"
    assert ferry.source.homepage_url == SITE
    assert ferry.published_at.isoformat() == "2021-03-01T09:30:00+00:00"
    assert ferry.is_published
    assert sorted(ferry.tags.values_list("name", flat=True)) == ["Ferries", "Harbour"]
    assert ferry.comments_open
    assert not story(17).comments_open


def test_content_is_sanitized_without_wordpress_markup():
    import_wordpress(EXPORT)
    body_html = story(11).body_html

    assert "wp:" not in body_html and "<!--" not in body_html
    assert "[caption" not in body_html and "[/caption]" not in body_html
    assert "[gallery" not in body_html
    assert "[sic]" in body_html  # text in brackets is not a shortcode
    assert "<script" not in body_html and "alert" not in body_html
    assert 'alt="The ferry at the quay"' in body_html
    assert 'alt="The old quay"' in body_html
    assert "<h2>What changes</h2>" in body_html
    assert "<li>Two sailings a day</li>" in body_html
    assert "<blockquote>" in body_html
    # Loose text became paragraphs the way WordPress shows it.
    assert (
        '<p>Timetables are at <a href="https://gazette.example.org/ferry">the ferry page</a> '
        "[sic].<br>\nAsk at the kiosk.</p>"
    ) in body_html
    assert "class=" not in body_html


def test_nothing_wordpress_kept_private_becomes_public(client):
    import_wordpress(EXPORT)

    for post_id in (12, 13, 14):  # draft, pending, private
        assert story(post_id).status == Article.Status.DRAFT
    scheduled = story(15)
    assert scheduled.publication_state == "Scheduled"
    assert scheduled.published_at.isoformat() == "2099-06-01T10:00:00+00:00"
    protected = story(16)
    assert protected.status == Article.Status.DRAFT
    assert protected.editor_note == NOTE_PASSWORD
    for post_id in (12, 13, 14, 15, 16):
        assert client.get(story(post_id).get_absolute_url()).status_code == 404
    # A draft without a slug in WordPress gets one from its title.
    assert story(12).slug == "council-draft-budget"


def test_comments_keep_their_thread_ten_deep_with_statuses_and_unicode(client):
    import_wordpress(EXPORT)
    ferry = story(11)

    # 101 > 102 > … > 110 (10 deep), and 123 replies to 101; then 120, 121, 122
    # at the top; the pingback 124 and trackback 125 are left out.
    expected = ["wp:101 - 0"]
    expected += [f"wp:{101 + n} wp:{100 + n} {n}" for n in range(1, 10)]
    expected += ["wp:123 wp:101 1", "wp:120 - 0", "wp:121 - 0", "wp:122 - 0"]
    assert tree_shape(ferry) == "\n".join(expected)
    statuses = dict(Comment.objects.filter(article=ferry).values_list("import_key", "status"))
    assert statuses["wp:101"] == Comment.Status.PUBLISHED
    assert statuses["wp:120"] == Comment.Status.PENDING
    assert statuses["wp:121"] == Comment.Status.SPAM
    assert statuses["wp:122"] == Comment.Status.REMOVED
    unicode = Comment.objects.get(article=ferry, import_key="wp:123")
    assert unicode.author_name == "山田 太郎"
    assert unicode.ip_address == "2001:db8::1"
    assert unicode.created_at.isoformat() == "2021-03-01T12:00:00+00:00"
    assert unicode.body_html == (
        "<p>日本語のコメント — ünïcödé <em>works</em> &amp; a link "
        '(<a href="https://example.com/x" rel="nofollow ugc noopener">https://example.com/x</a>)'
        "</p><p>Second paragraph</p>"
    )
    assert Comment.objects.get(import_key="wp:101").author_name == "Niamh Ó Súilleabháin"
    assert all_problems() == []

    page = client.get(ferry.get_absolute_url())
    assert page.status_code == 200
    assert "Niamh Ó Súilleabháin" in page.content.decode()
    assert "Reply at depth 1" in page.content.decode()
    for hidden in ("Waiting for a moderator", "Buy cheap watches", "Binned by the editor"):
        assert hidden not in page.content.decode()
    assert "mentioned on another blog" not in page.content.decode()


def test_commenters_email_and_website_are_kept_for_moderators_only(client, staff, tmp_path):
    text = EXPORT.read_text(encoding="utf-8")
    text = text.replace("reader102@example.net", "not an address")
    text = text.replace("https://reader102.example.net", "javascript:alert(1)")
    path = tmp_path / "export.xml"
    path.write_text(text, encoding="utf-8")

    import_wordpress(path)

    niamh = Comment.objects.get(import_key="wp:101")
    assert (niamh.author_email, niamh.author_url) == (
        "reader101@example.net", "https://reader101.example.net",
    )  # fmt: skip
    refused = Comment.objects.get(import_key="wp:102")
    assert (refused.author_email, refused.author_url) == ("", "")
    page = client.get(story(11).get_absolute_url()).content.decode()
    assert "Niamh Ó Súilleabháin" in page
    assert "reader101" not in page
    client.force_login(staff)
    admin_page = client.get(f"/admin/comments/comment/{niamh.pk}/change/")
    assert "reader101@example.net" in admin_page.content.decode()
    found = client.get("/admin/comments/comment/", {"q": "reader101@example.net", "status": "all"})
    assert [c.pk for c in found.context["cl"].result_list] == [niamh.pk]


def test_importing_again_updates_and_never_duplicates():
    import_wordpress(EXPORT)
    before = counts()

    output = import_wordpress(EXPORT)

    assert counts() == before
    assert "stories created: 0" in output
    assert "stories unchanged: 7" in output
    assert "of them new: 0" in output


def test_dry_run_says_what_would_happen_and_writes_nothing():
    output = import_wordpress(EXPORT, "--dry-run")

    assert counts() == {"Article": 0, "Source": 0, "Tag": 0, "Comment": 0}
    assert "stories would be created: 7" in output
    assert "Ferry returns to Skärgård (post 11)" in output
    assert "skipped (pages): 1" in output
    assert "Members only: password-protected, imported as a draft" in output
    assert "of them new (would be created): 16" in output


def test_dry_run_of_an_imported_file_says_nothing_would_be_created():
    import_wordpress(EXPORT)

    output = import_wordpress(EXPORT, "--dry-run")

    assert "stories would be created: 0" in output
    assert "stories would be updated: 7" in output
    assert "of them new (would be created): 0" in output


def test_source_option_names_the_source():
    import_wordpress(EXPORT, "--source", "The Gazette")

    assert story(11).source.name == "The Gazette"


@pytest.mark.parametrize(
    "name, line, reason",
    [
        ("wordpress_xxe.xml", 3, "refused: the file declares entities"),
        ("wordpress_bomb.xml", 3, "refused: the file declares entities"),
        ("wordpress_malformed.xml", 9, "the XML is malformed (mismatched tag)"),
    ],
)
def test_hostile_or_malformed_files_fail_with_file_and_line_and_write_nothing(name, line, reason):
    err = StringIO()
    with pytest.raises(CommandError, match="1 file not imported; nothing was written"):
        call_command("import_wordpress", str(FIXTURES / name), stdout=StringIO(), stderr=err)

    assert f"{FIXTURES / name}, line {line}: {reason}" in err.getvalue()
    # The malformed file's first item is well formed, and was not imported either.
    assert counts() == {"Article": 0, "Source": 0, "Tag": 0, "Comment": 0}


def test_a_bad_file_does_not_stop_the_good_ones():
    with pytest.raises(CommandError):
        import_wordpress(FIXTURES / "wordpress_bomb.xml", EXPORT)

    assert Article.objects.filter(import_key__startswith=f"wp:{SITE}#").count() == 7


def test_a_comment_loop_fails_with_the_post_line_and_writes_nothing(tmp_path):
    text = EXPORT.read_text(encoding="utf-8").replace(
        "<wp:comment_parent>0</wp:comment_parent>\n\t\t\t<wp:comment_user_id>0</wp:comment_user_id>"
        "\n\t\t</wp:comment>\n\t\t<wp:comment>\n\t\t\t<wp:comment_id>102</wp:comment_id>",
        "<wp:comment_parent>110</wp:comment_parent>\n\t\t\t<wp:comment_user_id>0"
        "</wp:comment_user_id>\n\t\t</wp:comment>\n\t\t<wp:comment>\n\t\t\t"
        "<wp:comment_id>102</wp:comment_id>",
        1,
    )
    assert text != EXPORT.read_text(encoding="utf-8")
    path = tmp_path / "loop.xml"
    path.write_text(text, encoding="utf-8")
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_wordpress", str(path), stdout=StringIO(), stderr=err)

    assert f"{path}, line 21: the comments of post 11 reply to each other in a loop" in (
        err.getvalue()
    )
    assert counts()["Article"] == 0


def test_reimport_hides_what_wordpress_now_hides_but_never_overrules_us(tmp_path, staff):
    import_wordpress(EXPORT)
    ferry = story(11)
    # An editor unpublishes the story here; a moderator approves the pending comment.
    Article.objects.filter(pk=ferry.pk).update(status=Article.Status.DRAFT)
    comment_moderate(
        comments=[Comment.objects.get(import_key="wp:120")], moderator=staff, action="approve"
    )
    # Meanwhile WordPress marked the first comment as spam.
    changed = tmp_path / "changed.xml"
    changed.write_text(
        EXPORT.read_text(encoding="utf-8").replace(
            "Reply at depth 1]]></wp:comment_content>\n"
            "\t\t\t<wp:comment_approved><![CDATA[1]]>",
            "Reply at depth 1]]></wp:comment_content>\n"
            "\t\t\t<wp:comment_approved><![CDATA[spam]]>",
        ),
        encoding="utf-8",
    )

    import_wordpress(changed)

    assert story(11).status == Article.Status.DRAFT
    assert Comment.objects.get(import_key="wp:101").status == Comment.Status.SPAM
    assert Comment.objects.get(import_key="wp:120").status == Comment.Status.PUBLISHED


def test_a_reimport_that_changes_a_story_changes_its_cached_page(client, tmp_path):
    import_wordpress(EXPORT)
    url = story(11).get_absolute_url()
    assert "Two sailings a day" in client.get(url).content.decode()  # now cached
    changed = tmp_path / "changed.xml"
    changed.write_text(
        EXPORT.read_text(encoding="utf-8")
        .replace("Two sailings a day", "Three sailings a day")
        .replace("Reply at depth 3", "Reply at depth three"),
        encoding="utf-8",
    )

    output = import_wordpress(changed)

    assert "stories updated: 1" in output
    page = client.get(url).content.decode()
    assert "Three sailings a day" in page and "Two sailings a day" not in page
    assert "Reply at depth three" in page


def test_a_slug_taken_by_another_story_is_made_unique():
    ArticleFactory(slug="ferry-returns")

    import_wordpress(EXPORT)

    assert story(11).slug == "ferry-returns-2"


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_earlier_wxr_versions_import_the_same(version, tmp_path):
    path = tmp_path / f"wxr-{version}.xml"
    path.write_text(
        EXPORT.read_text(encoding="utf-8").replace("export/1.2/", f"export/{version}/"),
        encoding="utf-8",
    )

    output = import_wordpress(path)

    assert "stories created: 7" in output
    assert Comment.objects.filter(article=story(11)).count() == 14
    assert story(11).standfirst == "The ferry is back & running."


def test_a_file_that_is_not_an_export_is_refused(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text('<?xml version="1.0"?>\n<feed><title>Atom</title></feed>\n')
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_wordpress", str(path), stdout=StringIO(), stderr=err)

    assert f"{path}, line 2: the file is not a WordPress export (it starts with <feed>)" in (
        err.getvalue()
    )
