"""Importing a Disqus export: `disqus_import(*, path, ...)` (`manage.py import_disqus`).

A Disqus export (`<disqus>`) lists `<category>`s, then `<thread>`s (one per
page that had comments: its `<link>`, title and Disqus id), then every
`<post>` (a comment) naming its thread and, for a reply, its parent post.

- A thread attaches to the story whose address matches its `<link>` by
  path (scheme, host, query and fragment ignored; an old address the story
  redirects from counts too), or else whose original URL names the same
  host and path. Threads that match no story are reported; with
  `create_stubs` each becomes an unpublished story for editors (title and
  original URL from the thread, a note saying so).
- Posts keep their parents (a reply to a post that is not in the file
  becomes a top-level comment, reported), author name, date and IP address
  (cleared by `purge_comment_ips` like readers') and email address (for
  moderators only, never shown on the site). `isSpam` → spam, `isDeleted` →
  removed (never shown), otherwise published. Written through
  `comments.services.comment_import_thread`, keyed `dq:<post id>`, so
  importing the file again creates nothing twice.

The file is read whole (posts of one thread may be anywhere in it, so a
thread's comments are gathered before it is written; the elements are
cleared as they are read), checked, and only then written, one transaction
per thread. A file that cannot be read writes nothing.
"""

import ipaddress
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify

from articles.models import Article, ArticleRedirect
from articles.wordpress.content import comment_text
from articles.xmlstream import XmlImportError, iter_events
from comments.models import Comment
from comments.services import ImportedComment, comment_import_thread, imported_contact

_DSQ_ID = "{http://disqus.com/disqus-internals}id"
_STORY_PATH_RE = re.compile(r"^/\d{4}/\d{2}/\d{2}/(?P<slug>[-\w]+)/?$")
_AUTHOR_MAX = Comment._meta.get_field("author_name").max_length
_TITLE_MAX = Article._meta.get_field("title").max_length
_URL_MAX = Article._meta.get_field("original_url").max_length

NOTE_STUB = (
    "Created by a Disqus import for a thread that matched no story: write the story "
    "(or move its comments) before publishing."
)


class DisqusError(XmlImportError):
    """A Disqus export that cannot be read: the file, the line and what is wrong."""


@dataclass
class DisqusPost:
    id: str
    thread_id: str
    parent_id: str
    author: str
    email: str
    ip: str
    created_at: datetime | None
    message: str
    is_spam: bool
    is_deleted: bool
    line: int


@dataclass
class DisqusThread:
    id: str
    link: str
    title: str
    line: int
    posts: list[DisqusPost] = field(default_factory=list)


@dataclass
class DisqusReport:
    filename: str
    dry_run: bool
    attached: list[str] = field(default_factory=list)
    stubs: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    comments_total: int = 0
    comments_created: int = 0
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        would = "would be " if self.dry_run else ""
        out = [f"{self.filename}:"]
        out.append(f"  threads {would}attached to stories: {len(self.attached)}")
        out.extend(f"    {line}" for line in self.attached)
        if self.stubs:
            out.append(f"  unpublished stories {would}created for threads: {len(self.stubs)}")
            out.extend(f"    {line}" for line in self.stubs)
        out.append(f"  threads matching no story (not imported): {len(self.unmatched)}")
        out.extend(f"    {line}" for line in self.unmatched)
        new = "of them new (would be created)" if self.dry_run else "of them new"
        out.append(f"  comments: {self.comments_total}, {new}: {self.comments_created}")
        out.extend(f"  note: {note}" for note in self.notes)
        return out


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _child(element, name: str) -> str:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def _child_id(element, name: str) -> str:
    for child in element:
        if _local(child.tag) == name:
            return child.get(_DSQ_ID, "")
    return ""


def _flag(element, name: str) -> bool:
    return _child(element, name).lower() == "true"


def read_disqus(path: str | Path) -> list[DisqusThread]:
    """The export's threads with their posts, in file order; raises `DisqusError`."""
    filename = str(path)
    threads: dict[str, DisqusThread] = {}
    posts: dict[str, list[DisqusPost]] = defaultdict(list)
    starts: dict[int, int] = {}
    depth, root = 0, None
    for event, element, line in iter_events(path, DisqusError):
        if event == "start":
            if depth == 0:
                if _local(element.tag) != "disqus":
                    raise DisqusError(
                        "the file is not a Disqus export "
                        f"(it starts with <{_local(element.tag)}>)",
                        filename=filename,
                        line=line,
                    )
                root = element
            elif depth == 1:
                starts[id(element)] = line
            depth += 1
            continue
        depth -= 1
        if depth != 1:
            continue
        start = starts.pop(id(element), line)
        name = _local(element.tag)
        if name == "thread":
            thread_id = element.get(_DSQ_ID, "")
            if not thread_id:
                raise DisqusError("a thread has no dsq:id", filename=filename, line=start)
            threads[thread_id] = DisqusThread(
                id=thread_id,
                link=_child(element, "link"),
                title=_child(element, "title"),
                line=start,
            )
        elif name == "post":
            post = _post(element, start, filename)
            posts[post.thread_id].append(post)
        root.remove(element)  # read: nothing of it is needed again
    if root is None:
        raise DisqusError("the file is empty", filename=filename, line=1)
    for thread_id, thread_posts in posts.items():
        if thread_id not in threads:
            raise DisqusError(
                f"post {thread_posts[0].id} belongs to thread {thread_id}, which the file lacks",
                filename=filename,
                line=thread_posts[0].line,
            )
        threads[thread_id].posts = thread_posts
    return list(threads.values())


def _post(element, line: int, filename: str) -> DisqusPost:
    post_id = element.get(_DSQ_ID, "")
    if not post_id:
        raise DisqusError("a post has no dsq:id", filename=filename, line=line)
    created = _child(element, "createdAt")
    try:
        created_at = parse_datetime(created) if created else None
    except ValueError:
        created_at = None
    if created and created_at is None:
        raise DisqusError(
            f"the date {created!r} is not an ISO date (2021-03-01T10:05:00Z)",
            filename=filename,
            line=line,
        )
    author = next((child for child in element if _local(child.tag) == "author"), None)
    return DisqusPost(
        id=post_id,
        thread_id=_child_id(element, "thread"),
        parent_id=_child_id(element, "parent"),
        author=_child(author, "name") if author is not None else "",
        email=_child(author, "email") if author is not None else "",
        ip=_child(element, "ipAddress"),
        created_at=created_at,
        message=_child(element, "message"),
        is_spam=_flag(element, "isSpam"),
        is_deleted=_flag(element, "isDeleted"),
        line=line,
    )


def _thread_comments(thread: DisqusThread, filename: str) -> tuple[list[ImportedComment], int]:
    items = {}
    for post in thread.posts:
        if post.id in items:
            raise DisqusError(f"post {post.id} appears twice", filename=filename, line=post.line)
        items[post.id] = _imported(post)
    roots, orphans = [], 0
    for post in thread.posts:
        parent = items.get(post.parent_id) if post.parent_id else None
        orphans += bool(post.parent_id and parent is None)
        (roots if parent is None else parent.children).append(items[post.id])
    stack, reached = list(roots), 0
    while stack:
        reached += 1
        stack.extend(stack.pop().children)
    if reached != len(items):
        raise DisqusError(
            f"the posts of thread {thread.id} reply to each other in a loop",
            filename=filename,
            line=thread.line,
        )
    return roots, orphans


def _imported(post: DisqusPost) -> ImportedComment:
    try:
        ip = str(ipaddress.ip_address(post.ip)) if post.ip else None
    except ValueError:
        ip = None
    status = Comment.Status.PUBLISHED
    if post.is_spam:
        status = Comment.Status.SPAM
    elif post.is_deleted:
        status = Comment.Status.REMOVED
    return ImportedComment(
        key=f"dq:{post.id}",
        author_name=" ".join(post.author.split())[:_AUTHOR_MAX],
        body=comment_text(post.message),
        like_count=0,
        created_at=post.created_at,
        status=status,
        ip_address=ip,
        author_email=imported_contact(post.email, "")[0],
    )


def _path(url: str) -> str:
    return urlsplit(url.strip()).path or "/"


def story_for_link(link: str) -> Article | None:
    """The story a thread's page address names: by our own path (or an old
    one it redirects from), else by its original URL (host and path)."""
    path = _path(link)
    if match := _STORY_PATH_RE.match(path):
        article = Article.objects.filter(slug=match["slug"]).first()
        if article is not None and article.get_absolute_url().rstrip("/") == path.rstrip("/"):
            return article
    redirect = ArticleRedirect.objects.filter(
        old_path__in={path, path.rstrip("/"), path.rstrip("/") + "/"}
    ).first()
    if redirect is not None:
        return redirect.article
    parts = urlsplit(link.strip())
    wanted = (parts.hostname or "", path.rstrip("/"))
    if not wanted[0]:
        return None
    for article in Article.objects.filter(original_url__icontains=wanted[0]):
        found = urlsplit(article.original_url)
        if (found.hostname or "", (found.path or "/").rstrip("/")) == wanted:
            return article
    return None


def disqus_import(
    *, path: str | Path, dry_run: bool = False, create_stubs: bool = False, progress=None
) -> DisqusReport:
    """Import one Disqus export (see the module docstring); raises `DisqusError`,
    with nothing written, when the file cannot be read. `progress`, if
    given, is called with (threads written, threads to write) after each."""
    filename = str(path)
    report = DisqusReport(filename=filename, dry_run=dry_run)
    plans = []
    for thread in read_disqus(path):
        comments, orphans = _thread_comments(thread, filename)
        label = f"{thread.title or thread.link} ({thread.link})"
        if orphans:
            report.notes.append(
                f"{label}: {orphans} repl{'y' if orphans == 1 else 'ies'} to posts not in the "
                "file imported as top-level comments"
            )
        article = story_for_link(thread.link) if thread.link else None
        if article is None and not create_stubs:
            report.unmatched.append(f"{label}: {len(thread.posts)} comments")
            continue
        report.comments_total += len(thread.posts)
        known = set()
        if article is not None:
            known = set(
                Comment.objects.filter(article=article, import_key__startswith="dq:").values_list(
                    "import_key", flat=True
                )
            )
            report.attached.append(f"{label} → {article.title}")
        else:
            report.stubs.append(label)
        report.comments_created += sum(1 for post in thread.posts if f"dq:{post.id}" not in known)
        plans.append((thread, article, comments))
    if dry_run:
        return report
    report.comments_created = 0
    for done, (thread, article, comments) in enumerate(plans, start=1):
        with transaction.atomic():
            if article is None:
                article = _stub(thread)
            report.comments_created += comment_import_thread(article=article, comments=comments)
        if progress is not None:
            progress(done, len(plans))
    return report


def _stub(thread: DisqusThread) -> Article:
    """The unpublished story a thread that matched none gets (once: keyed on its id)."""
    key = f"disqus:{thread.id}"
    article = Article.objects.filter(import_key=key).first()
    if article is not None:
        return article
    title = " ".join(thread.title.split())[:_TITLE_MAX] or f"Disqus thread {thread.id}"
    base = slugify(title)[:90].strip("-") or f"disqus-{thread.id}"
    slug, number = base, 1
    while Article.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return Article.objects.create(
        title=title,
        slug=slug,
        body="",
        status=Article.Status.DRAFT,
        original_url=thread.link[:_URL_MAX],
        import_key=key,
        editor_note=NOTE_STUB,
    )
