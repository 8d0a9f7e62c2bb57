"""Importing a WordPress export: `wordpress_import(*, path, ...)`.

The mapping (issue #14):

- Posts become stories, matched on re-import by `Article.import_key`, the
  site's address and the post id (`wp:<site>#<id>`), so importing the same
  file again updates and never duplicates. Pages, attachments, menu items
  and other post types, and posts in WordPress's bin, are skipped and
  counted.
- Nothing WordPress kept private becomes public: drafts, pending and
  private posts come in as drafts; future posts are scheduled (or drafts,
  with a note, if their time has passed); password-protected posts come in
  as drafts with a note for editors. A re-import never publishes a story
  that is a draft here; it only ever unpublishes one WordPress no longer
  shows.
- Title; slug from `wp:post_name` (or the title), made unique; publication
  time from the GMT date; content made into sanitized HTML blocks
  (`articles.wordpress.content`); excerpt as standfirst; categories and tags
  as tags (WordPress's default "Uncategorized" is left out); the author's
  display name as byline; the post's link as original URL; the blog (or
  `source_name`) as source; comments closed when WordPress closed them.
- Comments keep their parents to any depth, author name, GMT date and IP
  address (cleared by `purge_comment_ips` like readers'); approved →
  published, 0 → pending, spam → spam, trash → removed. Commenters' email
  addresses and web addresses are not kept: nothing here shows or uses
  them. Pingbacks and trackbacks are not readers' comments: they are
  skipped and counted. They are written through
  `comments.services.comment_import_thread`, keyed `wp:<comment id>`.

The file is read once, to check all of it and say what would happen (the
report, and a dry run stops there); each story's plan waits in a temporary
file meanwhile, and only once the whole file has been read are they
written, one transaction per story. A file that cannot be read writes
nothing.
"""

import html
import ipaddress
import pickle
import tempfile
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify

from articles.models import Article, Source, Tag
from articles.wordpress.content import comment_text, story_html
from articles.wordpress.wxr import WxrChannel, WxrComment, WxrError, WxrPost, read_wxr
from comments.models import Comment
from comments.services import ImportedComment, comment_import_thread, imported_contact
from comments.services.imports import walk_imported

# Our own exports say where a story first came from and what its source was.
META_ORIGINAL_URL = "_newsroom_original_url"
META_SOURCE = "_newsroom_source"

COMMENT_STATUSES = {
    "1": Comment.Status.PUBLISHED,
    "0": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.REMOVED,
    "post-trashed": Comment.Status.REMOVED,
}
_READER_COMMENT_TYPES = {"", "comment"}
_DRAFT_STATUSES = {"draft", "pending", "private"}
_SKIPPED_STATUSES = {"trash": "posts in WordPress's bin", "auto-draft": "automatic drafts"}
_DEFAULT_CATEGORY = "uncategorized"
_SLUG_MAX = 100
_TITLE_MAX = Article._meta.get_field("title").max_length
_BYLINE_MAX = Article._meta.get_field("byline").max_length
_URL_MAX = Article._meta.get_field("original_url").max_length
_AUTHOR_MAX = Comment._meta.get_field("author_name").max_length
_TAG_MAX = Tag._meta.get_field("name").max_length

NOTE_PASSWORD = (
    "Imported from WordPress, where it was password-protected: it stays a draft "
    "until an editor decides readers may see it."
)
NOTE_MISSED_SCHEDULE = (
    "Imported from WordPress, where it was scheduled for a time that has passed "
    "without being published: it stays a draft until an editor publishes it."
)


@dataclass
class StoryPlan:
    """What one post becomes here."""

    post_id: int
    import_key: str
    title: str
    slug: str
    fields: dict
    tags: list[tuple[str, str]]  # slug, name
    source_name: str  # empty: no source
    comments: list[ImportedComment]
    comment_count: int
    pings: int
    orphans: int


@dataclass
class WordPressReport:
    """What an import did, or (dry run) would do, to each story and why."""

    filename: str
    dry_run: bool
    site: str = ""
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    comments_total: int = 0
    comments_created: int = 0
    pings_skipped: int = 0

    def lines(self) -> list[str]:
        would = "would be " if self.dry_run else ""
        out = [f"{self.filename} ({self.site}):"]
        for label, stories in (
            ("created", self.created),
            ("updated", self.updated),
            ("unchanged", self.unchanged),
        ):
            out.append(f"  stories {would}{label}: {len(stories)}")
            out.extend(f"    {story}" for story in stories)
        for reason, count in sorted(self.skipped.items()):
            out.append(f"  skipped ({reason}): {count}")
        new = "of them new (would be created)" if self.dry_run else "of them new"
        out.append(f"  comments: {self.comments_total}, {new}: {self.comments_created}")
        out.append(
            f"  pingbacks and trackbacks skipped (not readers' comments): {self.pings_skipped}"
        )
        out.extend(f"  note: {note}" for note in self.notes)
        return out


def site_key(link: str) -> str:
    return link.strip().rstrip("/")


def wordpress_import(
    *, path: str | Path, source_name: str = "", dry_run: bool = False, progress=None
) -> WordPressReport:
    """Import one WXR file (see the module docstring); raise `WxrError`,
    with nothing written, when the file cannot be read. `progress`, if
    given, is called with (stories written, stories to write) after each."""
    report = WordPressReport(filename=str(path), dry_run=dry_run)
    channel = WxrChannel()
    planned = 0
    with tempfile.TemporaryFile() as spool:
        for post in read_wxr(path, channel):
            plan = _plan(post, channel, source_name, report, filename=str(path))
            if plan is None:
                continue
            article = Article.objects.filter(import_key=plan.import_key).first()
            (report.created if article is None else report.updated).append(
                f"{plan.title} (post {plan.post_id})"
            )
            report.comments_total += plan.comment_count
            report.pings_skipped += plan.pings
            known = set()
            if article is not None:
                known = set(
                    Comment.objects.filter(
                        article=article, import_key__startswith="wp:"
                    ).values_list("import_key", flat=True)
                )
            report.comments_created += sum(
                1 for item in _walk(plan.comments) if item.key not in known
            )
            if not dry_run:
                _spool(plan, spool)
                planned += 1
        report.site = site_key(channel.link)
        if dry_run:
            return report
        # Checked whole; now written, one story per transaction.
        report.created, report.updated, report.comments_created = [], [], 0
        spool.seek(0)
        for done, plan in enumerate(_unspool(spool), start=1):
            _store(plan, channel, report)
            if progress is not None:
                progress(done, planned)
    return report


def _spool(plan: StoryPlan, handle) -> None:
    """Keep a checked plan on disk until the whole file has been read: the
    file is parsed once, and memory holds one story at a time. The thread
    is stored flat (parent positions), so no depth of replies recurses."""
    flat, positions = [], {}
    for item, parent in walk_imported(plan.comments):
        positions[id(item)] = len(flat)
        flat.append((replace(item, children=[]), None if parent is None else positions[id(parent)]))
    pickle.dump((replace(plan, comments=[]), flat), handle, protocol=pickle.HIGHEST_PROTOCOL)


def _unspool(handle):
    while True:
        try:
            plan, flat = pickle.load(handle)
        except EOFError:
            return
        items = []
        for item, parent in flat:
            items.append(item)
            (plan.comments if parent is None else items[parent].children).append(item)
        yield plan


def _walk(comments: list[ImportedComment]):
    stack = list(comments)
    while stack:
        item = stack.pop()
        yield item
        stack.extend(item.children)


def _plan(post: WxrPost, channel: WxrChannel, source_name: str, report, *, filename: str):
    if post.type != "post":
        report.skipped[f"{post.type.replace('_', ' ')}s"] += 1
        return None
    if post.status in _SKIPPED_STATUSES:
        report.skipped[_SKIPPED_STATUSES[post.status]] += 1
        return None
    title = " ".join(post.title.split())[:_TITLE_MAX] or f"Untitled (post {post.id})"
    now = timezone.now()
    published_at = post.date_gmt or post.date or now
    status, note = Article.Status.PUBLISHED, ""
    if post.status in _DRAFT_STATUSES:
        status = Article.Status.DRAFT
    elif post.status == "future" and published_at <= now:
        status, note = Article.Status.DRAFT, NOTE_MISSED_SCHEDULE
    elif post.status not in ("publish", "future"):
        status = Article.Status.DRAFT
        report.notes.append(f"{title}: unknown status {post.status!r}, imported as a draft")
    if post.password:
        status, note = Article.Status.DRAFT, NOTE_PASSWORD
        report.notes.append(f"{title}: password-protected, imported as a draft")
    fields = {
        "title": title,
        "standfirst": html.unescape(strip_tags(post.excerpt)).strip(),
        "byline": channel.authors.get(post.creator, post.creator)[:_BYLINE_MAX],
        "body": story_html(post.content),
        "original_url": post.meta.get(META_ORIGINAL_URL, post.link)[:_URL_MAX],
        "published_at": published_at,
        "status": status,
        "comments_open": post.comment_status != "closed",
        "editor_note": note,
    }
    tags = {}
    for domain, slug, name in post.categories:
        slug = slugify(slug or name)[:_SLUG_MAX]
        if domain in ("category", "post_tag") and slug and slug != _DEFAULT_CATEGORY:
            tags.setdefault(slug, name[:_TAG_MAX] or slug)
    comments, pings, orphans = _thread(post, filename=filename)
    if orphans:
        report.notes.append(
            f"{title}: {orphans} comment(s) replying to a comment not in the file "
            "imported as top-level comments"
        )
    return StoryPlan(
        post_id=post.id,
        import_key=f"wp:{site_key(channel.link)}#{post.id}",
        title=title,
        slug=slugify(post.name or title)[:_SLUG_MAX].strip("-") or f"post-{post.id}",
        fields=fields,
        tags=sorted(tags.items()),
        source_name=source_name
        or post.meta.get(META_SOURCE, channel.title or site_key(channel.link)),
        comments=comments,
        comment_count=len(post.comments) - pings,
        pings=pings,
        orphans=orphans,
    )


def _thread(post: WxrPost, *, filename: str) -> tuple[list[ImportedComment], int, int]:
    """The post's readers' comments as trees; how many pings were left out and
    how many comments lost their parent (they become top-level)."""
    readers = [c for c in post.comments if c.type in _READER_COMMENT_TYPES]
    pings = len(post.comments) - len(readers)
    items = {}
    for comment in readers:
        if comment.id in items:
            raise WxrError(
                f"comment {comment.id} appears twice in post {post.id}",
                filename=filename,
                line=comment.line,
            )
        items[comment.id] = _imported(comment)
    roots, orphans = [], 0
    for comment in readers:
        parent = items.get(comment.parent_id) if comment.parent_id else None
        if comment.parent_id and parent is None:
            orphans += 1
        (roots if parent is None else parent.children).append(items[comment.id])
    reached = sum(1 for _ in _walk(roots))
    if reached != len(items):
        raise WxrError(
            f"the comments of post {post.id} reply to each other in a loop",
            filename=filename,
            line=post.line,
        )
    return roots, pings, orphans


def _imported(comment: WxrComment) -> ImportedComment:
    try:
        ip = str(ipaddress.ip_address(comment.author_ip)) if comment.author_ip else None
    except ValueError:
        ip = None
    email, url = imported_contact(comment.author_email, comment.author_url)
    return ImportedComment(
        key=f"wp:{comment.id}",
        author_name=" ".join(comment.author.split())[:_AUTHOR_MAX],
        body=comment_text(comment.content),
        like_count=0,
        created_at=comment.date_gmt or comment.date,
        # An unknown state is held for a moderator, never shown.
        status=COMMENT_STATUSES.get(comment.approved, Comment.Status.PENDING),
        ip_address=ip,
        author_email=email,
        author_url=url,
    )


def _store(plan: StoryPlan, channel: WxrChannel, report: WordPressReport) -> None:
    with transaction.atomic():
        article = (
            Article.objects.select_for_update().filter(import_key=plan.import_key).first()
        )
        created = article is None
        fields = dict(plan.fields)
        if created:
            article = Article(import_key=plan.import_key, slug=_unique_slug(plan.slug))
        elif fields["status"] == Article.Status.PUBLISHED:
            # Whether a story WordPress shows is shown here is an editor's call.
            fields["status"] = article.status
        if not created and not fields["editor_note"]:
            fields["editor_note"] = article.editor_note
        # Our own exports say when a story has no source.
        fields["source"] = _source(plan.source_name, channel) if plan.source_name else None
        tags = [_tag(slug, name) for slug, name in plan.tags]
        changed = created or any(
            _differs(getattr(article, name), value) for name, value in fields.items()
        )
        for name, value in fields.items():
            setattr(article, name, value)
        if changed:
            article.save()
        if created or {t.pk for t in tags} != set(article.tags.values_list("pk", flat=True)):
            article.tags.set(tags)
            changed = True
        report.comments_created += comment_import_thread(article=article, comments=plan.comments)
    label = f"{plan.title} (post {plan.post_id})"
    (report.created if created else report.updated if changed else report.unchanged).append(label)


def _differs(old, new) -> bool:
    if isinstance(old, datetime) and isinstance(new, datetime):
        return old.replace(microsecond=0) != new.replace(microsecond=0)
    return old != new


def _unique_slug(slug: str) -> str:
    candidate, number = slug, 1
    while Article.objects.filter(slug=candidate).exists():
        number += 1
        suffix = f"-{number}"
        candidate = slug[: _SLUG_MAX - len(suffix)] + suffix
    return candidate


def _source(name: str, channel: WxrChannel) -> Source | None:
    source = Source.objects.filter(name__iexact=name).first()
    if source is None:
        base = slugify(name)[:190] or "source"
        slug, number = base, 1
        while Source.objects.filter(slug=slug).exists():
            number += 1
            slug = f"{base}-{number}"
        source = Source.objects.create(
            name=name,
            slug=slug,
            homepage_url=site_key(channel.link)[:200],
            copyright_notice=f"(c) {name}",
        )
    return source


def _tag(slug: str, name: str) -> Tag:
    tag = Tag.objects.filter(slug=slug).first() or Tag.objects.filter(name__iexact=name).first()
    if tag is None:
        tag = Tag.objects.create(slug=slug, name=name)
    return tag
