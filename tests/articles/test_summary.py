"""A story's summary in link previews and feeds: the standfirst, else its first paragraph."""

from xml.etree import ElementTree

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"

BODY = (
    "![Crowds in the square](https://images.example/crowd.jpg)\n\n"
    "Thousands *gathered* in Pyongyang on Tuesday & cheered the parade.\n\n"
    "A second paragraph that no summary shows."
)
FIRST_PARAGRAPH = "Thousands gathered in Pyongyang on Tuesday & cheered the parade."


@pytest.fixture
def no_standfirst():
    return ArticleFactory(title="Parade day", standfirst="", body=BODY)


def _rss_description(client, title):
    root = ElementTree.fromstring(client.get(reverse("articles:feed-rss")).content)
    item = next(i for i in root.iter("item") if i.findtext("title") == title)
    return item.findtext("description")


def _atom_summary(client, title):
    root = ElementTree.fromstring(client.get(reverse("articles:feed-atom")).content)
    entry = next(e for e in root.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == title)
    return entry.findtext(f"{ATOM}summary")


def test_story_page_previews_fall_back_to_the_first_paragraph(client, no_standfirst):
    response = client.get(no_standfirst.get_absolute_url())

    escaped = FIRST_PARAGRAPH.replace("&", "&amp;")
    assertContains(response, f'<meta name="description" content="{escaped}">', html=True)
    assertContains(response, f'<meta property="og:description" content="{escaped}">', html=True)
    assertContains(response, f'<meta name="twitter:description" content="{escaped}">', html=True)
    assert "no summary shows" not in response.content.decode().split("</head>")[0]


def test_feeds_fall_back_to_the_first_paragraph(client, no_standfirst):
    assert _rss_description(client, "Parade day") == FIRST_PARAGRAPH
    assert _atom_summary(client, "Parade day") == FIRST_PARAGRAPH


def test_a_standfirst_is_still_the_summary(client):
    story = ArticleFactory(title="With standfirst", standfirst="The leader speaks.", body=BODY)

    assertContains(
        client.get(story.get_absolute_url()),
        '<meta property="og:description" content="The leader speaks.">',
        html=True,
    )
    assert _rss_description(client, "With standfirst") == "The leader speaks."
    assert _atom_summary(client, "With standfirst") == "The leader speaks."


def test_a_long_first_paragraph_is_cut_at_a_word(client):
    words = " ".join(f"word{n}" for n in range(100))
    ArticleFactory(title="Long one", standfirst="", body=words)

    summary = _rss_description(client, "Long one")

    assert len(summary) <= 200
    assert summary.endswith("…")
    assert words.startswith(summary[:-1])
    assert summary[:-1].split()[-1] in words.split()
