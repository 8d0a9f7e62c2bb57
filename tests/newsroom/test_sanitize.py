"""Hostile input never survives the comment sanitizer; ordinary markup does."""

import re
from html import unescape
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comments.formatting import render_comment
from newsroom.sanitize import clean_article_html, clean_comment_html

UNKNOWN_TAGS = ("<img", "<iframe", "<svg", "<math", "<object", "<embed", "<form", "<style", "<body")


class _Attributes(HTMLParser):
    """Every attribute name in a document, as a browser would read the tags."""

    def __init__(self):
        super().__init__()
        self.names: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.names += [name for name, _value in attrs]

    handle_startendtag = handle_starttag


def _event_handlers(html: str) -> list[str]:
    """The on* attributes in `html` (an " onerror=" inside a quoted value is not one)."""
    parser = _Attributes()
    parser.feed(html)
    parser.close()
    return [name for name in parser.names if name.lower().startswith("on")]

# Text is escaped, so a "<" in the output always opens a real tag.
SCRIPT_HREF = re.compile(r"<[^>]*\bhref\s*=\s*\"\s*(javascript|data|vbscript):", re.IGNORECASE)


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<scr<script>ipt>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "<p onclick=alert(1)>click</p>",
        "<a href=\"https://ok.example\" onmouseover='alert(1)'>hover</a>",
        "<body onload=alert(1)>",
        '<iframe src="https://evil.example"></iframe>',
        "<svg><script>alert(1)</script></svg>",
        '<svg onload="alert(1)">',
        "<math><mtext><script>alert(1)</script></mtext></math>",
        '<object data="x.swf"></object><embed src="x.swf">',
        '<form action="https://evil.example"><input name=x></form>',
        '<style>body{display:none}</style>',
        "<!-- <script>alert(1)</script> -->",
    ],
)
def test_scripts_handlers_and_unknown_tags_never_survive(hostile):
    for html in (clean_comment_html(hostile), render_comment(hostile)):
        assert "<script" not in html.lower()
        assert not _event_handlers(html)
        for tag in UNKNOWN_TAGS:
            assert tag not in html.lower()


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "  javascript:alert(1)",
        "\tjavascript:alert(1)",
        "jav&#x09;ascript:alert(1)",
        "jav&#9;ascript:alert(1)",
        "java\nscript:alert(1)",
        "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)",
        "&#x6A;avascript:alert(1)",
        "javascript&colon;alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "DATA:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
    ],
)
def test_script_and_data_urls_are_dropped_however_they_are_spelled(href):
    typed = f'<a href="{href}">click me</a>'

    for html in (clean_comment_html(typed), render_comment(typed)):
        assert not re.search(r"<[^>]*href", html)
        assert "click me" in html


def test_style_attributes_are_dropped():
    assert clean_comment_html('<p style="position:fixed">x</p>') == "<p>x</p>"
    assert render_comment('<strong style="color:red">x</strong>') == "<p><strong>x</strong></p>"


def test_allowed_markup_survives_and_links_are_marked_as_user_content():
    html = clean_comment_html(
        "<p>Read <a href=\"https://example.com/story\">this</a> and https://example.org/x</p>"
        "<blockquote>quoted</blockquote><ul><li><em>one</em></li></ul><pre><code>x</code></pre>"
    )

    assert html == (
        '<p>Read <a href="https://example.com/story" rel="nofollow ugc noopener">this</a> and '
        '<a href="https://example.org/x" rel="nofollow ugc noopener">https://example.org/x</a></p>'
        "<blockquote>quoted</blockquote><ul><li><em>one</em></li></ul><pre><code>x</code></pre>"
    )


def test_a_typed_rel_or_target_is_replaced():
    html = clean_comment_html('<a href="https://x.example" rel="dofollow" target="_blank">x</a>')

    assert html == '<a href="https://x.example" rel="nofollow ugc noopener">x</a>'


def test_urls_in_code_are_not_linkified():
    code = "<code>https://example.com</code>"

    assert clean_comment_html(code) == code


def test_article_policy_still_allows_images_but_not_scripts():
    html = clean_article_html(
        '<h2>Head</h2><img src="https://x.example/a.png" onerror="x()"><script>1</script>'
    )

    assert html.startswith('<h2>Head</h2><img src="https://x.example/a.png">')
    assert "<script" not in html and "onerror" not in html


# Fuzzing ---------------------------------------------------------------------

_FRAGMENTS = st.sampled_from(
    [
        "<", ">", "&", '"', "'", "=", "/", " ", "\n", "\n\n", "> ", "\t",
        "<a href=", "<a href='", '<a href="', "</a>",
        "javascript:", "JaVaScRiPt:", "jav&#x09;ascript:",
        "data:", "&#106;", "&colon;", " onerror=", " onclick=", "ONLOAD=", "alert(1)",
        "<script>", "</script>", "<img src=x", "<svg", "<iframe", "<math>", "<style>",
        "<p>", "</p>", "<em>", "</em>", "<pre>", "</pre>", "<code>", "<blockquote>",
        "<ul><li>", "<br>", "<!--", "-->", "https://example.com/a?b=1", "www.example.org",
        "style=", "x", "word",
    ]
)
_HOSTILE_TEXT = st.one_of(
    st.lists(_FRAGMENTS, max_size=30).map("".join),
    st.text(max_size=200),
)
_FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _assert_safe(html: str) -> None:
    assert "<script" not in html.lower()
    assert not _event_handlers(html), html
    assert not SCRIPT_HREF.search(html), html
    for href in re.findall(r'<a\b[^>]*\bhref="([^"]*)"', html):
        address = re.sub(r"[\x00-\x20\x7f-\xa0\s]+", "", unescape(href))
        scheme = re.match(r"([a-z][a-z0-9+.-]*):", address, re.IGNORECASE)
        assert scheme is None or scheme[1].lower() in {"http", "https", "mailto"}, href


@_FUZZ
@given(_HOSTILE_TEXT)
def test_fuzz_render_comment_is_safe_and_stable(text):
    html = render_comment(text)

    _assert_safe(html)
    assert clean_comment_html(html) == html


@_FUZZ
@given(_HOSTILE_TEXT)
def test_fuzz_clean_comment_html_is_safe_and_idempotent(text):
    html = clean_comment_html(text)

    _assert_safe(html)
    assert clean_comment_html(html) == html


# The shortcut for plain paragraphs -------------------------------------------

_PIECES = [
    "<p>", "</p>", "<br>", "<br/>", "<blockquote>", "</blockquote>", "<em>", "</em>", "<pre>",
    "<strong>", "</strong>", "<code>",
    "&amp;", "&lt;", "&gt;", "&quot;", "&#60;", "amp;", "lt;", "#", "x27;", "&", "<", ">", '"', "'", "=", "/", ".", ":",
    "a", "word ", " ", "\n", "\t", "\r", "\x00", "\x0b", "\xa0", "\u2028", "é", "李", "😀",
    "example.com", "http://", "https://x.org/a", "www.", "bbc.co.uk", "org", "<!--", "-->",
]


@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(st.sampled_from(_PIECES), max_size=30))
def test_the_plain_paragraph_shortcut_returns_what_the_full_cleaner_would(pieces):
    from newsroom.sanitize import _clean_comment_fully

    markup = "".join(pieces)
    assert clean_comment_html(markup) == _clean_comment_fully(markup)


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(_PIECES + ["> ", "\n\n", "> > "]), max_size=40).map("".join))
def test_rendered_comments_take_the_shortcut_only_when_the_cleaner_agrees(text):
    from comments.formatting import _normalise, _render_blocks
    from newsroom.sanitize import _clean_comment_fully

    markup = _render_blocks(_normalise(text))
    assert clean_comment_html(markup) == _clean_comment_fully(markup)


@settings(max_examples=500, deadline=None)
@given(
    pieces=st.lists(
        st.sampled_from(
            ["<p>", "</p>", "<em>", "</em>", "<strong>", "</strong>", "<blockquote>",
             "</blockquote>", "<br>", "a", " ", "\n"]
        ),
        max_size=14,
    )
)
def test_the_shortcut_takes_only_nesting_the_cleaner_keeps(pieces):
    from newsroom.sanitize import _clean_comment_fully

    markup = "".join(pieces)
    assert clean_comment_html(markup) == _clean_comment_fully(markup)
