"""WordPress HTML to what our stories and comments store, and back.

Stories keep Markdown in `body` and render it to `body_html` on save. An
imported story's body is its WordPress content made into sanitized HTML
blocks, one per top-level element, which Markdown passes through as they
are; so the same render and the same sanitizer (`newsroom.sanitize`) make
its `body_html`, and an editor can still edit it (or add Markdown around
it) in the admin. What WordPress adds around content goes: block-editor
comments (`<!-- wp:paragraph -->`), shortcodes (`[caption …]…[/caption]`
keeps what it wraps) and headings deeper or shallower than ours are mapped
(the title is the page's only h1). Text outside any block is made into
paragraphs the way WordPress shows it: a blank line starts a paragraph, a
single line break is a <br>.

Comments keep what the commenter typed (`Comment.body`, the site's comment
markup) and render it with the comments' own formatter. A WordPress
comment's HTML becomes that text: the tags readers may type stay, a link
becomes its text followed by its address (links here always show their
address), other tags leave their text, and entities become characters.
`comment_html` is the way back for an export.
"""

import html
import re
from html.parser import HTMLParser

from newsroom.sanitize import COMMENT_TAGS, clean_article_html

_BLOCK_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
# Their text is code, never words of the story (the sanitizer would keep it as text).
_SCRIPT_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_SHORTCODE_RE = re.compile(r"\[(/?)([A-Za-z][\w-]*)(\s[^\[\]]*?)?\s*(/?)\]")
_HEADING_RE = re.compile(r"<(/?)h([1-6])\b", re.IGNORECASE)
_HEADING_LEVELS = {"1": "2", "2": "2", "3": "3", "4": "4", "5": "4", "6": "4"}
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>")
# What the sanitizer keeps that starts a block of its own (Markdown passes
# these through untouched when each starts a line).
_BLOCKS = frozenset(
    {"p", "div", "h2", "h3", "h4", "ul", "ol", "blockquote", "pre", "table", "figure", "hr"}
)
_VOID = frozenset({"hr", "br", "img"})
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")


def strip_shortcodes(text: str) -> str:
    """Remove shortcode tags and keep what they wrap. A bare `[word]` stays
    unless a `[/word]` closes it later ("[sic]" is text, not a shortcode)."""

    def replace(match: re.Match) -> str:
        closing, name, attributes, self_closing = match.groups()
        if closing or attributes or self_closing or f"[/{name}]" in text[match.end() :]:
            return ""
        return match[0]

    return _SHORTCODE_RE.sub(replace, text)


def story_html(content: str) -> str:
    """A WordPress post's content as the sanitized HTML blocks a story's body keeps."""
    text = (content or "").replace("\r\n", "\n").replace("\r", "\n")
    text = strip_shortcodes(_SCRIPT_RE.sub("", _BLOCK_COMMENT_RE.sub("", text)))
    text = _HEADING_RE.sub(lambda m: f"<{m[1]}h{_HEADING_LEVELS[m[2]]}", text)
    cleaned = clean_article_html(text)
    return "\n".join(block for block in _blocks(cleaned) if block)


def _blocks(cleaned: str):
    """Top-level block elements as they are; loose text between them as paragraphs."""
    depth, start, loose_start = 0, 0, 0
    for match in _TAG_RE.finditer(cleaned):
        closing, name, _self = match[1], match[2].lower(), match[3]
        if name not in _BLOCKS:
            continue
        if name in _VOID:
            if depth == 0:
                yield from _paragraphs(cleaned[loose_start : match.start()])
                yield match[0]
                loose_start = match.end()
            continue
        if not closing:
            if depth == 0:
                yield from _paragraphs(cleaned[loose_start : match.start()])
                start = match.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                yield cleaned[start : match.end()].strip()
                loose_start = match.end()
    yield from _paragraphs(cleaned[loose_start:])


def _paragraphs(loose: str):
    for paragraph in _BLANK_LINE_RE.split(loose.strip("\n")):
        lines = [line.strip() for line in paragraph.split("\n") if line.strip()]
        if lines:
            yield "<p>" + "<br>\n".join(lines) + "</p>"


# Tags a reader may type (see comments.formatting); <a> is handled apart.
_TYPED_TAGS = COMMENT_TAGS - {"a"}
_TYPED_TAG_RE = re.compile(
    r"</?(?:" + "|".join(sorted(_TYPED_TAGS, key=len, reverse=True)) + r")>"
)


class _CommentText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.link: tuple[str, int] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in _TYPED_TAGS:
            self.parts.append(f"<{tag}>")
        elif tag == "a":
            self.link = (dict(attrs).get("href") or "", len(self.parts))

    def handle_startendtag(self, tag, attrs):
        if tag in _TYPED_TAGS:
            self.parts.append(f"<{tag}>")

    def handle_endtag(self, tag):
        if tag in _TYPED_TAGS:
            self.parts.append(f"</{tag}>")
        elif tag == "a" and self.link is not None:
            href, at = self.link
            label = "".join(self.parts[at:]).strip()
            if href and href != label:
                self.parts.append(f" ({href})" if label else href)
            self.link = None

    def handle_data(self, data):
        self.parts.append(data)


def comment_text(content: str) -> str:
    """A WordPress comment's HTML as what a reader here would have typed."""
    parser = _CommentText()
    parser.feed((content or "").replace("\r\n", "\n").replace("\r", "\n"))
    parser.close()
    return "".join(parser.parts).strip()


def comment_html(body: str) -> str:
    """A comment's typed text as HTML for an export: `comment_text` gives it back."""
    parts, position = [], 0
    for match in _TYPED_TAG_RE.finditer(body or ""):
        parts.append(html.escape(body[position : match.start()], quote=False))
        parts.append(match[0])
        position = match.end()
    parts.append(html.escape((body or "")[position:], quote=False))
    return "".join(parts)
