"""`manage.py import_disqus`: a Disqus export's threads onto our stories."""

from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.disqus_import import NOTE_STUB
from articles.models import Article, ArticleRedirect
from comments.integrity import all_problems
from comments.models import Comment
from tests.comments.conftest import tree_shape
from tests.factories import ArticleFactory

FIXTURES = Path(__file__).parent / "fixtures"
EXPORT = FIXTURES / "disqus.xml"

pytestmark = pytest.mark.django_db


def import_disqus(*args) -> str:
    out = StringIO()
    call_command("import_disqus", *map(str, args), stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def stories():
    harbour = ArticleFactory(
        title="Harbour reopens",
        slug="harbour-reopens",
        published_at=datetime(2021, 3, 1, 9, 0, tzinfo=UTC),
    )
    talks = ArticleFactory(
        title="Talks resume",
        slug="talks-resume",
        original_url="https://www.bbc.co.uk/news/world-asia-57500000/",
        published_at=datetime(2021, 6, 18, 7, 0, tzinfo=UTC),
    )
    return harbour, talks


def test_threads_attach_by_path_or_original_url_with_their_replies(stories, client):
    harbour, talks = stories

    output = import_disqus(EXPORT)

    assert "threads attached to stories: 2" in output
    assert "threads matching no story (not imported): 1" in output
    assert "A story we never had" in output
    assert "comments: 6, of them new: 6" in output
    assert "1 reply to posts not in the file imported as top-level comments" in output
    # 9001
    # └── 9002
    #     └── 9003 (spam)
    # 9004 (deleted)
    # 9005 (its parent was not in the file)
    assert tree_shape(harbour) == (
        "dq:9001 - 0\ndq:9002 dq:9001 1\ndq:9003 dq:9002 2\ndq:9004 - 0\ndq:9005 - 0"
    )
    assert list(Comment.objects.filter(article=talks).values_list("import_key", flat=True)) == [
        "dq:9101"
    ]
    statuses = dict(Comment.objects.values_list("import_key", "status"))
    assert statuses["dq:9003"] == Comment.Status.SPAM
    assert statuses["dq:9004"] == Comment.Status.REMOVED
    assert statuses["dq:9001"] == Comment.Status.PUBLISHED
    first = Comment.objects.get(import_key="dq:9001")
    assert first.author_name == "Ann Ó Briain"
    assert first.ip_address == "192.0.2.10"
    assert first.author_email == "ann@example.net"  # for moderators only
    assert Comment.objects.get(import_key="dq:9002").author_email == ""  # anonymous: none given
    assert first.created_at == datetime(2021, 3, 1, 11, 0, tzinfo=UTC)
    assert first.body_html == "<p>Great news for the town.</p><p>Second paragraph &amp; more.</p>"
    assert Comment.objects.get(import_key="dq:9002").author_name == "Guest reader"
    assert all_problems() == []

    page = client.get(harbour.get_absolute_url()).content.decode()
    assert "Agreed — 素晴らしい" in page
    assert "Cheap watches" not in page
    assert "I said something I regret" not in page
    assert "ann@example.net" not in page


def test_importing_again_creates_nothing(stories):
    import_disqus(EXPORT)
    before = Comment.objects.count()

    output = import_disqus(EXPORT)

    assert Comment.objects.count() == before
    assert "of them new: 0" in output


def test_dry_run_writes_nothing(stories):
    output = import_disqus(EXPORT, "--dry-run")

    assert "threads would be attached to stories: 2" in output
    assert "of them new (would be created): 6" in output
    assert Comment.objects.count() == 0


def test_a_thread_finds_a_story_by_an_address_it_redirects_from(stories):
    harbour, _talks = stories
    moved = ArticleFactory(title="Elsewhere", slug="elsewhere")
    ArticleRedirect.objects.create(old_path="/2020/01/01/lost-story/", article=moved)

    import_disqus(EXPORT)

    assert Comment.objects.get(import_key="dq:9201").article == moved


def test_unmatched_threads_become_unpublished_stubs_only_when_asked(stories, client):
    import_disqus(EXPORT, "--create-stubs")

    stub = Article.objects.get(import_key="disqus:5003")
    assert stub.status == Article.Status.DRAFT
    assert stub.title == "A story we never had"
    assert stub.original_url == "https://gazette.example.org/2020/01/01/lost-story/"
    assert stub.editor_note == NOTE_STUB
    assert Comment.objects.get(import_key="dq:9201").article == stub
    assert client.get(stub.get_absolute_url()).status_code == 404
    # Once only.
    import_disqus(EXPORT, "--create-stubs")
    assert Article.objects.filter(import_key="disqus:5003").count() == 1


def test_hostile_file_is_refused_with_file_and_line_and_writes_nothing(stories):
    path = FIXTURES / "disqus_xxe.xml"
    with pytest.raises(CommandError, match=rf"{path}, line 3: refused: .*nothing was written"):
        import_disqus(path)

    assert Comment.objects.count() == 0


def test_a_post_of_a_thread_the_file_lacks_is_refused(stories, tmp_path):
    path = tmp_path / "broken.xml"
    path.write_text(
        EXPORT.read_text(encoding="utf-8").replace(
            '<thread dsq:id="5002" />', '<thread dsq:id="77" />'
        ),
        encoding="utf-8",
    )

    with pytest.raises(CommandError, match=r"line 123: post 9101 belongs to thread 77"):
        import_disqus(path)

    assert Comment.objects.count() == 0
