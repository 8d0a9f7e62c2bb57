"""Markdown to safe HTML, run when a story is saved (never at read time)."""

import markdown

from newsroom.sanitize import clean_article_html

_EXTENSIONS = ["extra", "sane_lists", "smarty"]


def render_markdown(source: str) -> str:
    html = markdown.markdown(source or "", extensions=_EXTENSIONS, output_format="html")
    return clean_article_html(html)
