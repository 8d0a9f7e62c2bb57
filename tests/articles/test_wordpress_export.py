"""`manage.py export_wordpress`: our stories and threads as WXR 1.2, and back."""

from datetime import timedelta
from io import StringIO
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.models import Article, Source, Tag
from comments.models import Comment
from comments.services import comment_create, comment_delete, comment_moderate
from tests.factories import ArticleFactory, SourceFactory, TagFactory, UserFactory

FIXTURES = Path(__file__).parent / "fixtures"
WP = "{http://wordpress.org/export/1.2/}"

pytestmark = pytest.mark.django_db


def export(*args) -> str:
    out = StringIO()
    call_command("export_wordpress", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def import_wordpress(path) -> str:
    out = StringIO()
    call_command("import_wordpress", str(path), stdout=out, stderr=StringIO())
    return out.getvalue()


def wipe_archive() -> None:
    Comment.objects.all().delete()
    Article.objects.all().delete()
    Source.objects.all().delete()
    Tag.objects.all().delete()


@pytest.fixture
def archive(staff, settings):
    """Stories written here in every state, with threads, next to an imported blog."""
    import_wordpress(FIXTURES / "wordpress.xml")
    harbour = ArticleFactory(
        title="Harbour reopens — “at last”",
        slug="harbour-reopens",
        standfirst="Boats <are> back & busy.",
        byline="Ann Writer",
        body=(
            "The harbour *reopened* today -- \"finally\".[^1]\n\n## Next\n\n- one\n- two\n\n"
            "> A quote\n\n| Boat | Berth |\n|:--|--:|\n| Ada | 4 |\n\n"
            "![A boat at dawn](https://example.com/boat.jpg)\n\n"
            "[Timetable](https://example.com/t)\n\n[^1]: A footnote."
        ),
        original_url="https://example.com/harbour",
        source=SourceFactory(name="Coast News", slug="coast-news"),
        tags=[TagFactory(name="Sea", slug="sea"), TagFactory(name="Boats", slug="boats")],
    )
    alice, bob, carol = (UserFactory(username=name) for name in ("alice", "bob", "carol"))
    first = comment_create(
        article=harbour,
        author=alice,
        body="First <em>thoughts</em>: x < y & z\n\nSee https://example.com",
        ip_address="192.0.2.7",
    )
    gone = comment_create(article=harbour, author=bob, body="I take it back", parent=first)
    comment_create(article=harbour, author=carol, body="Ünïcödé 日本語 ]]> end", parent=gone)
    comment_delete(comment=gone, actor=bob)
    spam = comment_create(article=harbour, author=bob, body="Buy cheap pills")
    comment_moderate(comments=[spam], moderator=staff, action="remove")
    settings.NEWSROOM_PREMODERATE_NEW_COMMENTERS = True
    comment_create(article=harbour, author=UserFactory(username="dave"), body="Held back")
    settings.NEWSROOM_PREMODERATE_NEW_COMMENTERS = False
    ArticleFactory(
        title="Draft budget", slug="draft-budget", status=Article.Status.DRAFT, byline=""
    )
    ArticleFactory(
        title="Festival",
        slug="festival",
        published_at=timezone.now() + timedelta(days=30),
        comments_open=False,
        original_url="",
    )
    return harbour


def test_export_import_into_an_empty_archive_export_is_identical(archive, tmp_path):
    before = export()
    assert before.count("<item>") == 10
    path = tmp_path / "export.xml"
    path.write_text(before, encoding="utf-8")
    wipe_archive()

    output = import_wordpress(path)

    assert "stories created: 10" in output
    assert export() == before
    # And importing it again changes nothing.
    assert "stories unchanged: 10" in import_wordpress(path)
    assert export() == before


def test_export_holds_the_story_and_its_thread(archive):
    root = ElementTree.fromstring(export("--story", "harbour-reopens"))
    (item,) = root.iter("item")

    assert item.findtext("title") == "Harbour reopens — “at last”"
    assert item.findtext(f"{WP}post_name") == "harbour-reopens"
    assert item.findtext(f"{WP}status") == "publish"
    assert [c.get("nicename") for c in item.iter("category")] == ["boats", "sea"]
    comments = [
        (
            c.findtext(f"{WP}comment_author"),
            c.findtext(f"{WP}comment_approved"),
            c.findtext(f"{WP}comment_content"),
        )
        for c in item.iter(f"{WP}comment")
    ]
    assert comments == [
        ("alice", "1", "First <em>thoughts</em>: x &lt; y &amp; z\n\nSee https://example.com"),
        ("bob", "trash", ""),
        ("carol", "1", "Ünïcödé 日本語 ]]&gt; end"),
        ("bob", "trash", "Buy cheap pills"),
        ("dave", "0", "Held back"),
    ]
    ids = [c.findtext(f"{WP}comment_id") for c in item.iter(f"{WP}comment")]
    parents = [c.findtext(f"{WP}comment_parent") for c in item.iter(f"{WP}comment")]
    assert parents == ["0", ids[0], ids[1], "0", "0"]
    assert item.find(f"{WP}comment/{WP}comment_author_IP").text == "192.0.2.7"


def test_imported_commenters_email_and_website_are_written_back(tmp_path):
    import_wordpress(Path(__file__).parent / "fixtures" / "wordpress.xml")
    ferry = Article.objects.get(import_key__endswith="#11")

    root = ElementTree.fromstring(export("--story", ferry.slug))

    niamh = next(
        c for c in root.iter(f"{WP}comment")
        if c.findtext(f"{WP}comment_author") == "Niamh Ó Súilleabháin"
    )  # fmt: skip
    assert niamh.findtext(f"{WP}comment_author_email") == "reader101@example.net"
    assert niamh.findtext(f"{WP}comment_author_url") == "https://reader101.example.net"


def test_drafts_and_scheduled_stories_keep_their_state(archive):
    root = ElementTree.fromstring(export("--story", "draft-budget", "festival"))
    states = {
        item.findtext(f"{WP}post_name"): (
            item.findtext(f"{WP}status"),
            item.findtext(f"{WP}comment_status"),
        )
        for item in root.iter("item")
    }
    assert states == {"draft-budget": ("draft", "open"), "festival": ("future", "closed")}


def test_export_to_a_file_writes_the_same_xml(archive, tmp_path):
    path = tmp_path / "out.xml"
    call_command("export_wordpress", "-o", str(path), stderr=StringIO())
    assert path.read_text(encoding="utf-8") == export()


def test_exporting_an_unknown_story_fails(archive):
    with pytest.raises(CommandError, match="No story with the slug nope"):
        export("--story", "nope")
