"""Import a story and its comment thread from a saved news page.

The page is plain text in the shape of the demo story
(`articles/demo/kim-dialogue-and-confrontation.txt`):

- The first non-empty line is the title. Blank lines separate blocks; the
  lines of one block are joined into one paragraph.
- A block that is one short line (at most 12 words) without final
  punctuation, with story text before and after it, is a subheading and
  becomes a Markdown `## ` heading.
- Quoted paragraphs stay ordinary paragraphs. In news copy a paragraph that
  is entirely a quotation usually continues the words of the speaker named
  just before it (the demo's last paragraph continues Leif-Eric Easley's
  quote); a `>` blockquote would detach it from its speaker and read as a
  pull-quote, so the quote marks alone say it is a quotation.
- An attribution line, `(c) BBC`, `(C) BBC` or `© BBC`, ends the story. It
  names the story's Source and is kept, as written, as its copyright notice.
  Every page needs one: a page without it is refused, because a page cut
  short (a partial copy, a truncated download) looks exactly like a shorter
  story, and importing it would shorten the live one.
- Comments follow as `•` bullets. A bullet indented deeper than the comment
  above it replies to that comment; a shallower bullet goes back up to the
  nearest comment indented less than it. Lines indented under a bullet are
  its text (blank lines separate its paragraphs) and `Liked by N people` /
  `Liked by 1 person` under it is its like count. Tabs count as 4 columns.
- A comment's first paragraph that repeats a line or sentence of the story
  (ignoring surrounding quote marks and whitespace, at least four words so
  that a short reply such as "Not really." is never mistaken for one) is a
  quotation and becomes a `> ` line of the comment body.
- Pages show no author names, so comments are by "Reader" unless the bullet
  line is exactly `• <name> says:` (the WordPress convention), in which case
  the comment's text starts on the following lines.
- Reading stops at "Leave a Reply"; the page chrome after it is ignored.

Lines are counted as text editors count them: a line ends at a line feed,
a carriage return or both. Other Unicode line and paragraph separators
(U+2028, U+2029, U+0085, which web pages carry inside paragraphs) are spaces,
and the remaining control characters (form feed, vertical tab) are refused
on their own line, so a line number in an error is the line an editor shows.

`parse_page` is pure (no database) and raises `ParseError` with the line
number, what is wrong and what was expected there, for anything it cannot
read. `article_import` stores a parsed page in
one transaction, matching an earlier import by slug so re-importing updates;
`article_import_review` says beforehand what a re-import would change, and
the import refuses (unless forced) anything that would take from the live
story: a shorter body, imported comments lost or rewritten, like counts
lowered. Fields editors changed since the last import are kept
(`articles.import_review`).
"""

from articles.importer.parsing import (
    ATTRIBUTION_EXAMPLE,
    DEFAULT_AUTHOR,
    SOURCE_NAME_MAX_LENGTH,
    ParsedComment,
    ParsedPage,
    ParseError,
    parse_page,
    read_page,
)
from articles.importer.storing import (
    ImportRefused,
    ImportResult,
    ImportReview,
    article_import,
    article_import_review,
)

__all__ = [
    "ATTRIBUTION_EXAMPLE",
    "DEFAULT_AUTHOR",
    "SOURCE_NAME_MAX_LENGTH",
    "ImportRefused",
    "ImportResult",
    "ImportReview",
    "ParseError",
    "ParsedComment",
    "ParsedPage",
    "article_import",
    "article_import_review",
    "parse_page",
    "read_page",
]
