"""Readers type plain text; this turns it into the HTML stored in body_html.

The rules are the ones a reader expects from a comment box:

- a blank line starts a new paragraph, a single newline is a line break;
- lines starting with "> " are a quotation (consecutive lines form one
  blockquote; "> > " nests);
- bare web addresses become links (done by the sanitizer's linkifier), and
  they are the only links: a link's text is always its address;
- the few formatting tags the sanitizer allows (p, br, blockquote, em,
  strong, code, pre, ul, ol, li) may be typed as HTML; anything else that
  looks like markup is shown literally, so "a <b> c" and "x < y" read as
  typed. That includes a typed <a href="...">: its text could name one
  place and its address go to another ("bbc.co.uk/news" leading to a
  phishing page), so it shows as typed, and any address in it is linked
  as itself.

Everything goes through `newsroom.sanitize.clean_comment_html` last: this
module only decides what is text and what is markup, never what is safe.
"""

import html
import re

from newsroom.sanitize import COMMENT_TAGS, clean_comment_html

# Tags a reader may type. The sanitizer allows <a> too, for the links its
# linkifier makes from bare addresses; a typed one is shown as text.
TYPED_TAGS = COMMENT_TAGS - {"a"}

# A start or end tag of a typed element, with well-formed attributes. Only
# these pass through unescaped; every other "<" and "&" is escaped and shows
# as typed. The sanitizer still vets the attributes of what passes.
_TAG_NAMES = "|".join(sorted(TYPED_TAGS, key=len, reverse=True))
_ATTRIBUTE = r"""\s+[^\s"'<>=/`]+(?:\s*=\s*(?:"[^"<]*"|'[^'<]*'|[^\s"'<>=`]+))?"""
_ALLOWED_TAG_RE = re.compile(
    rf"</(?:{_TAG_NAMES})\s*>|<(?:{_TAG_NAMES})(?:{_ATTRIBUTE})*\s*/?>",
    re.IGNORECASE,
)
# Tags that start a block of their own: a paragraph that begins with one is
# left as the reader structured it instead of being wrapped in <p>.
_BLOCK_START_RE = re.compile(r"\s*</?(?:p|ul|ol|li|blockquote|pre)\b", re.IGNORECASE)
_PRE_RE = re.compile(r"<pre\b[^>]*>.*?(?:</pre\s*>|\Z)", re.IGNORECASE | re.DOTALL)
_QUOTE_RE = re.compile(r"^>(?: |$)")
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")


def render_comment(text: str) -> str:
    """Render a reader's plain text as sanitized comment HTML."""
    return clean_comment_html(_render_blocks(_normalise(text)))


def _normalise(text: str) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip("\n")


def _escape_text(text: str) -> str:
    """Escape everything except the allowed tags typed by the reader."""
    parts = []
    position = 0
    for match in _ALLOWED_TAG_RE.finditer(text):
        parts.append(html.escape(text[position : match.start()], quote=False))
        parts.append(match.group(0))
        position = match.end()
    parts.append(html.escape(text[position:], quote=False))
    return "".join(parts)


def _render_blocks(text: str) -> str:
    """Pre-formatted regions keep their newlines; everything else is paragraphs."""
    out = []
    position = 0
    for match in _PRE_RE.finditer(text):
        out.append(_render_paragraphs(text[position : match.start()]))
        out.append(_escape_text(match.group(0)))
        position = match.end()
    out.append(_render_paragraphs(text[position:]))
    return "".join(out)


def _render_paragraphs(text: str) -> str:
    return "".join(_render_block(block) for block in _BLANK_LINE_RE.split(text) if block.strip())


def _render_block(block: str) -> str:
    lines = block.strip("\n").split("\n")
    if _BLOCK_START_RE.match(lines[0]):
        return _escape_text("\n".join(lines))
    out = []
    run: list[str] = []
    quoting = False
    for line in lines:
        is_quote = bool(_QUOTE_RE.match(line))
        if run and is_quote != quoting:
            out.append(_render_run(run, quoting))
            run = []
        quoting = is_quote
        run.append(line)
    out.append(_render_run(run, quoting))
    return "".join(out)


def _render_run(lines: list[str], quoting: bool) -> str:
    if quoting:
        # Strip one level of "> " and render the rest again, so quotes can
        # hold paragraphs (a lone ">" line) and nested quotes.
        inner = "\n".join(_QUOTE_RE.sub("", line, count=1) for line in lines)
        return f"<blockquote>{_render_blocks(_normalise(inner))}</blockquote>"
    return "<p>" + "<br>\n".join(_escape_text(line.strip()) for line in lines) + "</p>"
