"""Markdown to safe HTML, run when a story is saved (never at read time), and
the plain-text summary read from that stored HTML.

What editors may write (told under the body field in the admin,
`Article.body` help_text): paragraphs, emphasis, links, lists, quotes,
code, images, tables (with column alignment) and footnotes, through
Python-Markdown's own extensions. Headings fit under the story's title,
which is the page's only <h1>: `#` and `##` both give a section heading
(<h2>), `###` a subheading (<h3>), and `####` to `######` the smallest
(<h4>). A table is wrapped in a labelled region that scrolls sideways on
narrow screens and can be reached and scrolled with the keyboard.
"""

import html
import re
import xml.etree.ElementTree as etree

import markdown
from django.utils.html import strip_tags
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from newsroom.sanitize import clean_article_html

# Heading levels as stored: the title is the page's h1, the sanitizer keeps h2-h4.
HEADING_LEVELS = {"h1": "h2", "h2": "h2", "h3": "h3", "h4": "h4", "h5": "h4", "h6": "h4"}
TABLE_WRAPPER_CLASS = "table-scroll"


class _StoryTree(Treeprocessor):
    """Map heading levels under the title and wrap tables for narrow screens."""

    def run(self, root):
        tables = 0
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag in HEADING_LEVELS:
                    child.tag = HEADING_LEVELS[child.tag]
                elif child.tag == "table":
                    tables += 1
                    wrapper = etree.Element(
                        "div",
                        {
                            "class": TABLE_WRAPPER_CLASS,
                            "role": "region",
                            "tabindex": "0",
                            "aria-label": f"Table {tables}",
                        },
                    )
                    wrapper.tail, child.tail = child.tail, None
                    parent.remove(child)
                    wrapper.append(child)
                    parent.insert(index, wrapper)


class _StoryExtension(Extension):
    def extendMarkdown(self, md):
        # After every other tree step (footnotes add theirs at 50, inline at 20).
        md.treeprocessors.register(_StoryTree(md), "newsroom_story", 5)


def _extensions():
    return [
        "tables",
        "footnotes",
        "fenced_code",
        "sane_lists",
        "smarty",
        _StoryExtension(),
    ]


# Column alignment as an attribute: the Content-Security-Policy blocks style attributes.
_EXTENSION_CONFIGS = {"tables": {"use_align_attribute": True}}


def render_markdown(source: str) -> str:
    rendered = markdown.markdown(
        source or "",
        extensions=_extensions(),
        extension_configs=_EXTENSION_CONFIGS,
        output_format="html",
    )
    return clean_article_html(rendered)


# A story's summary where it has no standfirst: its first paragraph, cut to
# what link previews and feed readers show in full.
SUMMARY_MAX_LENGTH = 200
_PARAGRAPH_RE = re.compile(r"<p\b[^>]*>(.*?)</p\s*>", re.IGNORECASE | re.DOTALL)
# A footnote's number would run into the word before it ("text1").
_FOOTNOTE_REF_RE = re.compile(r'<sup id="fnref[^"]*">.*?</sup>', re.DOTALL)


def _plain(fragment: str) -> str:
    return " ".join(html.unescape(strip_tags(_FOOTNOTE_REF_RE.sub("", fragment))).split())


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
