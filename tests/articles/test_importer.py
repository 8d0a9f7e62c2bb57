"""The article importer: the page parser, the store step and `manage.py import_article`."""

import zoneinfo
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path
from textwrap import dedent

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from articles import importer
from articles.importer import ParseError, parse_page, read_page
from articles.models import Article, Source
from articles.rendering import render_markdown
from comments.models import Comment
from tests.factories import SourceFactory, TagFactory

SAMPLE = Path(settings.BASE_DIR) / "articles/demo/kim-dialogue-and-confrontation.txt"
TITLE = "Kim Jong-un prepares for ‘dialogue and confrontation’ with the US"
SLUG = "kim-jong-un-prepares-for-dialogue-and-confrontation-with-the-us"
QUOTED_LINE = (
    "“Pyongyang may return to negotiations only after demonstrating strength with "
    "post-pandemic economic recovery and provocative military tests.”"
)


def page(text: str):
    return parse_page(dedent(text).lstrip("\n"), filename="page.txt")


def run(*args) -> str:
    out = StringIO()
    call_command("import_article", *map(str, args), stdout=out)
    return out.getvalue()


def write(tmp_path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def sample():
    return parse_page(read_page(SAMPLE), filename=SAMPLE.name)


# The parser on the sample page ------------------------------------------------


def test_sample_title_slug_and_subheading(sample):
    assert sample.title == TITLE  # the non-breaking space before "US" is a plain space
    assert sample.slug == SLUG
    assert sample.subheadings == ["A fraught relationship"]
    assert "\n\n## A fraught relationship\n\n" in sample.body


def test_sample_attribution_names_the_source(sample):
    assert sample.source_name == "BBC"
    assert sample.attribution == "(c) BBC"
    assert "(c) BBC" not in sample.body


def test_sample_comment_tree_likes_and_quote(sample):
    [first] = sample.comments
    [reply] = first.children
    assert (first.key, first.like_count, first.author_name) == ("1", 4, "Reader")
    assert (reply.key, reply.like_count, reply.children) == ("1.1", 3, [])
    assert first.body.startswith(f"> {QUOTED_LINE}\n\nThe old saying “an army marches")
    assert reply.body.startswith("Good point but they may also think")
    assert not reply.body.startswith(">")
    assert "Liked by" not in first.body + reply.body


def test_sample_page_chrome_after_leave_a_reply_is_ignored(sample):
    everything = sample.body + "".join(c.body for root in sample.comments for c in root.walk())
    for chrome in ("Facebook photo", "Leave a Reply", "Akismet", "Log Out"):
        assert chrome not in everything


def test_a_paragraph_that_is_entirely_a_quotation_stays_a_paragraph(sample):
    # It continues Leif-Eric Easley's words; a blockquote would cut it off from him.
    html = render_markdown(sample.body)
    assert f"<p>{QUOTED_LINE}</p>" in html
    assert "<blockquote>" not in html


# The parser on other shapes ---------------------------------------------------


def test_indentation_nests_replies_and_dedent_goes_back_up():
    # 1
    # ├── 1.1
    # │   └── 1.1.1
    # └── 1.2
    # 2
    parsed = page("""
        Title

        Story text.

        © Example News

        • One
          • One-one
              • One-one-one
                Liked by 1 person
          • One-two
        • Two
    """)

    def shape(comments, depth=0):
        for c in comments:
            yield f"{'  ' * depth}{c.key} {c.body} likes={c.like_count}"
            yield from shape(c.children, depth + 1)

    assert list(shape(parsed.comments)) == [
        "1 One likes=None",
        "  1.1 One-one likes=None",
        "    1.1.1 One-one-one likes=1",
        "  1.2 One-two likes=None",
        "2 Two likes=None",
    ]
    assert parsed.source_name == "Example News"


def test_comment_paragraphs_continuation_lines_and_named_author():
    parsed = page("""
        Title

        Story text here.

        (C) Example

        • Ann Example says:
            First paragraph
            still the first.

            Second paragraph.
            Liked by 12 people
    """)
    [comment] = parsed.comments
    assert comment.author_name == "Ann Example"
    assert comment.body == "First paragraph\nstill the first.\n\nSecond paragraph."
    assert comment.like_count == 12


def test_a_comment_repeating_a_story_sentence_quotes_it_but_a_short_reply_does_not():
    parsed = page("""
        Title

        The minister resigned on Tuesday. Nobody was surprised.

        © Example News

        • "The minister resigned on Tuesday."

          About time.

        • Nobody was surprised.
    """)
    quoting, short = parsed.comments
    assert quoting.body == '> "The minister resigned on Tuesday."\n\nAbout time.'
    assert short.body == "Nobody was surprised."  # under four words: never taken for a quote


def test_headings_need_story_text_on_both_sides_and_no_final_punctuation():
    parsed = page("""
        Title

        Opening line without a full stop

        Body paragraph.

        What happens next?

        A new chapter

        Closing paragraph.

        Last line without punctuation

        (c) Example News
    """)
    assert parsed.subheadings == ["A new chapter"]
    assert parsed.paragraph_count == 5


def test_story_text_that_looks_like_markup_renders_as_written():
    parsed = page("""
        Title

        1. Not a list, just a year-like number.

        # Not a heading, <b>not bold</b>, *not emphasis* and [not](a link).

        Not a footnote[^1].

        [^1]: Nor a note.

        (c) Example News
    """)
    html = render_markdown(parsed.body)
    assert "<ol>" not in html and "<h1>" not in html and "<em>" not in html
    assert "<sup" not in html and 'class="footnote' not in html
    assert "Not a footnote[^1].</p>" in html and "<p>[^1]: Nor a note.</p>" in html
    assert "1. Not a list" in html
    assert "# Not a heading, &lt;b&gt;not bold&lt;/b&gt;, *not emphasis* and [not](a link)." in html


def test_a_long_title_gives_a_slug_cut_at_a_word():
    parsed = page(f"{'Longword ' * 30}\n\nText.\n\n(c) BBC\n")
    assert len(parsed.slug) <= 100
    assert parsed.slug.endswith("-longword")


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("", 1, "the file is empty"),
        ("  \n\n \n", 1, "the file is empty"),
        ("Only a title\n\n", 1, "no story text"),
        ("• A comment first\n\nTitle\n", 1, "comment bullet comes before any story text"),
        ("Title\n\n  • A comment\n", 3, "comment bullet comes before any story text"),
        ("Title\n\n(c) BBC\n", 3, "no story text"),
        ("Leave a Reply\n\nTitle\n", 1, "before any story"),
        ("Title\n\nText.\n\nLiked by 4 people\n", 5, "with no comment above it"),
        ("Title\n\nText.\n\n(c) BBC\n\nLiked by 2 people\n", 7, "with no comment above it"),
        ("Title\n\nText.\n\n(c) BBC\n\n• Hi\n\nLiked by 2 people\n", 9, "no comment above"),
        ("Title\n\nText.\n\n(c) BBC\n\nRelated stories\n", 7, "neither a comment bullet"),
        ("Title\n\nText.\n\n(c) BBC\n\n  •\n\n  • Fine\n", 7, "the comment has no text"),
        (
            "Title\n\nText.\n\n(c) BBC\n\n• Hi\n  Liked by 1 person\n  Liked by 2 people\n",
            9,
            "already has",
        ),
        ("Title\n\nText with a \x00 in it.\n", 3, "control character"),
        ("!!!\n\nText.\n", 1, "no letters or digits"),
        (f"{'x' * 301}\n\nText.\n", 1, "the title is 301 characters long"),
        (f"Title\n\nText.\n\n(c) {'x' * 201}\n", 5, "the source name is 201 characters long"),
        (
            "Title\n\nText.\n\n(c) BBC\n\n"
            + "\n".join(f"{' ' * depth}• Reply" for depth in range(40)),
            39,
            "nest or follow each other too deeply",
        ),
        # No attribution line: a page cut short, or comments straight after the story.
        ("Title\n\nText.\n\nMore text.\n\n", 5, "ends without an attribution line"),
        ("Title\n\nText.\n\n• A comment\n", 5, "comments start before the story's attribution"),
    ],
)
def test_malformed_pages_fail_with_the_file_line_reason_and_what_was_expected(text, line, reason):
    with pytest.raises(ParseError) as caught:
        parse_page(text, filename="broken.txt")
    assert caught.value.line == line
    assert reason in caught.value.reason
    assert caught.value.expected
    assert str(caught.value) == (
        f"broken.txt, line {line}: {caught.value.reason}; expected {caught.value.expected}"
    )


def test_a_page_without_attribution_says_which_line_to_add():
    with pytest.raises(ParseError) as caught:
        parse_page("Title\n\nText.\n\nMore text.\n", filename="cut.txt")
    assert str(caught.value) == (
        "cut.txt, line 5: the page ends without an attribution line, so it may be cut short; "
        "expected a line such as “(c) BBC” or “© BBC” after the story's last paragraph"
    )


@pytest.mark.parametrize(
    "separator",
    ["\u2028", "\u2029", "\x85"],
    ids=["line separator", "paragraph separator", "next line"],
)
def test_separators_inside_a_paragraph_do_not_shift_the_line_numbers(separator):
    # Web pages carry these inside paragraphs; an editor does not break the line there.
    text = f"Title\n\nOne{separator}two{separator}three.\n\n(c) BBC\n\nLiked by 2 people\n"
    with pytest.raises(ParseError) as caught:
        parse_page(text, filename="page.txt")
    assert caught.value.line == 7


@pytest.mark.parametrize(
    ("newline", "name"), [("\n", "lf"), ("\r\n", "crlf"), ("\r", "cr")], ids=lambda v: repr(v)
)
def test_line_numbers_count_every_kind_of_line_break_once(newline, name):
    text = newline.join(["Title", "", "Text.", "", "(c) BBC", "", "• Hi", "", "Liked by 2 people"])
    with pytest.raises(ParseError) as caught:
        parse_page(text, filename=name)
    assert caught.value.line == 9  # "Liked by" under a bullet but not indented under it


def test_a_form_feed_is_refused_on_its_own_line():
    with pytest.raises(ParseError) as caught:
        parse_page("Title\n\nText.\n\nMore\x0ctext.\n\n(c) BBC\n", filename="page.txt")
    assert caught.value.line == 5
    assert caught.value.reason == "the line contains a control character (U+000C)"


def test_a_file_that_is_not_utf8_fails_on_the_line_of_the_bad_byte(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Title\n\nCaf\u00e9 society.\n".encode("latin-1"))
    with pytest.raises(ParseError) as caught:
        read_page(path)
    assert caught.value.line == 3
    assert str(caught.value) == (
        f"{path}, line 3: the file is not UTF-8 text (byte 0xe9); expected a page saved as UTF-8"
    )


_fragments = st.sampled_from(
    [
        "",
        "Title",
        "Text.",
        "A heading",
        "(c) BBC",
        "©",
        "•",
        "  • Reply",
        "    • Deeper",
        "Liked by 3 people",
        "  Liked by 1 person",
        "Leave a Reply",
        "  text",
        "\t• tab",
        "“Quote.”",
        "Ann says:",
        "• Ann says:",
        "\x00",
        "\xa0",
        "1. item",
        "#",
    ]
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(st.one_of(_fragments, st.text(max_size=20))).map("\n".join)))
def test_parse_page_either_returns_a_page_or_raises_parse_error_with_a_line(text):
    try:
        parsed = parse_page(text, filename="fuzz.txt")
    except ParseError as error:
        assert 1 <= error.line <= max(1, len(text.splitlines()) + 1)
    else:
        assert parsed.title and parsed.slug and parsed.paragraph_count + len(parsed.subheadings)
        render_markdown(parsed.body)


# Importing into the database ---------------------------------------------------


@pytest.mark.django_db
def test_importing_the_sample_creates_the_story_source_and_comment_thread():
    out = run(SAMPLE, "--source", "BBC", "--published", "2021-06-18T09:00:00+00:00")

    article = Article.objects.get()
    assert out.strip() == f"Imported {TITLE} → /2021/06/18/{SLUG}/ (2 comments)"
    assert article.title == TITLE and article.is_published and article.byline == ""
    assert article.published_at == datetime(2021, 6, 18, 9, tzinfo=zoneinfo.ZoneInfo("UTC"))
    assert "<h2>A fraught relationship</h2>" in article.body_html
    assert "Facebook photo" not in article.body + article.body_html
    assert (article.source.name, article.source.slug) == ("BBC", "bbc")
    assert article.source.homepage_url == "https://www.bbc.co.uk/news"
    assert article.source.copyright_notice == "(c) BBC"

    first, reply = Comment.objects.filter(article=article).order_by("tree_id", "lft")
    assert reply.parent_id == first.pk and first.parent_id is None
    assert (first.like_count, reply.like_count) == (4, 3)
    assert first.author_name == reply.author_name == "Reader"
    assert first.body.startswith(f"> {QUOTED_LINE}\n\n")
    assert "Facebook photo" not in first.body + reply.body
    # The page gives no dates: the comments follow the story, in page order.
    assert article.published_at < first.created_at < reply.created_at
    assert reply.created_at - article.published_at < timedelta(hours=1)


@pytest.mark.django_db
def test_reimporting_updates_the_story_without_duplicates_and_keeps_its_tags():
    run(SAMPLE, "--published", "2021-06-18")
    article = Article.objects.get()
    tag = TagFactory()
    article.tags.add(tag)
    article.body = "Edited by hand."
    article.save()

    out = run(SAMPLE)

    article.refresh_from_db()
    assert out.startswith(f"Updated {TITLE} → /2021/06/18/{SLUG}/ (2 comments, 0 new)")
    assert Article.objects.count() == 1 and Source.objects.count() == 1
    assert Comment.objects.filter(article=article).count() == 2
    assert list(article.tags.all()) == [tag]
    assert article.body == "Edited by hand."  # an editor's change is kept (--force replaces it)
    # A date alone is midnight in the site's time zone, and a re-import keeps it.
    assert article.published_at == datetime(2021, 6, 18, tzinfo=zoneinfo.ZoneInfo("Europe/London"))


@pytest.mark.django_db
def test_an_existing_source_keeps_the_notice_an_editor_set(tmp_path):
    SourceFactory(name="BBC", slug="bbc", copyright_notice="© BBC News", homepage_url="")
    run(SAMPLE)
    assert Source.objects.get().copyright_notice == "© BBC News"
    assert Article.objects.get().source.name == "BBC"


@pytest.mark.django_db
def test_source_option_overrides_the_name_on_the_attribution_line(tmp_path):
    path = write(tmp_path, "story.txt", "A local story\n\nIt happened here.\n\n© VG\n")
    run(path, "--source", "Village Gazette", "--original-url", "https://gazette.example/story")
    article = Article.objects.get()
    assert article.source.name == "Village Gazette" and article.source.slug == "village-gazette"
    assert article.source.homepage_url == ""
    assert article.source.copyright_notice == "© VG"
    assert article.original_url == "https://gazette.example/story"


@pytest.mark.django_db
def test_a_page_cut_short_is_refused_and_the_live_story_is_untouched(tmp_path):
    # The first 20 lines of the demo page: title and nine paragraphs, no attribution.
    run(SAMPLE, "--published", "2021-06-18")
    before = Article.objects.values().get()
    cut = tmp_path / "cut.txt"
    cut.write_text("\n".join(read_page(SAMPLE).splitlines()[:20]) + "\n", encoding="utf-8")
    expected = (
        f"{cut}, line 19: the page ends without an attribution line, so it may be cut short; "
        "expected a line such as “(c) BBC” or “© BBC” after the story's last paragraph"
    )

    for options in [["--dry-run"], [], ["--source", "BBC"]]:
        with pytest.raises(CommandError) as caught:
            run(cut, *options)
        assert str(caught.value) == expected

    assert Article.objects.values().get() == before
    assert Comment.objects.count() == 2


@pytest.mark.django_db
def test_dry_run_prints_the_story_and_comment_tree_and_writes_nothing():
    out = run(SAMPLE, "--dry-run")
    assert Article.objects.count() == Source.objects.count() == Comment.objects.count() == 0
    assert f"  Title: {TITLE}\n" in out
    assert "  Source: BBC\n  Copyright: (c) BBC\n" in out
    assert "  Subheadings: A fraught relationship\n  Paragraphs: 19\n  Comments: 2\n" in out
    assert "    1 Reader [4 likes]: > “Pyongyang may return to negotiations only after" in out
    assert "      1.1 Reader [3 likes]: Good point but they may also think the …" in out


@pytest.mark.django_db
def test_a_malformed_file_fails_naming_file_and_line_and_writes_nothing(tmp_path):
    path = write(tmp_path, "bad.txt", "Title\n\nText.\n\n(c) BBC\n\nLiked by 2 people\n")
    with pytest.raises(CommandError, match=rf"^{path}, line 7: a “Liked by 2 people” line"):
        run(path)
    assert Article.objects.count() == Source.objects.count() == 0


@pytest.mark.django_db
def test_a_failure_while_storing_comments_rolls_back_the_story(monkeypatch):
    def broken_store(**kwargs):
        raise RuntimeError("comment store failed")

    monkeypatch.setattr(importer.storing, "comment_import_thread", broken_store)
    with pytest.raises(RuntimeError):
        run(SAMPLE)
    assert Article.objects.count() == Source.objects.count() == Comment.objects.count() == 0


@pytest.mark.django_db
def test_several_files_import_the_good_ones_and_report_the_failures(tmp_path):
    good = write(tmp_path, "good.txt", "Good story\n\nFine text.\n\n(c) BBC\n")
    bad = write(tmp_path, "bad.txt", "• Oops\n")
    missing = tmp_path / "missing.txt"
    with pytest.raises(CommandError) as caught:
        run(good, bad, missing)
    message = str(caught.value)
    assert message.startswith(f"2 of 3 files failed, nothing written for them (imported: {good})")
    assert f"{bad}, line 1: a comment bullet comes before any story text" in message
    assert f"{missing}: cannot read the file" in message
    assert list(Article.objects.values_list("title", flat=True)) == ["Good story"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--published", "18/06/2021"),
        ("--published", "2021-02-30"),
        ("--original-url", "nope"),
        ("--source", "x" * 201),
    ],
)
def test_bad_option_values_fail_before_anything_is_written(option, value):
    with pytest.raises(CommandError, match=option):
        run(SAMPLE, option, value)
    assert Article.objects.count() == 0


@pytest.mark.django_db
def test_reimporting_an_unchanged_page_is_not_an_edit():
    run(SAMPLE, "--source", "BBC", "--published", "2021-06-18T09:00:00+00:00")
    first = Article.objects.get().updated_at

    run(SAMPLE, "--source", "BBC", "--published", "2021-06-18T09:00:00+00:00")

    assert Article.objects.get().updated_at == first
