"""The editors' admin: pages load, and publishing actions do what they say.

The editor here is staff in the Editors group (as `ensure_editor` makes
them), not a superuser: what they can do is what the group grants.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article, StorySettings
from tests.factories import ArticleFactory, SourceFactory, TagFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")


def change_form_data(article, **overrides) -> dict:
    """What the change form posts for `article` as it is, with `overrides`."""
    local = timezone.localtime(overrides.pop("published_at", article.published_at))
    data = {
        "title": article.title,
        "slug": article.slug,
        "standfirst": article.standfirst,
        "byline": article.byline,
        "body": article.body,
        "tags": [tag.pk for tag in article.tags.all()],
        "source": article.source_id or "",
        "original_url": article.original_url,
        "seo_description": article.seo_description,
        "status": article.status,
        "published_at_0": local.strftime("%Y-%m-%d"),
        "published_at_1": local.strftime("%H:%M:%S"),
        "comments_close_after_days": article.comments_close_after_days or "",
    }
    if article.comments_open:
        data["comments_open"] = "on"
    data.update(overrides)
    return data


def change_url(article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:articles_article_changelist",
        "admin:articles_article_add",
        "admin:articles_source_changelist",
        "admin:articles_source_add",
        "admin:articles_tag_changelist",
        "admin:articles_tag_add",
    ],
)
def test_admin_pages_load(editor, url_name, article):
    assert editor.get(reverse(url_name)).status_code == 200


def test_changelist_shows_columns_and_filters(editor, bbc):
    ArticleFactory(title="Kim prepares", source=bbc, tags=[TagFactory(name="Korea")])

    response = editor.get(CHANGELIST)

    assertContains(response, "Kim prepares")
    for column in ("Title", "Status", "Published at", "Source", "Comments"):
        assertContains(response, column)
    for filter_title in ("By status", "By source", "By tags", "By published at"):
        assertContains(response, filter_title)


def test_changelist_search_looks_in_the_body(editor):
    ArticleFactory(title="Parade", body="A new missile was shown.")
    ArticleFactory(title="Harvest", body="Crops failed.")

    response = editor.get(CHANGELIST, {"q": "missile"})

    assertContains(response, "Parade")
    assertNotContains(response, "Harvest")


def test_change_page_has_fieldsets_and_view_on_site(editor, bbc):
    article = ArticleFactory(source=bbc)

    response = editor.get(reverse("admin:articles_article_change", args=[article.pk]))

    assert response.status_code == 200
    for legend in ("Story", "Attribution", "Publication", "Comments"):
        assertContains(response, legend)
    assertContains(response, "View on site")
    # Source and tags use autocomplete widgets rather than full dropdowns.
    assertContains(response, 'data-ajax--url="/admin/autocomplete/"', count=2)


def test_source_autocomplete_searches_by_name(editor, bbc):
    SourceFactory(name="Reuters")

    response = editor.get(
        "/admin/autocomplete/",
        {"term": "bb", "app_label": "articles", "model_name": "article", "field_name": "source"},
    )

    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == ["BBC"]


def test_add_article_through_the_admin(editor, bbc):
    tag = TagFactory()
    published = timezone.localtime(timezone.now() - timedelta(hours=2))

    response = editor.post(
        reverse("admin:articles_article_add"),
        {
            "title": "Written in the admin",
            "slug": "written-in-the-admin",
            "standfirst": "Summary.",
            "byline": "Editor",
            "body": "Some *Markdown*.",
            "tags": [tag.pk],
            "source": bbc.pk,
            "original_url": "",
            "status": "published",
            "published_at_0": published.strftime("%Y-%m-%d"),
            "published_at_1": published.strftime("%H:%M:%S"),
            "comments_open": "on",
            "comments_close_after_days": "",
        },
    )

    assert response.status_code == 302, response.context["adminform"].errors
    article = Article.objects.get(slug="written-in-the-admin")
    assert article.body_html == "<p>Some <em>Markdown</em>.</p>"
    assert list(Article.objects.published()) == [article]


def _run_action(editor, action, articles):
    return editor.post(
        CHANGELIST,
        {"action": action, "_selected_action": [a.pk for a in articles]},
        follow=True,
    )


def test_publish_selected_keeps_past_dates_and_schedules_future_ones(editor):
    back_dated = datetime(2021, 6, 18, 9, tzinfo=UTC)
    old_draft = ArticleFactory(status=Article.Status.DRAFT, published_at=back_dated)
    future = timezone.now() + timedelta(days=1)
    future_draft = ArticleFactory(status=Article.Status.DRAFT, published_at=future)

    response = _run_action(editor, "publish_selected", [old_draft, future_draft])

    assertContains(response, "2 stories marked published.")
    old_draft.refresh_from_db()
    future_draft.refresh_from_db()
    assert old_draft.status == future_draft.status == Article.Status.PUBLISHED
    assert old_draft.published_at == back_dated
    assert future_draft.published_at == future
    assert list(Article.objects.published()) == [old_draft]


def test_unpublish_selected_hides_stories_from_readers(editor, client):
    live = ArticleFactory()

    response = _run_action(editor, "unpublish_selected", [live])

    assertContains(response, "1 story marked draft.")
    live.refresh_from_db()
    assert live.status == Article.Status.DRAFT
    client.logout()
    assert client.get(live.get_absolute_url()).status_code == 404


def test_readers_cannot_reach_the_admin(client, user):
    client.force_login(user)

    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# Draft / Scheduled / Published -----------------------------------------------


@pytest.fixture
def three_states(db):
    now = timezone.now()
    return {
        "Draft": ArticleFactory(title="Still a draft", status=Article.Status.DRAFT),
        "Scheduled": ArticleFactory(title="Out tomorrow", published_at=now + timedelta(days=1)),
        "Published": ArticleFactory(title="Out already", published_at=now - timedelta(days=1)),
    }


def _row(response, title: str) -> str:
    """The changelist row of the story titled `title`, as HTML."""
    html = response.content.decode()
    start = html.rindex("<tr>", 0, html.index(f">{title}</a>"))
    return html[start : html.index("</tr>", start)]


def test_changelist_tells_draft_scheduled_and_published_apart(editor, three_states):
    response = editor.get(CHANGELIST)

    for state, article in three_states.items():
        assert f'<td class="field-state">{state}</td>' in _row(response, article.title)


@pytest.mark.parametrize("state", ["Draft", "Scheduled", "Published"])
def test_status_filter_has_scheduled(editor, three_states, state):
    response = editor.get(CHANGELIST, {"state": state.lower()})

    for name, article in three_states.items():
        (assertContains if name == state else assertNotContains)(response, article.title)


def test_publish_now_publishes_a_scheduled_story_and_its_neighbours_link_it(
    editor, client, three_states, bbc
):
    live, scheduled = three_states["Published"], three_states["Scheduled"]
    Article.objects.filter(pk__in=[live.pk, scheduled.pk]).update(source=bbc)
    assertNotContains(client.get(live.get_absolute_url()), "Out tomorrow")  # now cached

    response = _run_action(editor, "publish_now", [scheduled])

    assertContains(response, "1 story published now.")
    scheduled.refresh_from_db()
    assert scheduled.status == Article.Status.PUBLISHED
    assert timezone.now() - timedelta(minutes=1) < scheduled.published_at <= timezone.now()
    assert client.get(scheduled.get_absolute_url()).status_code == 200
    # The page cached before the action links the story now published.
    assertContains(client.get(live.get_absolute_url()), "Out tomorrow")


def test_publish_now_leaves_live_stories_and_back_dated_drafts_their_dates(editor):
    back_dated = datetime(2021, 6, 18, 9, tzinfo=UTC)
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=back_dated)
    live = ArticleFactory(published_at=back_dated)

    response = _run_action(editor, "publish_now", [draft, live])

    assertContains(response, "1 story published now.")
    draft.refresh_from_db()
    live.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert draft.published_at == live.published_at == back_dated


def test_publish_selected_says_a_scheduled_story_stays_scheduled(editor, three_states):
    response = _run_action(editor, "publish_selected", [three_states["Scheduled"]])

    assertContains(response, "1 story is scheduled for later; “Publish now” publishes it at once.")
    assert three_states["Scheduled"].publication_state == "Scheduled"


# The comments column -----------------------------------------------------------


def test_comments_column_shows_what_readers_get(editor):
    StorySettings.objects.create(comments_close_after_days=7)
    now = timezone.now()
    old = ArticleFactory(title="Ten days old", published_at=now - timedelta(days=10))
    new = ArticleFactory(title="A day old", published_at=now - timedelta(days=1))
    own = ArticleFactory(
        title="Own period", published_at=now - timedelta(days=10), comments_close_after_days=30
    )
    never = ArticleFactory(
        title="Never closes", published_at=now - timedelta(days=10), comments_close_after_days=0
    )
    shut = ArticleFactory(title="Shut by hand", comments_open=False)

    response = editor.get(CHANGELIST)

    def day(article, days):
        local = timezone.localtime(article.published_at + timedelta(days=days))
        return f"{local.day} {local:%B %Y}"

    expected = {
        old: f"Closed on {day(old, 7)} (site period)",
        new: f"Open until {day(new, 7)} (site period)",
        own: f"Open until {day(own, 30)} (story&#x27;s period)",
        never: "Open",
        shut: "Closed",
    }
    for article, text in expected.items():
        assert f'<td class="field-comment_state">{text}</td>' in _row(response, article.title)
    assert not old.comments_are_open and new.comments_are_open


# Session, user, permissions, the filters' sources and tags, the date
# hierarchy, counts, and the page of stories with their sources and the
# site's comment period, inside the revision block's savepoint, and the
# menu's pending and reported comment counts: the same for one story as for
# a page of them.
CHANGELIST_QUERIES = 15


@pytest.mark.parametrize("stories", [1, 13])
def test_changelist_queries_do_not_grow_with_stories(
    editor, django_assert_num_queries, stories
):
    StorySettings.objects.create(comments_close_after_days=7)
    for number in range(stories):
        ArticleFactory(source=SourceFactory(), tags=[TagFactory()])

    with django_assert_num_queries(CHANGELIST_QUERIES):
        response = editor.get(CHANGELIST)

    assertContains(response, '<td class="field-comment_state">Open until', count=stories)


# Preview, slug, length -----------------------------------------------------------


def test_change_form_links_a_preview_of_a_draft_in_a_new_tab(editor, editor_user):
    draft = ArticleFactory(title="Working draft", status=Article.Status.DRAFT)

    response = editor.get(change_url(draft))

    assertContains(
        response,
        f'<a href="{draft.get_absolute_url()}" class="previewlink" target="_blank" rel="noopener"'
        ' aria-label="Preview “Working draft” as readers will see it (opens in a new tab)">'
        "Preview</a>",
        html=True,
    )
    preview = editor.get(draft.get_absolute_url())
    assertContains(preview, "Preview — not published.")
    assertContains(preview, "Working draft")


def test_add_form_has_no_preview_yet(editor):
    assertNotContains(editor.get(reverse("admin:articles_article_add")), "previewlink")


def _add(editor, **overrides):
    published = timezone.localtime(timezone.now() - timedelta(hours=1))
    data = {
        "title": "Storm warning",
        "slug": "storm-warning",
        "body": "Winds of 80 mph.",
        "status": "published",
        "published_at_0": published.strftime("%Y-%m-%d"),
        "published_at_1": published.strftime("%H:%M:%S"),
        "comments_open": "on",
        **overrides,
    }
    return editor.post(reverse("admin:articles_article_add"), data)


def test_a_new_story_whose_slug_is_taken_gets_the_next_free_number(editor):
    ArticleFactory(slug="storm-warning")
    ArticleFactory(slug="storm-warning-3")

    for _ in range(2):
        response = _add(editor)
        assert response.status_code == 302, response.context["adminform"].errors

    assert set(Article.objects.values_list("slug", flat=True)) == {
        "storm-warning",
        "storm-warning-2",
        "storm-warning-3",
        "storm-warning-4",
    }


def test_a_long_slug_keeps_its_number_within_the_limit(editor):
    long_slug = "s" * 300
    ArticleFactory(slug=long_slug)

    assert _add(editor, slug=long_slug).status_code == 302

    assert Article.objects.filter(slug="s" * 298 + "-2").exists()


def test_renaming_a_story_to_a_taken_slug_is_still_an_error(editor):
    ArticleFactory(slug="taken")
    mine = ArticleFactory(slug="mine")

    response = editor.post(change_url(mine), change_form_data(mine, slug="taken"))

    assert response.status_code == 200
    assertContains(response, "Article with this Slug already exists.")
    mine.refresh_from_db()
    assert mine.slug == "mine"


def test_change_form_shows_word_count_and_reading_time(editor):
    article = ArticleFactory(body="word " * 401 + "\n\n*The* [end](https://example.com).")

    response = editor.get(change_url(article))

    assertContains(response, "Length (reading at 200 words a minute)")
    assertContains(response, "403 words, 3 minutes to read")


def test_a_short_story_reads_in_a_minute(editor):
    article = ArticleFactory(body="Just one line.")

    assertContains(editor.get(change_url(article)), "3 words, 1 minute to read")
