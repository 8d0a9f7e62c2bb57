"""HTML sanitizing: the only module that imports bleach.

Two policies: a small one for readers' comments and a wider one for the
Markdown that editors write in stories. Both strip every tag and attribute
they do not list (scripts, event handlers, style attributes) and allow only
http, https and mailto links, so `javascript:` and `data:` URLs never survive.
"""

from functools import partial

import bleach

COMMENT_TAGS = frozenset(
    {"p", "br", "a", "blockquote", "em", "strong", "code", "pre", "ul", "ol", "li"}
)
COMMENT_ATTRIBUTES = {"a": ["href"]}

ARTICLE_TAGS = COMMENT_TAGS | {"h2", "h3", "h4", "hr", "figure", "figcaption", "cite", "img"}
ARTICLE_ATTRIBUTES = {"a": ["href", "title"], "img": ["src", "alt", "title"]}

PROTOCOLS = frozenset({"http", "https", "mailto"})
UGC_REL = "nofollow ugc noopener"


def _set_ugc_rel(attrs, new=False):
    attrs[(None, "rel")] = UGC_REL
    return attrs


_comment_cleaner = bleach.Cleaner(
    tags=COMMENT_TAGS,
    attributes=COMMENT_ATTRIBUTES,
    protocols=PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[partial(bleach.linkifier.LinkifyFilter, callbacks=[_set_ugc_rel], skip_tags={"pre", "code"})],
)
_article_cleaner = bleach.Cleaner(
    tags=ARTICLE_TAGS,
    attributes=ARTICLE_ATTRIBUTES,
    protocols=PROTOCOLS,
    strip=True,
    strip_comments=True,
)


def clean_comment_html(html: str) -> str:
    """Sanitize a comment's HTML and turn bare URLs into nofollow links."""
    return _comment_cleaner.clean(html)


def clean_article_html(html: str) -> str:
    """Sanitize the HTML rendered from a story's Markdown."""
    return _article_cleaner.clean(html)


def strip_tags(html: str) -> str:
    """Plain text of some HTML (for previews and feeds)."""
    return bleach.clean(html, tags=set(), strip=True)
