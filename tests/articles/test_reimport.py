"""Importing a page again over a live story: `manage.py import_article` keeps
editors' fixes, refuses to shorten the story, lose comments or lower like
counts unless forced, and its dry run shows every change."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from articles.models import Article
from comments.models import Comment
from comments.services import like_toggle

SAMPLE = Path(settings.BASE_DIR) / "articles/demo/kim-dialogue-and-confrontation.txt"
URL = "/2021/06/18/kim-jong-un-prepares-for-dialogue-and-confrontation-with-the-us/"
DROPPED = "Mr Kim was speaking at a meeting of senior leaders in Pyongyang."
REPLY_LIKES = "      Liked by 3 people"

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("import_article", *map(str, args), stdout=out, stderr=StringIO())
    return out.getvalue()


def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def variant(tmp_path, text: str, name: str = "page.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def live():
    """The demo story, imported, as readers see it."""
    run(SAMPLE, "--published", "2021-06-18")
    return Article.objects.get()


def likes() -> dict[str, tuple[int, int]]:
    return {c.import_key: (c.like_baseline, c.like_count) for c in Comment.objects.all()}


def test_a_page_that_would_shorten_the_story_is_refused_until_forced(live, tmp_path):
    assert DROPPED in sample_text()
    shorter = variant(tmp_path, sample_text().replace(DROPPED + "\n\n", ""))
    body = live.body

    with pytest.raises(CommandError) as caught:
        run(shorter)

    assert str(caught.value) == (
        f"{shorter}: not imported, the live story would be damaged:\n"
        f"  - body: the story would lose {len(DROPPED) + 2} of its {len(body):,} characters\n"
        "Check the page; --dry-run shows every change, --force imports anyway."
    )
    live.refresh_from_db()
    assert live.body == body and live.source.name == "BBC"

    assert run(shorter, "--force").startswith(f"Updated {live.title} → {URL}")
    live.refresh_from_db()
    assert DROPPED not in live.body and live.source.name == "BBC"


def test_the_dry_run_says_whether_the_story_exists_and_shows_each_change(tmp_path):
    longer_text = sample_text().replace(DROPPED, DROPPED + " He spoke for an hour.")
    longer = variant(tmp_path, longer_text)

    assert "  Story: new\n" in run(longer, "--dry-run")

    run(SAMPLE, "--published", "2021-06-18", "--byline", "BBC News")
    out = run(longer, "--dry-run", "--byline", "Seoul correspondent")

    assert f"  Story: exists at {URL}\n" in out
    old, new = len(Article.objects.get().body), len(Article.objects.get().body) + 22
    assert (
        "  Changes to the live story:\n"
        f"    body: {old:,} characters → {new:,} characters\n"
        f"      - {DROPPED}\n"
        f"      + {DROPPED} He spoke for an hour.\n"
        "    byline: “BBC News” → “Seoul correspondent”\n"
        "  Comments: no change\n"
    ) in out
    assert Article.objects.get().byline == "BBC News"  # nothing written


def test_reimporting_the_same_page_shows_no_change(live):
    out = run(SAMPLE, "--dry-run")
    assert out.endswith("  Story fields: no change\n  Comments: no change\n")


def test_fields_edited_since_the_last_import_are_kept_unless_forced(live, tmp_path):
    # An editor fixes a typo and sets a byline in the admin.
    live.body = live.body.replace("Womans University", "Womans University (sic)")
    live.byline = "Laura Bicker"
    live.save()
    later = variant(tmp_path, sample_text().replace(DROPPED, DROPPED + " More followed."))

    out = run(later, "--byline", "BBC", "--original-url", "https://www.bbc.co.uk/news/57525788")

    live.refresh_from_db()
    assert "(sic)" in live.body and "More followed." not in live.body
    assert live.byline == "Laura Bicker"
    assert live.original_url == "https://www.bbc.co.uk/news/57525788"  # empty: filled
    assert "  Kept byline “Laura Bicker”: changed here since the last import " in out
    assert "(the page has “BBC”; --force replaces it)" in out
    assert "  Kept body " in out

    run(later, "--byline", "BBC", "--force")

    live.refresh_from_db()
    assert "(sic)" not in live.body and "More followed." in live.body
    assert live.byline == "BBC"


def test_a_field_not_edited_here_follows_the_page(live):
    run(SAMPLE, "--original-url", "https://www.bbc.co.uk/news/1")
    out = run(SAMPLE, "--original-url", "https://www.bbc.co.uk/news/2")
    live.refresh_from_db()
    assert live.original_url == "https://www.bbc.co.uk/news/2"
    assert "Kept" not in out


def test_a_story_made_by_hand_with_the_same_slug_keeps_its_fields(tmp_path, bbc):
    # No earlier import on record: whatever the story holds was written here.
    text = "A local story\n\nIt happened here.\n\n(c) BBC\n"
    Article.objects.create(title="A local story", slug="a-local-story", body="Hand written.")

    out = run(variant(tmp_path, text), "--dry-run")

    assert "    body: kept 13 characters, no earlier import on record set it " in out


def test_a_page_without_like_lines_is_refused_and_keeps_the_counts(live, tmp_path, user):
    reply = Comment.objects.get(import_key="1.1")
    like_toggle(comment=reply, user=user)
    assert REPLY_LIKES in sample_text()
    no_likes = variant(tmp_path, sample_text().replace(REPLY_LIKES + "\n", ""))

    with pytest.raises(CommandError, match=r"imported likes would go down \(1\.1: 3 → 0\)"):
        run(no_likes)
    assert likes() == {"1": (4, 4), "1.1": (3, 4)}
    assert "    1.1: imported likes 3 → 0 (needs --force)\n" in run(no_likes, "--dry-run")

    run(no_likes, "--force")
    assert likes() == {"1": (4, 4), "1.1": (0, 1)}  # the like given here stays


def test_a_page_missing_comments_or_changing_their_text_is_refused(live, tmp_path):
    text = sample_text()
    start = text.index("    • Good point")
    without_reply = variant(tmp_path, text[:start] + text[text.index("Leave a Reply") :])
    rewritten = variant(tmp_path, text.replace("Fat boy", "he"), "rewritten.txt")

    with pytest.raises(CommandError) as caught:
        run(without_reply)
    assert "  - comments: 1 comment imported before is not on the page (1.1), so it may be" in str(
        caught.value
    )
    with pytest.raises(CommandError, match=r"the text of 1 comment would be replaced \(1\)"):
        run(rewritten)
    assert "Fat boy" in Comment.objects.get(import_key="1").body

    run(without_reply, "--force")
    assert Comment.objects.count() == 2  # an import never deletes a comment


def test_a_reimport_shows_on_the_cached_story_page(live, client, tmp_path):
    assert "He spoke for an hour." not in client.get(URL).content.decode()  # now cached
    longer = variant(tmp_path, sample_text().replace(DROPPED, DROPPED + " He spoke for an hour."))

    run(longer)

    assert "He spoke for an hour." in client.get(URL).content.decode()
