"""Story Markdown: tables, footnotes and headings under the title survive
rendering and sanitizing; anything else on those tags does not."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertInHTML

from articles.rendering import render_markdown, summary_from_html
from tests.factories import ArticleFactory

TABLE = """\
| Party | Seats |
|:------|------:|
| Red   | 120   |
| Blue  | 98    |
"""


def test_a_table_renders_with_alignment_inside_a_scrolling_region():
    html = render_markdown(f"Results:\n\n{TABLE}")
    assertInHTML(
        """
        <div class="table-scroll" role="region" tabindex="0" aria-label="Table 1">
          <table>
            <thead><tr><th align="left">Party</th><th align="right">Seats</th></tr></thead>
            <tbody>
              <tr><td align="left">Red</td><td align="right">120</td></tr>
              <tr><td align="left">Blue</td><td align="right">98</td></tr>
            </tbody>
          </table>
        </div>
        """,
        html,
    )


def test_each_table_region_has_its_own_label():
    html = render_markdown(f"{TABLE}\nBetween.\n\n{TABLE}")
    assert 'aria-label="Table 1"' in html and 'aria-label="Table 2"' in html


def test_footnotes_link_to_their_notes_and_back():
    html = render_markdown("Turnout rose[^1].\n\n[^1]: Electoral commission figures.")
    assertInHTML('<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>', html)
    assertInHTML(
        """
        <div class="footnote"><hr><ol><li id="fn:1">
          <p>Electoral commission figures.&#160;<a class="footnote-backref" href="#fnref:1"
             title="Jump back to footnote 1 in the text">&#8617;</a></p>
        </li></ol></div>
        """,
        html,
    )


@pytest.mark.parametrize(
    ("markdown", "heading"),
    [
        ("# Section", "<h2>Section</h2>"),
        ("Section\n=======", "<h2>Section</h2>"),
        ("## Section", "<h2>Section</h2>"),
        ("### Subsection", "<h3>Subsection</h3>"),
        ("#### Minor", "<h4>Minor</h4>"),
        ("###### Minor", "<h4>Minor</h4>"),
    ],
)
def test_headings_sit_under_the_title(markdown, heading):
    html = render_markdown(f"Intro.\n\n{markdown}\n\nText.")
    assert heading in html
    assert "<h1" not in html


@pytest.mark.parametrize(
    ("markdown", "kept", "dropped"),
    [
        ('<sup id="main">2</sup>', "<sup>2</sup>", 'id="main"'),
        ('<a class="button" href="#fn:1">x</a>', '<a href="#fn:1">x</a>', "button"),
        (
            '<div class="footnote" onclick="alert(1)">x</div>',
            '<div class="footnote">x</div>',
            "onclick",
        ),
        ('<div tabindex="5" aria-label="Pay here">x</div>', "<div>x</div>", "tabindex"),
        (
            '<table><tr><td align="justify" style="color:red">x</td></tr></table>',
            "<td>x</td>",
            "justify",
        ),
        ('<li id="comments">x</li>', "<li>x</li>", "comments"),
    ],
)
def test_the_new_tags_keep_only_the_values_markdown_gives_them(markdown, kept, dropped):
    html = render_markdown(markdown)
    assert kept in html and dropped not in html


def test_a_summary_leaves_out_footnote_numbers():
    html = render_markdown("Turnout rose[^1] sharply.\n\n[^1]: Figures.")
    assert summary_from_html(html) == "Turnout rose sharply."


@pytest.mark.django_db
def test_the_story_page_has_one_h1_and_shows_the_table_and_notes(client):
    story = ArticleFactory(
        title="Election results", body=f"# Results\n\n{TABLE}\nTurnout rose[^1].\n\n[^1]: Figures."
    )
    response = client.get(story.get_absolute_url())
    page = response.content.decode()
    assert page.count("<h1") == 1
    assertContains(response, "<h2>Results</h2>", html=True)
    assert '<td align="right">120</td>' in page
    assert '<li id="fn:1">' in page


@pytest.mark.django_db
def test_the_admin_tells_editors_what_the_body_supports(admin_client):
    response = admin_client.get(reverse("admin:articles_article_add"))
    assertContains(response, "Tables: a header row, a row of dashes")
    assertContains(response, "Footnotes: text[^1] in the story")
    assertContains(response, "so # gives the same level as ##")
