"""HTML sanitizing: the only module that imports bleach.

Stories, comments and importers all use it, so it lives in neither app.

Two policies: a small one for readers' comments and a wider one for the
Markdown that editors write in stories. The story policy also keeps exactly
what Python-Markdown's `tables` and `footnotes` extensions emit and the
table wrapper `articles.rendering` adds, each attribute limited to the
values those produce (a column's align, a footnote's id, class and
backlink, the wrapper's class, role, tabindex and label), so an editor
cannot give the page other ids, classes or focus stops. Both strip every tag and attribute
they do not list (scripts, event handlers, style attributes) and allow only
http, https and mailto links, so `javascript:` and `data:` URLs never survive.

bleach's Cleaner keeps parser state between calls and is documented as not
thread-safe, so each thread builds its own cleaners on first use.
"""

import html
import re
import threading
from functools import partial
from urllib.parse import urlsplit

import bleach
from bleach.linkifier import LinkifyFilter, build_url_re

COMMENT_TAGS = frozenset(
    {"p", "br", "a", "blockquote", "em", "strong", "code", "pre", "ul", "ol", "li"}
)
COMMENT_ATTRIBUTES = {"a": ["href"]}

ARTICLE_TAGS = COMMENT_TAGS | {
    "h2",
    "h3",
    "h4",
    "hr",
    "figure",
    "figcaption",
    "cite",
    "img",
    # Markdown tables
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    # Markdown footnotes (the references, and the notes in a div) and table wrappers
    "sup",
    "div",
}

_FOOTNOTE_ID_RE = re.compile(r"fn(?:ref\d*)?:[^\s\"'<>]{1,100}")
_TABLE_LABEL_RE = re.compile(r"Table \d{1,4}")


def _allowed_value(rules: dict[str, object]):
    """A bleach attribute filter: each attribute named in `rules` is kept when
    its value is in the given set or fully matches the given pattern."""

    def allowed(tag, name, value):
        rule = rules.get(name)
        if rule is None:
            return False
        if isinstance(rule, re.Pattern):
            return rule.fullmatch(value) is not None
        return rule is True or value in rule

    return allowed


_ALIGN = {"align": {"left", "center", "right"}}
ARTICLE_ATTRIBUTES = {
    "a": _allowed_value(
        {"href": True, "title": True, "class": {"footnote-ref", "footnote-backref"}}
    ),
    "img": ["src", "alt", "title"],
    "th": _allowed_value(_ALIGN),
    "td": _allowed_value(_ALIGN),
    "sup": _allowed_value({"id": _FOOTNOTE_ID_RE}),
    "li": _allowed_value({"id": _FOOTNOTE_ID_RE}),
    "div": _allowed_value(
        {
            "class": {"footnote", "table-scroll"},
            "role": {"region"},
            "tabindex": {"0"},
            "aria-label": _TABLE_LABEL_RE,
        }
    ),
}

PROTOCOLS = frozenset({"http", "https", "mailto"})
UGC_REL = "nofollow ugc noopener"

# Bare text only becomes a link for web addresses. bleach's default pattern
# also recognises schemes such as data: and javascript:-like oddities; those
# must stay plain text.
_LINKIFY_URL_RE = build_url_re(protocols=["http", "https"])
_PRE_LEADING_NEWLINES_RE = re.compile(r"<pre>\n+")
_IGNORED_IN_URL_RE = re.compile(r"[\x00-\x20\x7f-\xa0\s]+")


def _drop_unsafe_href(attrs, new=False):
    """Take the href off a link whose address is not a plain web or mail address.

    The sanitizer has already checked the scheme; this second check also
    decodes the HTML5-only references it leaves alone ("javascript&colon;")
    and refuses markup pasted into an href. The <a> itself stays, inert:
    unwrapping it would expose its text to linkifying on a later clean, and
    cleaning twice must give the same HTML.
    """
    href = attrs.get((None, "href"))
    if href is None:
        return attrs
    decoded = html.unescape(href)
    normalized = _IGNORED_IN_URL_RE.sub("", decoded)
    try:
        scheme = urlsplit(normalized).scheme.lower()
    except ValueError:
        scheme = "invalid"
    if any(char in decoded for char in '<>"`') or (scheme and scheme not in PROTOCOLS):
        del attrs[(None, "href")]
    return attrs


def _set_ugc_rel(attrs, new=False):
    attrs[(None, "rel")] = UGC_REL
    return attrs


def _build_comment_cleaner() -> bleach.Cleaner:
    return bleach.Cleaner(
        tags=COMMENT_TAGS,
        attributes=COMMENT_ATTRIBUTES,
        protocols=PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[
            partial(
                LinkifyFilter,
                callbacks=[_drop_unsafe_href, _set_ugc_rel],
                skip_tags={"pre", "code"},
                url_re=_LINKIFY_URL_RE,
            )
        ],
    )


def _build_article_cleaner() -> bleach.Cleaner:
    return bleach.Cleaner(
        tags=ARTICLE_TAGS,
        attributes=ARTICLE_ATTRIBUTES,
        protocols=PROTOCOLS,
        strip=True,
        strip_comments=True,
    )


_local = threading.local()


def _cleaner(name: str, build) -> bleach.Cleaner:
    cleaner = getattr(_local, name, None)
    if cleaner is None:
        cleaner = build()
        setattr(_local, name, cleaner)
    return cleaner


# Markup the cleaner returns unchanged, recognised without parsing it: text
# whose only markup is the bare <p>, <br> and <blockquote> tags the comment
# formatter writes, nested as it nests them, and <em> and <strong> closed in
# the paragraph that opened them, the only references &amp;
# (not followed by what could continue a reference: the cleaner reads
# "&amp;amp;" as "&amp;"), &lt; and &gt;, no other "<", ">" or "&", no control or other unprintable
# character, and nothing the linkifier would link (text nodes are
# substrings of the markup between tags, and an address is made of
# characters that are never escaped, so an address in the text is one in
# the markup). Most imported comments are such plain paragraphs; parsing
# and re-serialising them with html5lib was three quarters of an import's
# time. tests/newsroom/test_sanitize.py checks the shortcut against the
# full cleaner on generated markup.
_DOT_WORD_RE = re.compile(r"\.\w")
_PLAIN_TOKEN_RE = re.compile(
    r"<(/?)(p|blockquote|em|strong)>|<br>|&amp;(?![#\w])|&(?:lt|gt);|[<>&]"
)


def _is_plain(markup: str) -> bool:
    if not markup.replace("\n", "").replace("\t", "").isprintable():
        return False
    # An address has a dot before a word character ("example.org"); prose
    # rarely does, and this is much quicker than the address pattern.
    if _DOT_WORD_RE.search(markup) and _LINKIFY_URL_RE.search(markup):
        return False
    # The open <blockquote>s, then, inside a paragraph, "p" and its open <em>/<strong>.
    blocks, inline = 0, []
    for match in _PLAIN_TOKEN_RE.finditer(markup):
        token, closing, name = match[0], match[1], match[2]
        if token in ("<br>", "&amp;", "&lt;", "&gt;"):
            continue
        if name is None:  # a stray "<", ">" or "&"
            return False
        if name in ("em", "strong"):
            if not inline:  # only inside a paragraph
                return False
            if not closing:
                inline.append(name)
            elif inline[-1] != name:
                return False
            else:
                inline.pop()
        elif name == "p":
            if bool(closing) != bool(inline) or inline[1:]:
                return False
            inline = [] if closing else ["p"]
        elif inline:  # a quote opened or closed inside a paragraph
            return False
        elif closing:
            if not blocks:
                return False
            blocks -= 1
        else:
            blocks += 1
    return not inline and not blocks


def clean_comment_html(markup: str) -> str:
    """Sanitize a comment's HTML and turn bare URLs into nofollow links.

    Every link, typed or linkified, carries rel="nofollow ugc noopener".
    Cleaning the output again returns it unchanged.
    """
    if _is_plain(markup):
        return markup
    return _clean_comment_fully(markup)


def _clean_comment_fully(markup: str) -> str:
    cleaned = _cleaner("comment", _build_comment_cleaner).clean(markup)
    # An HTML parser drops the first newline inside <pre>, so one kept there
    # would vanish on the next clean; drop leading newlines now.
    return _PRE_LEADING_NEWLINES_RE.sub("<pre>", cleaned)


def clean_article_html(html: str) -> str:
    """Sanitize the HTML rendered from a story's Markdown."""
    return _cleaner("article", _build_article_cleaner).clean(html)


def strip_tags(html: str) -> str:
    """Plain text of some HTML (for previews and feeds)."""
    return bleach.clean(html, tags=set(), strip=True)
