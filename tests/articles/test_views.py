"""What readers (and editors previewing) see on the story pages."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.views.defaults import server_error
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from articles.models import Article
from articles.pagination import MAX_NUMBERED_PAGE, encode_cursor
from tests.factories import ArticleFactory, SourceFactory, TagFactory

pytestmark = pytest.mark.django_db

JUNE_18 = datetime(2021, 6, 18, 9, 0, tzinfo=UTC)


@pytest.fixture
def kim(bbc):
    korea = TagFactory(name="North Korea", slug="north-korea")
    return ArticleFactory(
        title="Kim Jong-un prepares for ‘dialogue and confrontation’ with the US",
        slug="kim-dialogue-and-confrontation",
        standfirst="The North Korean leader comments on the Biden administration.",
        byline="BBC News",
        body="North Korean leader **Kim Jong-un** has spoken.\n\nA fraught relationship.",
        source=bbc,
        original_url="https://www.bbc.co.uk/news/world-asia-57521293",
        published_at=JUNE_18,
        tags=[korea],
    )


@pytest.fixture
def draft():
    return ArticleFactory(title="Unfinished draft", slug="draft", status=Article.Status.DRAFT)


@pytest.fixture
def scheduled():
    return ArticleFactory(
        title="Embargoed story", slug="embargoed", published_at=timezone.now() + timedelta(days=2)
    )


# Front page


def test_front_page_lists_published_stories(client, kim, draft, scheduled):
    response = client.get(reverse("articles:index"))

    assert response.status_code == 200
    assertTemplateUsed(response, "articles/article_list.html")
    assertContains(
        response,
        f'<h2 class="story-card__headline"><a href="/2021/06/18/kim-dialogue-and-confrontation/">'
        f"{kim.title}</a></h2>",
        html=True,
    )
    assertContains(response, kim.standfirst)
    assertContains(response, '<span class="story-card__byline">BBC News</span>', html=True)
    assertContains(
        response,
        '<time class="story-card__date" datetime="2021-06-18T10:00:00+01:00">18 June 2021</time>',
        html=True,
    )
    assertContains(
        response, '<a class="story-card__source" href="/sources/bbc/">BBC</a>', html=True
    )
    assertNotContains(response, "Unfinished draft")
    assertNotContains(response, "Embargoed story")


def test_front_page_is_paginated(client, settings):
    settings.NEWSROOM_ARTICLES_PER_PAGE = 2
    stories = [
        ArticleFactory(title=f"Day {day} story", published_at=JUNE_18 + timedelta(days=day))
        for day in range(1, 4)
    ]

    first = client.get(reverse("articles:index"))
    older = f"?before={encode_cursor(stories[1].published_at, stories[1].pk)}"
    second = client.get(reverse("articles:index") + older)

    assertContains(first, "Day 3 story")
    assertContains(first, "Day 2 story")
    assertNotContains(first, "Day 1 story")
    assertContains(first, f'<a rel="next" href="{older}">Older →</a>', html=True)
    assertNotContains(first, 'rel="prev"')
    assertContains(second, "Day 1 story")
    assertNotContains(second, "Day 2 story")
    assertNotContains(second, 'rel="next"')
    newer = f"?after={encode_cursor(stories[0].published_at, stories[0].pk)}"
    assertContains(second, f'<a rel="prev" href="{newer}">← Newer</a>', html=True)
    assertContains(second, '<a href="/">Newest</a>', html=True)
    assertContains(second, '<a href="/archive/">Every month</a>', html=True)
    assertContains(second, "<title>Earlier stories · Newsroom</title>", html=True)
    # "Newer" from the last page is the first page again.
    back = client.get(reverse("articles:index") + newer)
    assert [s.title for s in back.context["object_list"]] == ["Day 3 story", "Day 2 story"]
    assertContains(back, f'<a rel="next" href="{older}">Older →</a>', html=True)


def test_stories_published_at_the_same_moment_are_each_listed_once(client, settings):
    settings.NEWSROOM_ARTICLES_PER_PAGE = 2
    made = {ArticleFactory(published_at=JUNE_18).title for _ in range(5)}
    seen: list[str] = []
    url = reverse("articles:index")
    while url:
        response = client.get(url)
        seen += [story.title for story in response.context["object_list"]]
        page = response.context["page_obj"]
        url = reverse("articles:index") + page.next_url if page.has_next else None

    assert sorted(seen) == sorted(made)


def test_deep_pages_cost_what_the_first_page_costs(client, settings, django_assert_num_queries):
    settings.NEWSROOM_ARTICLES_PER_PAGE = 2
    tag = TagFactory(slug="korea")
    stories = [
        ArticleFactory(published_at=JUNE_18 + timedelta(hours=n), tags=[tag]) for n in range(9)
    ]
    deep = stories[2]  # the oldest two follow it: the last page
    url = f"/tags/korea/?before={encode_cursor(deep.published_at, deep.pk)}"
    client.get(url)

    # The tag, the page's stories (one more than shown: is there an older
    # page?), their comment counts; no count, no OFFSET.
    with django_assert_num_queries(3) as captured:
        response = client.get(url)

    assert [s.pk for s in response.context["object_list"]] == [stories[1].pk, stories[0].pk]
    assert not any("OFFSET" in query["sql"] for query in captured.captured_queries)


def test_old_numbered_pages_move_to_their_cursor(client, settings):
    settings.NEWSROOM_ARTICLES_PER_PAGE = 2
    stories = [ArticleFactory(published_at=JUNE_18 + timedelta(hours=n)) for n in range(5)]

    response = client.get(reverse("articles:index"), {"page": 2})

    assert response.status_code == 301
    last_of_first_page = stories[3]
    cursor = encode_cursor(last_of_first_page.published_at, last_of_first_page.pk)
    assert response["Location"] == f"/?before={cursor}"


@pytest.mark.parametrize(
    "query",
    [
        {"page": "99"},
        {"page": "abc"},
        {"page": str(MAX_NUMBERED_PAGE + 1)},
        {"before": "abc"},
        {"before": "1.2", "after": "1.2"},
        {"after": "99999999999999999.1"},
        {"before": "-99999999999999999.1"},
        {"before": "1.1"},  # nothing older than 1970
    ],
)
def test_front_page_bad_page_is_not_found(client, query, kim):
    assert client.get(reverse("articles:index"), query).status_code == 404


def test_empty_front_page_says_so(client):
    assertContains(client.get(reverse("articles:index")), "No stories here yet.")


# Story page


def test_story_page_shows_the_story(client, kim):
    response = client.get("/2021/06/18/kim-dialogue-and-confrontation/")

    assert response.status_code == 200
    assertTemplateUsed(response, "articles/article_detail.html")
    assertContains(response, f'<h1 class="story__headline" dir="auto">{kim.title}</h1>', html=True)
    assertContains(response, f'<p class="story__standfirst">{kim.standfirst}</p>', html=True)
    assertContains(response, '<span class="story__byline">BBC News</span>', html=True)
    assertContains(
        response,
        '<time class="story__date" datetime="2021-06-18T10:00:00+01:00">18 June 2021</time>',
        html=True,
    )
    assertContains(
        response, "<p>North Korean leader <strong>Kim Jong-un</strong> has spoken.</p>", html=True
    )
    assertContains(response, '<a href="/tags/north-korea/" rel="tag">North Korea</a>', html=True)
    assertContains(response, '<section id="comments"')


def test_story_page_attribution(client, kim):
    response = client.get(kim.get_absolute_url())

    assertContains(
        response,
        '<a href="https://www.bbc.co.uk/news" rel="external">BBC</a>',
        html=True,
    )
    assertContains(
        response,
        '<p class="attribution__original">Originally published at '
        '<a href="https://www.bbc.co.uk/news/world-asia-57521293" rel="external">'
        "https://www.bbc.co.uk/news/world-asia-57521293</a></p>",
        html=True,
    )
    assertContains(
        response, '<p class="attribution__copyright"><small>© BBC</small></p>', html=True
    )
    assertNotContains(response, "(c) BBC")


def test_upper_case_copyright_notice_gets_the_sign(client):
    source = SourceFactory(name="Reuters", slug="reuters", copyright_notice="(C) Reuters 2021")
    article = ArticleFactory(source=source)

    assertContains(
        client.get(article.get_absolute_url()),
        '<p class="attribution__copyright"><small>© Reuters 2021</small></p>',
        html=True,
    )


def test_story_without_source_has_no_attribution(client, article):
    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assertNotContains(response, 'class="attribution"')


def test_story_page_canonical_and_social_meta(client, kim):
    response = client.get(kim.get_absolute_url())
    own_url = "http://testserver/2021/06/18/kim-dialogue-and-confrontation/"

    assertContains(
        response,
        '<link rel="canonical" href="https://www.bbc.co.uk/news/world-asia-57521293">',
        html=True,
    )
    assertContains(response, f'<meta property="og:title" content="{kim.title}">', html=True)
    assertContains(
        response, f'<meta property="og:description" content="{kim.standfirst}">', html=True
    )
    assertContains(response, '<meta property="og:type" content="article">', html=True)
    assertContains(response, f'<meta property="og:url" content="{own_url}">', html=True)
    assertContains(
        response,
        '<meta property="article:published_time" content="2021-06-18T10:00:00+01:00">',
        html=True,
    )
    assertContains(response, '<meta name="twitter:card" content="summary">', html=True)


def test_canonical_is_our_own_url_without_an_original(client):
    article = ArticleFactory(slug="home-grown", published_at=JUNE_18)

    assertContains(
        client.get(article.get_absolute_url()),
        '<link rel="canonical" href="http://testserver/2021/06/18/home-grown/">',
        html=True,
    )


def test_story_text_is_escaped_except_the_rendered_body(client):
    article = ArticleFactory(title="<b>Bold</b> claims", standfirst="<i>sly</i>")
    response = client.get(article.get_absolute_url())

    assertContains(response, "&lt;b&gt;Bold&lt;/b&gt; claims")
    assertNotContains(response, "<i>sly</i>")


def test_updated_shown_only_after_a_later_edit(client, kim, django_capture_on_commit_callbacks):
    url = kim.get_absolute_url()
    assertNotContains(client.get(url), "Updated")

    later = timezone.now() + timedelta(hours=2)
    with (
        django_capture_on_commit_callbacks(execute=True),
        mock.patch("django.utils.timezone.now", return_value=later),
    ):
        kim.save()  # an editor's correction, two hours on

    assertContains(client.get(url), '<span class="story__updated">Updated', count=1)


def test_wrong_date_in_story_url_is_not_found(client, kim):
    assert client.get("/2021/06/19/kim-dialogue-and-confrontation/").status_code == 404
    assert client.get("/2021/06/18/no-such-story/").status_code == 404


@pytest.mark.parametrize("fixture", ["draft", "scheduled"])
def test_unpublished_story_is_not_found_for_readers(client, user, request, fixture):
    story = request.getfixturevalue(fixture)

    assert client.get(story.get_absolute_url()).status_code == 404
    client.force_login(user)
    assert client.get(story.get_absolute_url()).status_code == 404


def test_a_scheduled_story_appears_when_its_time_comes_not_before(client, kim):
    # The story page's queryset is built once per process; "published by
    # now" must still be asked at each request's own time.
    url = kim.get_absolute_url()
    with mock.patch("django.utils.timezone.now", return_value=JUNE_18 - timedelta(hours=1)):
        assert client.get(url).status_code == 404

    assertContains(client.get(url), "Kim Jong-un prepares")


@pytest.mark.parametrize("fixture", ["draft", "scheduled"])
def test_staff_preview_unpublished_story_with_banner(client, staff, request, fixture):
    story = request.getfixturevalue(fixture)
    client.force_login(staff)

    response = client.get(story.get_absolute_url())

    assert response.status_code == 200
    assertContains(response, "Preview — not published.")
    assertContains(response, f'<h1 class="story__headline" dir="auto">{story.title}</h1>', html=True)


def test_staff_see_no_banner_on_published_story(client, staff, kim):
    client.force_login(staff)

    assertNotContains(client.get(kim.get_absolute_url()), "Preview — not published")


# Archives


@pytest.fixture
def archive_stories():
    """Two June stories on different days, one in May 2021, one in 2020, and a June draft."""
    return {
        "june_18": ArticleFactory(title="June eighteenth", published_at=JUNE_18),
        "june_20": ArticleFactory(title="June twentieth", published_at=JUNE_18 + timedelta(days=2)),
        "may": ArticleFactory(title="May story", published_at=datetime(2021, 5, 3, 12, tzinfo=UTC)),
        "old": ArticleFactory(title="Last year", published_at=datetime(2020, 1, 2, 12, tzinfo=UTC)),
        "draft": ArticleFactory(
            title="June draft", published_at=JUNE_18, status=Article.Status.DRAFT
        ),
    }


def test_archive_index_lists_months_with_counts(client, archive_stories):
    response = client.get(reverse("articles:archive"))

    assert response.status_code == 200
    assertContains(
        response,
        '<li class="archive__month"><a href="/2021/06/"><time datetime="2021-06">June 2021</time>'
        '</a> <span class="archive__count">(2)</span></li>',
        html=True,
    )
    assertContains(response, '<a href="/2021/05/">', count=1)
    assertContains(response, '<a href="/2020/01/">', count=1)
    assertContains(response, "(3 stories)")


def test_year_archive(client, archive_stories):
    response = client.get("/2021/")

    assert response.status_code == 200
    assertTemplateUsed(response, "articles/article_archive_year.html")
    assertContains(response, 'Stories from <time datetime="2021">2021</time>')
    for title in ("June eighteenth", "June twentieth", "May story"):
        assertContains(response, title)
    assertNotContains(response, "Last year")
    assertNotContains(response, "June draft")
    assertContains(response, '<a rel="prev" href="/2020/">← 2020</a>', html=True)


def test_month_archive(client, archive_stories):
    response = client.get(reverse("articles:archive-month", kwargs={"year": 2021, "month": 6}))

    assert response.status_code == 200
    assertTemplateUsed(response, "articles/article_archive_month.html")
    assertContains(response, "June 2021")
    assertContains(response, "June eighteenth")
    assertContains(response, "June twentieth")
    assertNotContains(response, "May story")
    assertNotContains(response, "June draft")
    assertContains(response, '<a rel="prev" href="/2021/05/">← May 2021</a>', html=True)


def test_day_archive(client, archive_stories):
    response = client.get("/2021/06/18/")

    assert response.status_code == 200
    assertTemplateUsed(response, "articles/article_archive_day.html")
    assertContains(response, "June eighteenth")
    assertNotContains(response, "June twentieth")
    assertNotContains(response, "June draft")


@pytest.mark.parametrize("url", ["/2019/", "/2021/13/", "/2021/07/", "/2021/06/31/"])
def test_empty_or_impossible_archive_is_not_found(client, archive_stories, url):
    assert client.get(url).status_code == 404


def test_archive_of_only_a_draft_is_not_found(client, draft):
    local = timezone.localtime(draft.published_at)
    assert client.get(f"/{local.year}/{local.month:02d}/").status_code == 404


def test_tag_page(client, kim, draft):
    draft.tags.set(kim.tags.all())
    ArticleFactory(title="Untagged story")

    response = client.get("/tags/north-korea/")

    assert response.status_code == 200
    assertContains(
        response,
        '<h1 id="listing-heading" class="listing__heading">Stories tagged “North Korea”</h1>',
        html=True,
    )
    assertContains(response, kim.title)
    assertNotContains(response, "Untagged story")
    assertNotContains(response, "Unfinished draft")
    assertContains(response, 'href="/tags/north-korea/feed/rss/"')


def test_source_page(client, kim):
    ArticleFactory(title="Someone else's story", source=SourceFactory())

    response = client.get("/sources/bbc/")

    assert response.status_code == 200
    assertContains(response, "Stories from BBC")
    assertContains(response, kim.title)
    assertNotContains(response, "Someone else")


@pytest.mark.parametrize("url", ["/tags/nope/", "/sources/nope/"])
def test_unknown_tag_or_source_is_not_found(client, url):
    assert client.get(url).status_code == 404


def test_not_found_page_is_friendly(client):
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    assertContains(
        response, '<h1 id="error-heading">Page not found</h1>', status_code=404, html=True
    )
    assertContains(
        response, '<a href="/archive/">Browse the archive</a>', status_code=404, html=True
    )


def test_server_error_page_renders_without_a_request_context(rf):
    response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert b"<h1>Something went wrong</h1>" in response.content


def _queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/", "/2021/", "/tags/korea/"])
def test_list_pages_query_count_does_not_grow_with_stories(client, bbc, url):
    korea = TagFactory(name="Korea", slug="korea")
    ArticleFactory.create_batch(2, source=bbc, tags=[korea], published_at=JUNE_18)
    few = _queries_for(client, url)

    ArticleFactory.create_batch(
        6, source=SourceFactory(), tags=[korea, TagFactory()], published_at=JUNE_18
    )

    assert _queries_for(client, url) == few


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/", '<a href="/" aria-current="page">Latest</a>'),
        ("/archive/", '<a href="/archive/" aria-current="page">Archive</a>'),
        ("/2021/", '<a href="/archive/" aria-current="true">Archive</a>'),
        ("/2021/06/", '<a href="/archive/" aria-current="true">Archive</a>'),
    ],
)
def test_the_current_section_is_marked_in_the_navigation(client, path, current):
    ArticleFactory(published_at=datetime(2021, 6, 18, 9, tzinfo=UTC))

    page = client.get(path)

    assertContains(page, current, html=True)
    assert page.content.decode().count("aria-current") >= 1


def test_a_story_page_marks_no_section_as_current(client, article):
    nav = client.get(article.get_absolute_url()).content.decode()
    nav = nav[nav.index('aria-label="Main"') : nav.index("</nav>")]
    assert "aria-current" not in nav


def test_a_story_links_the_previous_and_next_from_its_source(client, bbc):
    day = datetime(2021, 6, 1, 9, tzinfo=UTC)
    older, story, newer = (
        ArticleFactory(source=bbc, title=title, published_at=day + timedelta(days=n))
        for n, title in enumerate(["Older from the BBC", "This story", "Newer from the BBC"])
    )
    ArticleFactory(title="Another source's story", published_at=day + timedelta(days=1, hours=1))
    ArticleFactory(source=bbc, title="A BBC draft", status=Article.Status.DRAFT,
                   published_at=day + timedelta(days=1, hours=2))

    page = client.get(story.get_absolute_url()).content.decode()
    nav = page[page.index('class="story-nav"') :]
    nav = nav[: nav.index("</nav>")]

    assert 'More from <a href="/sources/bbc/">BBC</a>' in nav
    assert f'<a href="{older.get_absolute_url()}" dir="auto">Older from the BBC</a>' in nav
    assert f'<a href="{newer.get_absolute_url()}" dir="auto">Newer from the BBC</a>' in nav
    assert "Another source" not in nav and "draft" not in nav


def test_the_first_story_of_a_tag_has_only_a_next(client):
    tag = TagFactory(name="Harbours", slug="harbours")
    first = ArticleFactory(title="First", published_at=timezone.now() - timedelta(days=2))
    second = ArticleFactory(title="Second", published_at=timezone.now() - timedelta(days=1))
    first.tags.add(tag)
    second.tags.add(tag)

    page = client.get(first.get_absolute_url()).content.decode()

    assert "More from <a href=\"/tags/harbours/\">Harbours</a>" in page
    assert "Next story" in page and "Previous story" not in page
