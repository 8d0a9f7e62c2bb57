"""Reading a saved news page (the format is described in `articles.importer`).

`parse_page` is pure (no database) and raises `ParseError` with the line
number, what is wrong and what was expected there, for anything it cannot
read.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.text import slugify

from articles.models import Article, Source
from comments.models import Comment

DEFAULT_AUTHOR = "Reader"
SLUG_MAX_LENGTH = 100
TITLE_MAX_LENGTH = Article._meta.get_field("title").max_length
SOURCE_NAME_MAX_LENGTH = Source._meta.get_field("name").max_length
KNOWN_HOMEPAGES = {
    "bbc": "https://www.bbc.co.uk/news",
    "reuters": "https://www.reuters.com",
    "the guardian": "https://www.theguardian.com",
    "associated press": "https://apnews.com",
}

QUOTE_MARKS = "\"'“”‘’«»„"
_CLOSERS = "\"'”’»)]"
_TERMINAL_PUNCTUATION = ".!?:;,…"
# Spaces that web pages use for layout; they would otherwise leak into titles and slugs.
# Unicode line and paragraph separators (and NEL) break lines for Python's
# splitlines() but not in an editor, so they are spaces too.
_SPACES = str.maketrans(
    {
        "\xa0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u2028": " ",
        "\u2029": " ",
        "\x85": " ",
        "\u200b": None,
        "\ufeff": None,
    }
)
_LINE_END = re.compile(r"\r\n|\r|\n")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_BULLET = re.compile(r"^(?P<indent>[ ]*)•[ ]*(?P<text>.*)$")
_ATTRIBUTION = re.compile(r"^(?:\([cC]\)|©)\s*(?P<name>\S.*)$")
_LIKED_BY = re.compile(r"^Liked by (?P<count>\d+) (?:people|person)$", re.IGNORECASE)
_LEAVE_A_REPLY = re.compile(r"^Leave a Reply(?: Cancel reply)?$", re.IGNORECASE)
_AUTHOR = re.compile(r"^(?P<name>\S.{0,59}?) says:$")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’]*\s+")
_MAX_LIKES = 2**31 - 1
_MAX_KEY_LENGTH = Comment._meta.get_field("import_key").max_length


ATTRIBUTION_EXAMPLE = "a line such as “(c) BBC” or “© BBC”"


class ParseError(Exception):
    """A page that cannot be imported: the line where reading failed, what is
    wrong there and what the page should have had instead."""

    def __init__(self, reason: str, *, line: int, expected: str, filename: str = ""):
        self.reason = reason
        self.line = line
        self.expected = expected
        self.filename = filename
        super().__init__(f"{filename or '<page>'}, line {line}: {reason}; expected {expected}")


def _lines(text: str) -> list[str]:
    """`text` split where a text editor starts a new line (see the module docstring)."""
    return _LINE_END.split(text.translate(_SPACES))


@dataclass(frozen=True)
class Block:
    kind: str  # "paragraph" or "heading"
    text: str
    line: int


@dataclass
class ParsedComment:
    key: str
    line: int
    indent: int
    author_name: str = DEFAULT_AUTHOR
    quote: str = ""
    paragraphs: list[list[str]] = field(default_factory=list)
    like_count: int | None = None
    children: list["ParsedComment"] = field(default_factory=list)

    @property
    def body(self) -> str:
        """The text in the site's comment markup: `> ` quote lines, blank-line paragraphs."""
        parts = ["\n".join(f"> {line}" for line in self.quote.split("\n"))] if self.quote else []
        parts += ["\n".join(lines) for lines in self.paragraphs]
        return "\n\n".join(parts)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class ParsedPage:
    filename: str
    title: str
    slug: str
    blocks: list[Block]
    attribution: str = ""
    source_name: str = ""
    comments: list[ParsedComment] = field(default_factory=list)

    @property
    def subheadings(self) -> list[str]:
        return [block.text for block in self.blocks if block.kind == "heading"]

    @property
    def paragraph_count(self) -> int:
        return sum(block.kind == "paragraph" for block in self.blocks)

    @property
    def comment_count(self) -> int:
        return sum(1 for root in self.comments for _ in root.walk())

    @property
    def body(self) -> str:
        """The story as Markdown; its own text is escaped so it never turns into markup."""
        return "\n\n".join(
            f"## {_markdown_escape(block.text)}"
            if block.kind == "heading"
            else _markdown_escape(block.text)
            for block in self.blocks
        )


def read_page(path: str | Path) -> str:
    """The text of a page file, which must be UTF-8 (a byte-order mark is allowed)."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = len(_lines(data[: error.start].decode("utf-8", "replace")))
        raise ParseError(
            f"the file is not UTF-8 text (byte {data[error.start]:#04x})",
            line=line,
            expected="a page saved as UTF-8",
            filename=str(path),
        ) from None


def parse_page(text: str, *, filename: str) -> ParsedPage:
    """Read a page into its story and comment tree, or raise `ParseError`."""
    lines = [line.expandtabs(4) for line in _lines(text)]

    def fail(reason: str, line: int, expected: str):
        raise ParseError(reason, line=line, expected=expected, filename=filename)

    for number, line in enumerate(lines, start=1):
        if _LEAVE_A_REPLY.match(line.strip()):
            if not any(earlier.strip() for earlier in lines[: number - 1]):
                fail(
                    "“Leave a Reply” comes before any story",
                    number,
                    "the story's title, text and attribution line first",
                )
            lines = lines[: number - 1]  # everything after it is page chrome
            break
        if control := _CONTROL.search(line):
            fail(
                f"the line contains a control character (U+{ord(control[0]):04X})",
                number,
                "plain text, with lines ending in line breaks",
            )

    title_line = next((n for n, line in enumerate(lines, start=1) if line.strip()), None)
    if title_line is None:
        fail("the file is empty", 1, "the story's title on the first line")
    title = lines[title_line - 1].strip()
    _reject_stray_line(title, title_line, fail)
    if _ATTRIBUTION.match(title):
        fail(
            "the page starts with an attribution line instead of a title",
            title_line,
            "the title first, then the story, then the attribution line",
        )
    if len(title) > TITLE_MAX_LENGTH:
        fail(
            f"the title is {len(title)} characters long",
            title_line,
            f"a title of at most {TITLE_MAX_LENGTH} characters on one line",
        )
    slug = _slug(title)
    if not slug:
        fail(
            "the title has no letters or digits to make a web address from",
            title_line,
            "a title with letters or digits",
        )

    page = ParsedPage(filename=filename, title=title, slug=slug, blocks=[])
    raw_blocks: list[tuple[int, list[str]]] = []
    number = title_line + 1
    while number <= len(lines):
        line = lines[number - 1].strip()
        if _BULLET.match(line):
            if not raw_blocks:
                _reject_stray_line(line, number, fail)
            fail(
                "the comments start before the story's attribution line",
                number,
                f"{ATTRIBUTION_EXAMPLE} between the story and its comments",
            )
        if match := _ATTRIBUTION.match(line):
            page.attribution, page.source_name = line, match["name"].strip()
            if len(page.source_name) > SOURCE_NAME_MAX_LENGTH:
                fail(
                    f"the source name is {len(page.source_name)} characters long",
                    number,
                    f"a source name of at most {SOURCE_NAME_MAX_LENGTH} characters",
                )
            break
        _reject_stray_line(line, number, fail)
        if line and raw_blocks and lines[number - 2].strip():
            raw_blocks[-1][1].append(line)
        elif line:
            raw_blocks.append((number, [line]))
        number += 1
    if not raw_blocks:
        fail(
            "there is no story text after the title",
            number if page.attribution else title_line,
            "paragraphs of story text between the title and the attribution line",
        )
    if not page.attribution:
        last_line = max(n for n, line in enumerate(lines, start=1) if line.strip())
        fail(
            "the page ends without an attribution line, so it may be cut short",
            last_line,
            f"{ATTRIBUTION_EXAMPLE} after the story's last paragraph",
        )
    page.blocks = _classify(raw_blocks)
    page.comments = _parse_comments(lines, number + 1, fail)
    _mark_quotes(page)
    return page


def _reject_stray_line(line: str, number: int, fail) -> None:
    """Comment parts where story text belongs mean the page is not in the expected shape."""
    if _BULLET.match(line):
        fail(
            "a comment bullet comes before any story text",
            number,
            "the title and the story's paragraphs before the comments",
        )
    if _LIKED_BY.match(line):
        fail(
            f"a “{line}” line with no comment above it",
            number,
            "it on the lines indented under a comment bullet (•)",
        )


def _slug(title: str) -> str:
    slug = slugify(title)
    if len(slug) > SLUG_MAX_LENGTH:
        # Cut at the last whole word that fits, so the address stays readable.
        slug = slug[: SLUG_MAX_LENGTH + 1].rsplit("-", 1)[0] or slug[:SLUG_MAX_LENGTH]
    return slug.strip("-")


def _classify(raw_blocks: list[tuple[int, list[str]]]) -> list[Block]:
    blocks = []
    for position, (line, texts) in enumerate(raw_blocks):
        text = " ".join(texts)
        is_heading = (
            0 < position < len(raw_blocks) - 1
            and len(texts) == 1
            and len(text.split()) <= 12
            and text[0] not in QUOTE_MARKS
            and text.rstrip(_CLOSERS)[-1:] not in _TERMINAL_PUNCTUATION
        )
        blocks.append(Block("heading" if is_heading else "paragraph", text, line))
    return blocks


def _parse_comments(lines: list[str], start: int, fail) -> list[ParsedComment]:
    """Build the comment tree from `start` (1-based) to the end of `lines`."""
    roots: list[ParsedComment] = []
    stack: list[ParsedComment] = []
    last_target, blank_seen = None, False
    for number in range(start, len(lines) + 1):
        raw = lines[number - 1]
        if not raw.strip():
            blank_seen = True
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        bullet = _BULLET.match(raw)
        # A line belongs to the nearest open comment whose bullet is indented less.
        while stack and stack[-1].indent >= indent:
            stack.pop()
        if bullet:
            siblings = stack[-1].children if stack else roots
            prefix = f"{stack[-1].key}." if stack else ""
            comment = ParsedComment(key=f"{prefix}{len(siblings) + 1}", line=number, indent=indent)
            if len(comment.key) > _MAX_KEY_LENGTH:
                fail(
                    "the comments nest or follow each other too deeply to be stored",
                    number,
                    f"comment positions (such as 2.1.3) of at most {_MAX_KEY_LENGTH} characters",
                )
            siblings.append(comment)
            stack.append(comment)
            text = bullet["text"].strip()
            if author := _AUTHOR.match(text):
                comment.author_name, text = author["name"], ""
            if text:
                comment.paragraphs.append([text])
            last_target, blank_seen = comment, False
            continue
        text = raw.strip()
        liked = _LIKED_BY.match(text)
        if not stack:
            if liked:
                fail(
                    f"a “{text}” line with no comment above it",
                    number,
                    "it on the lines indented under a comment bullet (•)",
                )
            fail(
                "text that is neither a comment bullet nor indented under one",
                number,
                "a comment starting with “•”, or text indented under the comment above",
            )
        comment = stack[-1]
        if liked:
            if comment.like_count is not None:
                fail(
                    f"the comment on line {comment.line} already has a like count",
                    number,
                    "one “Liked by …” line per comment",
                )
            comment.like_count = int(liked["count"])
            if comment.like_count > _MAX_LIKES:
                fail(
                    "the like count is too large",
                    number,
                    f"a count of at most {_MAX_LIKES:,}",
                )
        elif blank_seen or last_target is not comment or not comment.paragraphs:
            comment.paragraphs.append([text])
        else:
            comment.paragraphs[-1].append(text)
        last_target, blank_seen = comment, False
    for root in roots:
        for comment in root.walk():
            if not comment.paragraphs:
                fail(
                    "the comment has no text",
                    comment.line,
                    "its words after the “•” or on the lines indented under it",
                )
    return roots


def _quote_key(text: str) -> str:
    return " ".join(text.split()).strip(QUOTE_MARKS + " ")


def _mark_quotes(page: ParsedPage) -> None:
    """Turn a comment's opening paragraph into a quote when it repeats the story."""
    story = {_quote_key(page.title)}
    for block in page.blocks:
        story.add(_quote_key(block.text))
        story.update(_quote_key(sentence) for sentence in _SENTENCE_END.split(block.text))
    for root in page.comments:
        for comment in root.walk():
            first = " ".join(comment.paragraphs[0])
            if len(_quote_key(first).split()) >= 4 and _quote_key(first) in story:
                comment.quote = first
                del comment.paragraphs[0]


_MD_INLINE = re.compile(r"([\\`*_\[\]{}|])")
_MD_LINE_START = re.compile(r"^(#+|>|[-+=](?=\s|$)|\d+(?=[.)]\s))")


def _markdown_escape(text: str) -> str:
    """Escape what Markdown would read as markup, so the story renders as written."""
    text = re.sub(r"&(?=#?\w+;)", "&amp;", text).replace("<", "&lt;")
    text = _MD_INLINE.sub(r"\\\1", text)
    if text.startswith(":"):
        text = "&#58;" + text[1:]  # a leading colon would start a definition list
    return _MD_LINE_START.sub(lambda m: "\\" + m[1] if not m[1].isdigit() else m[1] + "\\", text)


# Storing ------------------------------------------------------------------
