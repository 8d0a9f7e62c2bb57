"""What a reader types and what the page shows."""

import pytest

from comments.formatting import render_comment
from newsroom.sanitize import clean_comment_html


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("Hello", "<p>Hello</p>"),
        ("One\ntwo", "<p>One<br>\ntwo</p>"),
        ("One\r\n\r\nTwo", "<p>One</p><p>Two</p>"),
        ("One\n\n\n\nTwo\n", "<p>One</p><p>Two</p>"),
        ("x < y && y > z", "<p>x &lt; y &amp;&amp; y &gt; z</p>"),
        ("I <3 this", "<p>I &lt;3 this</p>"),
        ("&lt;b&gt; is bold", "<p>&lt;b&gt; is bold</p>"),
        (
            "<b>not allowed</b> <em>allowed</em>",
            "<p>&lt;b&gt;not allowed&lt;/b&gt; <em>allowed</em></p>",
        ),
        (
            "<strong>strong</strong> and <code>a < b</code>",
            "<p><strong>strong</strong> and <code>a &lt; b</code></p>",
        ),
    ],
    ids=["plain", "line-break", "crlf-paragraphs", "many-blank-lines", "comparisons", "heart",
         "typed-entities-stay-text", "unknown-tag-shown", "inline-tags"],
)
def test_plain_text_becomes_paragraphs_and_text_shows_as_typed(typed, shown):
    assert render_comment(typed) == shown


def test_quoted_lines_become_one_blockquote():
    typed = "> You said this\n> over two lines\nAnd I disagree."

    assert render_comment(typed) == (
        "<blockquote><p>You said this<br>\nover two lines</p></blockquote>"
        "<p>And I disagree.</p>"
    )


def test_quotes_hold_paragraphs_and_nest():
    typed = "> first\n>\n> second\n> > older"

    assert render_comment(typed) == (
        "<blockquote><p>first</p><p>second</p>"
        "<blockquote><p>older</p></blockquote></blockquote>"
    )


def test_a_greater_than_sign_without_a_space_is_not_a_quote():
    assert render_comment(">_< oops") == "<p>&gt;_&lt; oops</p>"


def test_bare_urls_become_user_content_links():
    assert render_comment("See https://example.com/a?b=1&c=2 now") == (
        '<p>See <a href="https://example.com/a?b=1&amp;c=2" rel="nofollow ugc noopener">'
        "https://example.com/a?b=1&amp;c=2</a> now</p>"
    )


def test_a_typed_link_shows_as_typed_and_its_address_links_as_itself():
    assert render_comment('Read <a href="https://example.com" title="t">this</a>') == (
        '<p>Read &lt;a href="<a href="https://example.com" rel="nofollow ugc noopener">'
        'https://example.com</a>" title="t"&gt;this&lt;/a&gt;</p>'
    )


def test_typed_lists_and_preformatted_text_keep_their_structure():
    typed = (
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n\n"
        "<pre>def f():\n\n    return 1 < 2\n</pre>\nafter"
    )

    assert render_comment(typed) == (
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"
        "<pre>def f():\n\n    return 1 &lt; 2\n</pre><p>after</p>"
    )


def test_output_is_stable_under_sanitizing_again():
    typed = (
        "> quote https://example.org\n\n<pre>\n\ncode</pre>\n"
        '<a href="https://x.example">x</a> & <em>done</em>'
    )
    html = render_comment(typed)

    assert clean_comment_html(html) == html


def test_empty_text_renders_nothing():
    assert render_comment("") == ""
    assert render_comment("\n \n") == ""
