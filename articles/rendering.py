"""Markdown to safe HTML, run when a story is saved (never at read time), and
the plain-text summary read from that stored HTML."""

import html
import re

import markdown
from django.utils.html import strip_tags

from newsroom.sanitize import clean_article_html

_EXTENSIONS = ["extra", "sane_lists", "smarty"]


def render_markdown(source: str) -> str:
    rendered = markdown.markdown(source or "", extensions=_EXTENSIONS, output_format="html")
    return clean_article_html(rendered)


# A story's summary where it has no standfirst: its first paragraph, cut to
# what link previews and feed readers show in full.
SUMMARY_MAX_LENGTH = 200
_PARAGRAPH_RE = re.compile(r"<p\b[^>]*>(.*?)</p\s*>", re.IGNORECASE | re.DOTALL)


def _plain(fragment: str) -> str:
    return " ".join(html.unescape(strip_tags(fragment)).split())


def summary_from_html(stored_html: str, *, limit: int = SUMMARY_MAX_LENGTH) -> str:
    """The first paragraph with text of a story's stored HTML, as plain text
    of at most `limit` characters, cut at a word with "…" when shortened.

    Plain, unescaped text: templates and feed generators escape it once.
    A story without paragraphs gives the start of all its text.
    """
    paragraphs = (_plain(match[1]) for match in _PARAGRAPH_RE.finditer(stored_html or ""))
    text = next(filter(None, paragraphs), "") or _plain(stored_html or "")
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut and not text[limit - 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-–—") + "…"
