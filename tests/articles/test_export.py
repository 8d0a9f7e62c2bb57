"""`manage.py export_article` and the JSON side of `manage.py import_article`."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from articles.models import Article, Source, Tag
from comments.models import Comment, CommentVersion, Like
from comments.services import comment_create, comment_delete, comment_edit, like_toggle
from comments.services.moderation import comment_feature, comment_moderate
from tests.comments.conftest import tree_shape
from tests.factories import ArticleFactory, SourceFactory, TagFactory, UserFactory

SAMPLE = Path(django_settings.BASE_DIR) / "articles/demo/kim-dialogue-and-confrontation.txt"
SAMPLE_SLUG = "kim-jong-un-prepares-for-dialogue-and-confrontation-with-the-us"

pytestmark = pytest.mark.django_db


def export(slug: str) -> str:
    out = StringIO()
    call_command("export_article", slug, stdout=out)
    return out.getvalue()


def import_(*args) -> str:
    out = StringIO()
    call_command("import_article", *map(str, args), stdout=out)
    return out.getvalue()


def save(tmp_path, text: str, name: str = "story.json") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def wipe_archive() -> None:
    """An empty archive: no stories, threads, sources or tags (accounts stay)."""
    Comment.objects.all().delete()
    Article.objects.all().delete()
    Source.objects.all().delete()
    Tag.objects.all().delete()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Article, Source, Tag, Comment, CommentVersion)
    }


@pytest.fixture
def conversation(staff, settings):
    """A story with a thread that uses every part of the format.

        alice: "First thoughts, take three"  (edited twice, 2 likes here)
        └── [deleted by its author]
            └── carol: "Still here"           (pending moderation)
        dave: "Buy cheap pills"               (removed)
        erin: "Fixed by a moderator"          (edited by staff)
    """
    article = ArticleFactory(
        title="Harbour reopens",
        slug="harbour-reopens",
        standfirst="Boats are back.",
        byline="Ann Writer",
        body="The harbour *reopened* today.\n\n## Next\n\nMore soon.",
        original_url="https://example.com/harbour",
        source=SourceFactory(name="Coast News", slug="coast-news"),
        tags=[TagFactory(name="Sea", slug="sea"), TagFactory(name="Boats", slug="boats")],
        comments_close_after_days=30,
    )
    alice, bob, carol, dave, erin = (
        UserFactory(username=name) for name in ("alice", "bob", "carol", "dave", "erin")
    )
    first = comment_create(article=article, author=alice, body="First thoughts")
    comment_edit(comment=first, editor=alice, body="First thoughts, take two")
    comment_edit(comment=first, editor=alice, body="First thoughts, take three")
    like_toggle(comment=first, user=bob)
    like_toggle(comment=first, user=carol)
    gone = comment_create(article=article, author=bob, body="I take it back", parent=first)
    settings.NEWSROOM_PREMODERATE_NEW_COMMENTERS = True
    comment_create(article=article, author=carol, body="Still here", parent=gone)
    settings.NEWSROOM_PREMODERATE_NEW_COMMENTERS = False
    comment_delete(comment=gone, actor=bob)
    spam = comment_create(article=article, author=dave, body="Buy cheap pills")
    comment_moderate(comments=[spam], moderator=staff, action="remove")
    fixed = comment_create(article=article, author=erin, body="Rude words")
    comment_edit(comment=fixed, editor=staff, body="Fixed by a moderator")
    return article


# Export ----------------------------------------------------------------------


def test_export_of_the_imported_sample_holds_the_story_and_its_nested_thread():
    import_(SAMPLE)

    document = json.loads(export(SAMPLE_SLUG))

    assert (document["format"], document["version"]) == ("newsroom-article", 1)
    story = document["article"]
    assert story["title"] == "Kim Jong-un prepares for ‘dialogue and confrontation’ with the US"
    assert "## A fraught relationship" in story["body"]
    assert story["source"]["name"] == "BBC"
    assert story["source"]["copyright_notice"] == "(c) BBC"
    assert story["published_at"].endswith("+00:00")
    [first] = document["comments"]
    [reply] = first["replies"]
    assert (first["key"], first["likes"], first["author"]) == ("1", 4, "Reader")
    assert first["body"].startswith("> “Pyongyang may return to negotiations")
    assert (reply["key"], reply["likes"], reply["replies"]) == ("1.1", 3, [])
    assert reply["body"].startswith("Good point but they may also think")


def test_export_records_statuses_history_deletions_and_likes(conversation):
    document = json.loads(export("harbour-reopens"))

    story = document["article"]
    assert [tag["slug"] for tag in story["tags"]] == ["boats", "sea"]
    assert story["comments_close_after_days"] == 30
    first, removed, moderated = document["comments"]
    assert (first["author"], first["body"], first["likes"]) == (
        "alice",
        "First thoughts, take three",
        2,
    )
    assert [v["body"] for v in first["versions"]] == ["First thoughts", "First thoughts, take two"]
    [deleted] = first["replies"]
    assert (deleted["body"], deleted["versions"]) == ("", [])
    assert deleted["deleted_at"] is not None
    [pending] = deleted["replies"]
    assert (pending["author"], pending["status"]) == ("carol", "pending")
    assert removed["status"] == "removed"
    assert (moderated["body"], moderated["edited_by_moderator"]) == ("Fixed by a moderator", True)
    # Comments written here are keyed by their position in the thread.
    keys = [first["key"], deleted["key"], pending["key"], removed["key"]]
    assert keys == ["1", "1.1", "1.1.1", "2"]


def test_export_of_an_unknown_story_fails():
    with pytest.raises(CommandError, match="No story has the slug 'nope'"):
        export("nope")


def test_export_to_a_file_writes_the_same_json(conversation, tmp_path):
    path = tmp_path / "harbour.json"

    call_command("export_article", "harbour-reopens", "--output", str(path), stderr=StringIO())

    assert path.read_text(encoding="utf-8") == export("harbour-reopens")


# Round trip ------------------------------------------------------------------


def test_export_import_into_an_empty_archive_export_is_identical(conversation, tmp_path):
    before = export("harbour-reopens")
    wipe_archive()

    output = import_(save(tmp_path, before))

    assert "Imported Harbour reopens" in output
    assert "(5 comments)" in output
    assert export("harbour-reopens") == before
    # The readers' names came across as names, not accounts.
    first = Comment.objects.get(import_key="1")
    assert (first.author, first.author_name, first.like_count) == (None, "alice", 2)
    # 1
    # └── 1.1 (deleted)
    #     └── 1.1.1
    # 2
    # 3
    assert tree_shape(Article.objects.get()) == "1 - 0\n1.1 1 1\n1.1.1 1.1 2\n2 - 0\n3 - 0"


def test_editors_picks_travel_in_the_export_and_round_trip_identically(
    conversation, staff, tmp_path
):
    erin = Comment.objects.get(body="Fixed by a moderator")
    comment_feature(comment=erin, moderator=staff, featured=True)
    before = export("harbour-reopens")
    picks = [c for c in json.loads(before)["comments"] if c["featured_at"]]
    assert [c["author"] for c in picks] == ["erin"]
    wipe_archive()

    import_(save(tmp_path, before))

    assert export("harbour-reopens") == before
    assert list(
        Comment.objects.filter(featured_at__isnull=False).values_list("body", flat=True)
    ) == ["Fixed by a moderator"]


def test_imported_likes_are_a_baseline_that_new_likes_add_to(conversation, tmp_path):
    text = export("harbour-reopens")
    wipe_archive()
    import_(save(tmp_path, text))
    first = Comment.objects.get(import_key="1")

    assert like_toggle(comment=first, user=UserFactory()) == (True, 3)
    assert json.loads(export("harbour-reopens"))["comments"][0]["likes"] == 3


def test_sample_round_trips_through_json(tmp_path):
    import_(SAMPLE)
    before = export(SAMPLE_SLUG)
    wipe_archive()

    import_(save(tmp_path, before))

    assert export(SAMPLE_SLUG) == before


# Re-import -------------------------------------------------------------------


def test_reimporting_json_changes_nothing(conversation, tmp_path):
    path = save(tmp_path, export("harbour-reopens"))
    wipe_archive()
    import_(path)
    before = counts()
    updated_at = Article.objects.get().updated_at

    output = import_(path)

    assert "Updated Harbour reopens" in output
    assert "0 new" in output
    assert counts() == before
    assert Article.objects.get().updated_at == updated_at
    assert export("harbour-reopens") == path.read_text(encoding="utf-8")


def test_importing_an_export_into_its_own_archive_neither_copies_comments_nor_doubles_likes(
    conversation, tmp_path
):
    text = export("harbour-reopens")
    before = counts()

    import_(save(tmp_path, text))

    assert counts() == before
    first = Comment.objects.get(body="First thoughts, take three")
    assert (first.import_key, first.like_count, Like.objects.filter(comment=first).count()) == (
        "1",
        2,
        2,
    )
    # The edit history was left as it was, with who replaced each text.
    assert {v.replaced_by.username for v in first.versions.all()} == {"alice"}
    assert export("harbour-reopens") == text


def test_reimport_restores_the_exported_record(conversation, tmp_path, staff):
    path = save(tmp_path, export("harbour-reopens"))
    wipe_archive()
    import_(path)
    removed = Comment.objects.get(import_key="2")
    comment_moderate(comments=[removed], moderator=staff, action="restore")
    Article.objects.update(title="Renamed")

    import_(path)

    removed.refresh_from_db()
    assert removed.status == "removed"
    assert Article.objects.get().title == "Harbour reopens"


# Errors and dry run ----------------------------------------------------------


def test_malformed_json_fails_with_the_file_and_line(tmp_path):
    path = save(tmp_path, '{\n  "format": "newsroom-article",\n  "version": 1,,\n}\n')

    with pytest.raises(CommandError) as caught:
        import_(path)

    assert f"{path}, line 3: not valid JSON" in str(caught.value)
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="something-else"), "the format is 'something-else'"),
        (lambda d: d.update(version=2), "version 2 is not supported"),
        (lambda d: d["article"].pop("title"), "article is missing “title”"),
        (lambda d: d["comments"][0].pop("body"), "comments[0] is missing “body”"),
        (
            lambda d: d["comments"][0]["replies"][0].update(status="lost"),
            "comments[0].replies[0].status must be one of",
        ),
        (lambda d: d["comments"][0].update(likes=-1), "comments[0].likes cannot be negative"),
        (
            lambda d: d["comments"][0].update(created_at="2021-06-18 09:00"),
            "comments[0].created_at has no time zone offset",
        ),
        (lambda d: d["article"].update(comments_open="yes"), "article.comments_open has the wrong"),
        (
            lambda d: d["article"].update(comments_close_after_days=True),
            "article.comments_close_after_days has the wrong type",
        ),
        (lambda d: d["comments"][0].update(body="a\x00b"), "comments[0].body contains a NUL"),
        (lambda d: d["article"].update(status="archived"), "article: status:"),
        (lambda d: d["article"].update(slug="not a slug"), "article: slug:"),
    ],
    ids=[
        "format",
        "version",
        "article-field",
        "comment-field",
        "status",
        "likes",
        "naive-time",
        "bool-type",
        "bool-as-int",
        "nul",
        "article-status",
        "slug",
    ],
)
def test_documents_that_break_the_format_fail_and_write_nothing(tmp_path, change, message):
    import_(SAMPLE)
    document = json.loads(export(SAMPLE_SLUG))
    wipe_archive()
    change(document)
    path = save(tmp_path, json.dumps(document))

    with pytest.raises(CommandError, match="^" + str(path)) as caught:
        import_(path)

    assert message in str(caught.value)
    assert counts() == {name: 0 for name in counts()}


def test_page_options_are_refused_for_json(tmp_path):
    import_(SAMPLE)
    path = save(tmp_path, export(SAMPLE_SLUG))

    with pytest.raises(CommandError, match="--byline apply to page files only"):
        import_(path, "--byline", "Someone")


def test_json_is_recognised_by_its_content_without_the_extension(tmp_path):
    import_(SAMPLE)
    text = export(SAMPLE_SLUG)
    wipe_archive()

    import_(save(tmp_path, text, name="story.txt"))

    assert export(SAMPLE_SLUG) == text


def test_dry_run_of_json_shows_the_thread_and_writes_nothing(conversation, tmp_path):
    path = save(tmp_path, export("harbour-reopens"))
    wipe_archive()

    output = import_(path, "--dry-run")

    assert f"{path} (dry run, nothing written)" in output
    assert "Title: Harbour reopens" in output
    assert "Tags: Boats, Sea" in output
    assert "Comments: 5" in output
    assert "    1 alice [2 likes, published]: First thoughts, take three" in output
    assert "      1.1 bob [0 likes, published]: [deleted]" in output
    assert "        1.1.1 carol [0 likes, pending]: Still here" in output
    assert counts() == {name: 0 for name in counts()}
