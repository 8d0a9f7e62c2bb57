"""Reading a WordPress export (WXR 1.0, 1.1 or 1.2), streamed and defused.

`read_wxr(path)` yields the file's items one at a time as `WxrPost`s with
their comments, so memory holds one item whatever the file's size: the
file is parsed with `defusedxml`'s iterparse, and each item's elements are
cleared once read. No database access here.

Hostile or malformed XML is refused (`WxrError`, naming the file and the
line) by `articles.xmlstream`, before anything past it is yielded.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from articles.xmlstream import XmlImportError, iter_events

_NAMESPACES = {
    "http://wordpress.org/export/1.0/": "wp",
    "http://wordpress.org/export/1.1/": "wp",
    "http://wordpress.org/export/1.2/": "wp",
    "http://wordpress.org/export/1.0/excerpt/": "excerpt",
    "http://wordpress.org/export/1.1/excerpt/": "excerpt",
    "http://wordpress.org/export/1.2/excerpt/": "excerpt",
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
}
_NO_DATE = "0000-00-00 00:00:00"
# What strptime("%Y-%m-%d %H:%M:%S") accepts, a dozen times faster.
_DATE_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})", re.ASCII)


class WxrError(XmlImportError):
    """A WordPress export that cannot be read: the file, the line and what is wrong."""


@dataclass
class WxrComment:
    id: int
    parent_id: int
    author: str
    author_email: str
    author_url: str
    author_ip: str
    date_gmt: datetime | None
    date: datetime | None
    content: str
    approved: str
    type: str
    line: int


@dataclass
class WxrPost:
    id: int
    title: str
    link: str
    creator: str
    content: str
    excerpt: str
    date_gmt: datetime | None
    date: datetime | None
    comment_status: str
    name: str
    status: str
    type: str
    password: str
    line: int
    categories: list[tuple[str, str, str]] = field(default_factory=list)  # domain, slug, name
    meta: dict[str, str] = field(default_factory=dict)
    comments: list[WxrComment] = field(default_factory=list)


@dataclass
class WxrChannel:
    """What the file says about the site, read before its items."""

    title: str = ""
    link: str = ""
    version: str = ""
    authors: dict[str, str] = field(default_factory=dict)  # login: display name


@cache
def _name(tag: str) -> str:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return f"{_NAMESPACES.get(namespace, namespace)}:{local}"
    return tag


def _text(element, name: str) -> str:
    for child in element:
        if _name(child.tag) == name:
            return _value(child, name)
    return ""


def _value(child, name: str) -> str:
    return (child.text or "").strip() if name != "content:encoded" else child.text or ""


def _fields(element) -> dict[str, str]:
    """The text of each child element by name (the first of each name), in one pass."""
    fields: dict[str, str] = {}
    for child in element:
        name = _name(child.tag)
        if name not in fields:
            fields[name] = _value(child, name)
    return fields


def read_wxr(path: str | Path, channel: WxrChannel | None = None) -> Iterator[WxrPost]:
    """The export's items in file order; `channel` (if given) is filled in as read."""
    filename = str(path)
    channel = channel if channel is not None else WxrChannel()
    line = 0

    def fail(reason: str, at: int | None = None):
        raise WxrError(reason, filename=filename, line=at or line)

    depth, rss_seen, parents = 0, False, []
    for event, element, line in iter_events(path, WxrError):
        name = _name(element.tag)
        if event == "start":
            if depth == 0 and name != "rss":
                fail(f"the file is not a WordPress export (it starts with <{name}>)")
            rss_seen = True
            depth += 1
            if name == "item":
                element.set("_line", str(line))
            parents.append(element)
            continue
        depth -= 1
        parents.pop()
        parent = _name(parents[-1].tag) if parents else ""
        if parent == "channel":
            if name == "item":
                yield _post(element, channel, fail)
            elif name == "title":
                channel.title = (element.text or "").strip()
            elif name == "link":
                channel.link = (element.text or "").strip()
            elif name == "wp:wxr_version":
                channel.version = (element.text or "").strip()
            elif name == "wp:author":
                login = _text(element, "wp:author_login")
                channel.authors[login] = _text(element, "wp:author_display_name") or login
            # Read: nothing of it is needed again.
            parents[-1].remove(element)
    if not rss_seen:
        fail("the file is empty")
    if not channel.link:
        fail("the export names no site (no <link> in its <channel>)")


def _int(text: str, what: str, line: int, fail) -> int:
    try:
        return int(text or "0")
    except ValueError:
        fail(f"{what} {text!r} is not a number", line)


def _date(text: str, what: str, line: int, fail) -> datetime | None:
    if not text or text == _NO_DATE:
        return None
    match = _DATE_RE.fullmatch(text)
    try:
        if match is None:
            raise ValueError(text)
        return datetime(*map(int, match.groups()), tzinfo=UTC)
    except ValueError:
        fail(f"{what} {text!r} is not a date as WordPress writes them (2021-06-18 09:00:00)", line)


def _post(element, channel: WxrChannel, fail) -> WxrPost:
    line = int(element.get("_line"))
    text = _fields(element)
    get = text.get
    post = WxrPost(
        id=_int(get("wp:post_id", ""), "the post id", line, fail),
        title=get("title", ""),
        link=get("link", ""),
        creator=get("dc:creator", ""),
        content=get("content:encoded", ""),
        excerpt=get("excerpt:encoded", ""),
        date_gmt=_date(get("wp:post_date_gmt", ""), "the post date", line, fail),
        date=_date(get("wp:post_date", ""), "the post date", line, fail),
        comment_status=get("wp:comment_status", ""),
        name=get("wp:post_name", ""),
        status=get("wp:status", ""),
        type=get("wp:post_type", "") or "post",
        password=get("wp:post_password", ""),
        line=line,
    )
    if not post.id:
        fail("the item has no <wp:post_id>", line)
    for child in element:
        name = _name(child.tag)
        if name == "category":
            post.categories.append(
                (child.get("domain", ""), child.get("nicename", ""), (child.text or "").strip())
            )
        elif name == "wp:postmeta":
            post.meta[_text(child, "wp:meta_key")] = _text(child, "wp:meta_value")
        elif name == "wp:comment":
            post.comments.append(_comment(child, line, fail))
    element.clear()
    return post


def _comment(element, line: int, fail) -> WxrComment:
    get = _fields(element).get
    comment_id = _int(get("wp:comment_id", ""), "a comment id", line, fail)
    if not comment_id:
        fail("a comment has no <wp:comment_id>", line)
    return WxrComment(
        id=comment_id,
        parent_id=_int(get("wp:comment_parent", ""), "a comment's parent", line, fail),
        author=get("wp:comment_author", ""),
        author_email=get("wp:comment_author_email", ""),
        author_url=get("wp:comment_author_url", ""),
        author_ip=get("wp:comment_author_IP", ""),
        date_gmt=_date(get("wp:comment_date_gmt", ""), "a comment date", line, fail),
        date=_date(get("wp:comment_date", ""), "a comment date", line, fail),
        content=get("wp:comment_content", ""),
        approved=get("wp:comment_approved", ""),
        type=get("wp:comment_type", ""),
        line=line,
    )
