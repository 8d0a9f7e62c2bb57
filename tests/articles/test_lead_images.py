"""Lead images: uploaded by editors in the admin, made into sizes, shown on the
story, on lists, in feeds and in link previews."""

from datetime import UTC, datetime, timedelta
from io import BytesIO
from xml.etree import ElementTree

import feedparser
import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains

from articles.management.commands.ensure_editor import editors_group
from articles.models import Article
from tests.factories import ArticleFactory, TagFactory, UserFactory
from tests.images import decompression_bomb, image_upload

pytestmark = pytest.mark.django_db

JUNE_18 = datetime(2021, 6, 18, 9, 0, tzinfo=UTC)
ADD = reverse("admin:articles_article_add")
ATOM = {"atom": "http://www.w3.org/2005/Atom"}


@pytest.fixture
def editor(media_root):
    """A client of its own signed in as a member of the Editors group (staff, not a
    superuser); `client` stays a guest's."""
    user = UserFactory(username="desk", is_staff=True)
    user.groups.add(editors_group())
    editor = Client()
    editor.force_login(user)
    return editor


def _story_form(**overrides):
    published = timezone.localtime(timezone.now() - timedelta(hours=2))
    data = {
        "title": "Kim prepares",
        "slug": "kim-prepares",
        "standfirst": "The leader speaks.",
        "byline": "BBC News",
        "body": "North Korea's leader has spoken.",
        "source": "",
        "original_url": "",
        "status": "published",
        "published_at_0": published.strftime("%Y-%m-%d"),
        "published_at_1": published.strftime("%H:%M:%S"),
        "comments_open": "on",
        "comments_close_after_days": "",
        "lead_image_alt": "Kim Jong-un at a party meeting in Pyongyang",
        "lead_image_caption": "The leader addressed the plenary meeting.",
        "lead_image_credit": "KCNA via Reuters",
    }
    data.update(overrides)
    return data


def _change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def _stored(name):
    with default_storage.open(name, "rb") as file:
        image = Image.open(BytesIO(file.read()))
        image.load()
    return image


def _story_with_image(editor, **overrides):
    overrides.setdefault("lead_image", image_upload())
    response = editor.post(ADD, _story_form(**overrides))
    assert response.status_code == 302, response.context["adminform"].errors
    return Article.objects.get(slug=overrides.get("slug", "kim-prepares"))


def _form_errors(response) -> str:
    assert response.status_code == 200
    form = response.context["adminform"].form
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


# Uploading in the admin


def test_an_editor_uploads_a_lead_image_and_its_sizes_are_made(editor):
    response = editor.post(ADD, _story_form(lead_image=image_upload("kim.png", size=(1200, 800))))

    assert response.status_code == 302, response.context["adminform"].errors
    article = Article.objects.get(slug="kim-prepares")
    assert article.lead_image.name.startswith("lead-images/")
    assert default_storage.exists(article.lead_image.name)
    # Never wider than the upload: 1600 becomes the upload's own 1200.
    assert [(r["width"], r["height"]) for r in article.lead_image_renditions] == [
        (480, 320),
        (960, 640),
        (1200, 800),
    ]
    for row in article.lead_image_renditions:
        stored = _stored(row["name"])
        assert (stored.format, stored.size) == ("JPEG", (row["width"], row["height"]))
        assert row["type"] == "image/jpeg"
        assert row["bytes"] == default_storage.size(row["name"])

    # The change page shows the sizes made.
    page = editor.get(_change_url(article))
    assertContains(page, "480 × 320")
    assertContains(page, "1200 × 800")


def test_the_story_form_uploads_files_and_asks_for_images(editor):
    page = editor.get(ADD)

    assertContains(page, 'enctype="multipart/form-data"')
    assertContains(
        page,
        '<input type="file" name="lead_image" accept="image/jpeg,image/png,image/webp,image/gif"',
    )
    assertContains(page, '<label for="id_lead_image_alt">Alt text:</label>')


def test_a_small_image_is_never_enlarged(editor):
    article = _story_with_image(editor, lead_image=image_upload(size=(300, 200)))

    assert [(r["width"], r["height"]) for r in article.lead_image_renditions] == [(300, 200)]


def test_a_wide_image_is_made_at_most_1600_wide(editor):
    article = _story_with_image(editor, lead_image=image_upload(size=(2400, 1200)))

    assert [r["width"] for r in article.lead_image_renditions] == [480, 960, 1600]


def test_a_photo_is_turned_upright_from_its_camera_orientation(editor):
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    photo = image_upload("phone.jpg", size=(600, 400), format="JPEG", exif=exif.tobytes())

    article = _story_with_image(editor, lead_image=photo)

    assert [(r["width"], r["height"]) for r in article.lead_image_renditions] == [(400, 600)]


def test_an_image_with_transparency_keeps_it(editor):
    logo = image_upload(size=(500, 300), mode="RGBA", color=(0, 0, 0, 0))

    article = _story_with_image(editor, lead_image=logo)

    stored = _stored(article.lead_image_renditions[0]["name"])
    assert stored.format == "WEBP"
    assert stored.mode == "RGBA"


def test_alt_text_is_required_with_an_image(editor):
    response = editor.post(ADD, _story_form(lead_image=image_upload(), lead_image_alt="  "))

    assert "alt text is required with an image" in _form_errors(response)
    # Next to the field, once (the database constraint behind it adds no second message).
    assert list(response.context["adminform"].form.errors) == ["lead_image_alt"]
    assert not Article.objects.exists()


def test_alt_text_is_not_required_without_an_image(editor):
    response = editor.post(ADD, _story_form(lead_image_alt=""))

    assert response.status_code == 302
    assert Article.objects.get().lead_image_shown is None


def test_the_database_refuses_an_image_without_alt_text(media_root):
    with pytest.raises(IntegrityError):
        ArticleFactory(lead_image="lead-images/x.jpg", lead_image_alt="")


def test_a_file_that_is_not_an_image_is_refused(editor):
    fake = image_upload("notes.png")
    fake.file = BytesIO(b"Meeting notes, not a picture.")
    fake.size = len(fake.file.getvalue())

    response = editor.post(ADD, _story_form(lead_image=fake))

    assert "not an image we can use" in _form_errors(response)
    assert not Article.objects.exists()


def test_a_file_of_another_image_format_is_refused(editor):
    response = editor.post(ADD, _story_form(lead_image=image_upload("scan.bmp", format="BMP")))

    assert "not an image we can use" in _form_errors(response)


def test_a_decompression_bomb_is_refused_as_too_large(editor):
    response = editor.post(ADD, _story_form(lead_image=decompression_bomb()))

    errors = _form_errors(response)
    assert "This image is too large" in errors
    assert not Article.objects.exists()


def test_an_image_with_too_many_pixels_is_refused(editor, settings):
    settings.NEWSROOM_LEAD_IMAGE_MAX_PIXELS = 100_000

    response = editor.post(ADD, _story_form(lead_image=image_upload(size=(400, 300))))

    assert "This one is 400 × 300 pixels" in _form_errors(response)


def test_a_file_over_the_size_limit_is_refused(editor, settings):
    settings.NEWSROOM_LEAD_IMAGE_MAX_BYTES = 1_000
    upload = image_upload(size=(400, 300))
    assert upload.size > 1_000

    response = editor.post(ADD, _story_form(lead_image=upload))

    assert "the largest allowed is 0.0 MB" in _form_errors(response)


def test_a_new_upload_replaces_the_old_files(editor, django_capture_on_commit_callbacks):
    article = _story_with_image(editor)
    old_files = [article.lead_image.name, *(r["name"] for r in article.lead_image_renditions)]

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            _change_url(article),
            _story_form(lead_image=image_upload("second.png", size=(800, 600))),
        )

    assert response.status_code == 302
    article.refresh_from_db()
    assert "second" in article.lead_image.name
    assert [r["width"] for r in article.lead_image_renditions] == [480, 800]
    assert all(default_storage.exists(r["name"]) for r in article.lead_image_renditions)
    assert [name for name in old_files if default_storage.exists(name)] == []


def test_saving_without_a_new_upload_keeps_the_image(editor, django_capture_on_commit_callbacks):
    article = _story_with_image(editor)
    renditions = article.lead_image_renditions

    with django_capture_on_commit_callbacks(execute=True):
        editor.post(_change_url(article), _story_form(title="Kim prepares again"))

    article.refresh_from_db()
    assert article.title == "Kim prepares again"
    assert article.lead_image_renditions == renditions
    assert all(default_storage.exists(r["name"]) for r in renditions)


def test_clearing_the_image_deletes_its_files(editor, django_capture_on_commit_callbacks):
    article = _story_with_image(editor)
    old_files = [article.lead_image.name, *(r["name"] for r in article.lead_image_renditions)]

    with django_capture_on_commit_callbacks(execute=True):
        editor.post(_change_url(article), _story_form(**{"lead_image-clear": "on"}))

    article.refresh_from_db()
    assert (article.lead_image.name, article.lead_image_renditions) == ("", [])
    assert [name for name in old_files if default_storage.exists(name)] == []


def test_deleting_a_story_deletes_its_image_files(editor, django_capture_on_commit_callbacks):
    article = _story_with_image(editor)
    files = [article.lead_image.name, *(r["name"] for r in article.lead_image_renditions)]

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"}
        )

    assert response.status_code == 302
    assert not Article.objects.exists()
    assert [name for name in files if default_storage.exists(name)] == []


# What readers see


def test_the_story_shows_its_lead_image_in_a_figure(editor, client):
    article = _story_with_image(editor)
    small, medium, large = (default_storage.url(r["name"]) for r in article.lead_image_renditions)

    response = client.get(article.get_absolute_url())

    assertContains(
        response,
        f'<img class="story__image" src="{medium}" '
        f'srcset="{small} 480w, {medium} 960w, {large} 1200w" '
        'sizes="(min-width: 44rem) 40rem, calc(100vw - 2rem)" width="1200" height="800" '
        'alt="Kim Jong-un at a party meeting in Pyongyang" loading="eager" '
        'fetchpriority="high" decoding="async">',
        html=True,
    )
    assertContains(
        response,
        '<figcaption class="story__caption"><span dir="auto">The leader addressed the plenary '
        'meeting.</span> <small class="story__credit"><span class="visually-hidden">Image '
        "credit: </span>KCNA via Reuters</small></figcaption>",
        html=True,
    )


def test_link_previews_use_the_largest_size_at_an_absolute_address(editor, client):
    article = _story_with_image(editor)
    large = f"http://testserver{default_storage.url(article.lead_image_renditions[-1]['name'])}"

    response = client.get(article.get_absolute_url())

    assertContains(response, f'<meta property="og:image" content="{large}">', html=True)
    assertContains(response, '<meta property="og:image:width" content="1200">', html=True)
    assertContains(response, '<meta property="og:image:height" content="800">', html=True)
    assertContains(
        response,
        '<meta property="og:image:alt" content="Kim Jong-un at a party meeting in Pyongyang">',
        html=True,
    )
    assertContains(response, f'<meta name="twitter:image" content="{large}">', html=True)
    assertContains(
        response, '<meta name="twitter:card" content="summary_large_image">', html=True
    )


def test_a_story_without_an_image_shows_none(client, article):
    response = client.get(article.get_absolute_url())

    assertNotContains(response, "<figure")
    assertNotContains(response, "og:image")
    assertNotContains(response, "twitter:image")
    assertContains(response, '<meta name="twitter:card" content="summary">', html=True)


def test_a_cached_story_page_changes_with_its_image(
    editor, client, django_capture_on_commit_callbacks
):
    article = _story_with_image(editor)
    first = default_storage.url(article.lead_image_renditions[0]["name"])
    assertContains(client.get(article.get_absolute_url()), first)  # stored for guests
    assertContains(client.get(article.get_absolute_url()), first)  # served from the store

    with django_capture_on_commit_callbacks(execute=True):
        editor.post(
            _change_url(article),
            _story_form(lead_image=image_upload("second.png", size=(700, 500))),
        )
    article.refresh_from_db()

    page = client.get(article.get_absolute_url())
    assertContains(page, default_storage.url(article.lead_image_renditions[0]["name"]))
    assertNotContains(page, first)
    cache.clear()
    assert client.get(article.get_absolute_url()).content == page.content


def _card_image(article) -> str:
    small, *_ = (default_storage.url(r["name"]) for r in article.lead_image_renditions)
    srcset = ", ".join(
        f"{default_storage.url(r['name'])} {r['width']}w" for r in article.lead_image_renditions
    )
    return (
        f'<img class="story-card__image" src="{small}" srcset="{srcset}" '
        'sizes="(min-width: 30rem) 24rem, calc(100vw - 2rem)" width="1200" height="800" '
        'alt="Kim Jong-un at a party meeting in Pyongyang" loading="lazy" decoding="async">'
    )


@pytest.mark.parametrize(
    "url", ["/", "/2021/", "/2021/06/", "/tags/korea/", "/search/?q=leader"]
)
def test_lists_show_a_small_lazy_image(editor, client, url):
    article = _story_with_image(editor)
    Article.objects.filter(pk=article.pk).update(published_at=JUNE_18)
    article.tags.add(TagFactory(name="Korea", slug="korea"))
    article.refresh_from_db()

    assertContains(client.get(url), _card_image(article), html=True)


# The page of stories and their comment counts; the front page's most
# discussed stories; the tag first on a tag's page.
@pytest.mark.parametrize(("url", "queries"), [("/", 3), ("/tags/korea/", 3)])
def test_lists_with_images_cost_no_query_per_story(
    editor, client, django_assert_num_queries, url, queries
):
    korea = TagFactory(name="Korea", slug="korea")
    for number in range(4):
        article = _story_with_image(editor, slug=f"story-{number}")
        article.tags.add(korea)

    with django_assert_num_queries(queries):
        response = client.get(url)

    assert response.content.decode().count('class="story-card__image"') == 4


# Feeds


@pytest.mark.parametrize("name", ["articles:feed-rss", "articles:feed-atom"])
def test_feeds_carry_the_image_as_an_enclosure(editor, client, name):
    article = _story_with_image(editor)
    largest = article.lead_image_renditions[-1]

    response = client.get(reverse(name))
    feed = feedparser.parse(response.content)

    assert not feed.bozo, feed.bozo_exception
    (entry,) = feed.entries
    url = f"http://example.com{default_storage.url(largest['name'])}"
    assert [(e.href, e.length, e.type) for e in entry.enclosures] == [
        (url, str(largest["bytes"]), "image/jpeg")
    ]
    # RSS's <enclosure url=…>, Atom's <link rel="enclosure" href=…>.
    root = ElementTree.fromstring(response.content)
    if name == "articles:feed-atom":
        (link,) = root.findall("atom:entry/atom:link[@rel='enclosure']", ATOM)
        assert link.get("href") == url
    else:
        (enclosure,) = root.findall("channel/item/enclosure")
        assert enclosure.get("url") == url


def test_feeds_of_stories_without_images_have_no_enclosure(client, article):
    feed = feedparser.parse(client.get(reverse("articles:feed-rss")).content)

    assert feed.entries[0].enclosures == []


# Serving media


def test_media_are_served_with_debug_on(editor, client, settings):
    article = _story_with_image(editor)
    url = default_storage.url(article.lead_image_renditions[0]["name"])
    settings.DEBUG = True

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert Image.open(BytesIO(b"".join(response.streaming_content))).size == (480, 320)


def test_media_are_left_to_the_web_server_with_debug_off(editor, client, settings):
    article = _story_with_image(editor)
    settings.DEBUG = False

    assert client.get(default_storage.url(article.lead_image.name)).status_code == 404


def test_a_name_never_comes_back_with_other_content(editor, django_capture_on_commit_callbacks):
    # The same file name uploaded again, after the first image's files are gone.
    first = _story_with_image(editor, lead_image=image_upload("kim.png", color=(200, 0, 0)))
    first_files = [r["name"] for r in first.lead_image_renditions]
    with django_capture_on_commit_callbacks(execute=True):
        editor.post(
            reverse("admin:articles_article_delete", args=[first.pk]), {"post": "yes"}
        )

    second = _story_with_image(editor, lead_image=image_upload("kim.png", color=(0, 0, 200)))

    assert not set(first_files) & {r["name"] for r in second.lead_image_renditions}


# Revisions: a restored or recovered story never points at deleted files


def _files(article) -> list[str]:
    return [article.lead_image.name, *(r["name"] for r in article.lead_image_renditions)]


def _story_whose_image_was_replaced(editor, capture) -> tuple[Article, list[str]]:
    """A story saved with one image, then with another: returns it and the first image's files."""
    article = _story_with_image(editor, lead_image=image_upload("first.png"))
    first = _files(article)
    with capture(execute=True):
        editor.post(_change_url(article), _story_form(lead_image=image_upload("second.png")))
    article.refresh_from_db()
    assert [name for name in first if default_storage.exists(name)] == []
    return article, first


def _first_version(article):
    from reversion.models import Version

    return Version.objects.get_for_object(article).order_by("pk").first()


def test_restoring_a_version_keeps_the_image_whose_files_exist(
    editor, client, django_capture_on_commit_callbacks
):
    article, _first = _story_whose_image_was_replaced(editor, django_capture_on_commit_callbacks)
    current = _files(article)
    restore = reverse("admin:articles_article_revision", args=[article.pk, _first_version(article).pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(restore, _story_form(title="Kim prepared"), follow=True)

    assertContains(response, "The story keeps its current lead image")
    article.refresh_from_db()
    assert article.title == "Kim prepared"
    assert _files(article) == current
    assert all(default_storage.exists(name) for name in current)
    page = client.get(article.get_absolute_url())
    assertContains(page, default_storage.url(article.lead_image_renditions[0]["name"]))


def test_an_image_uploaded_while_restoring_replaces_the_current_one(
    editor, django_capture_on_commit_callbacks
):
    article, _first = _story_whose_image_was_replaced(editor, django_capture_on_commit_callbacks)
    current = _files(article)
    restore = reverse("admin:articles_article_revision", args=[article.pk, _first_version(article).pk])

    with django_capture_on_commit_callbacks(execute=True):
        editor.post(restore, _story_form(lead_image=image_upload("third.png")))

    article.refresh_from_db()
    assert "third" in article.lead_image.name
    assert all(default_storage.exists(name) for name in _files(article))
    assert [name for name in current if default_storage.exists(name)] == []


def test_a_recovered_story_comes_back_without_its_deleted_image(
    editor, client, django_capture_on_commit_callbacks
):
    from reversion.models import Version

    article = _story_with_image(editor)
    with django_capture_on_commit_callbacks(execute=True):
        editor.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"})
    [version] = Version.objects.get_deleted(Article)

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            reverse("admin:articles_article_recover", args=[version.pk]), _story_form(), follow=True
        )

    assertContains(response, "The story is back without its lead image")
    recovered = Article.objects.get(pk=article.pk)
    assert (recovered.lead_image.name, recovered.lead_image_renditions) == ("", [])
    assert recovered.lead_image_alt == ""
    page = client.get(recovered.get_absolute_url())
    assert page.status_code == 200
    assertNotContains(page, "story__image")
