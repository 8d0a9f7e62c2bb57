"""WXR 1.2 of our stories and their threads (`manage.py export_wordpress`).

What WordPress's importer reads, so a newsroom can leave, and what
`articles.wordpress.importing` reads back: exporting, importing into an
empty archive and exporting again gives the same file. The order (stories
by publication time and slug, tags by slug, each thread in reading order)
and the formatting are fixed for that.

- A story's content is its rendered, sanitized HTML; its standfirst the
  excerpt; its byline the author; its tags `post_tag` terms. Where it was
  first published and its source travel as post meta
  (`_newsroom_original_url`, `_newsroom_source`), which WordPress keeps
  and ignores.
- Drafts export as drafts, scheduled stories as `future`.
- Comments: the name shown, the IP address while it is kept, GMT dates, the
  text as HTML, published → 1, pending → 0, spam → spam, removed or
  deleted by its author → trash. Like counts and edit histories have no
  place in WXR and are left out (`export_article` keeps them).
- Ids: a story imported from an export of this same site keeps the post and
  comment ids it had there; everything else is numbered by its id here.
"""

import html
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from email.utils import format_datetime

from django.conf import settings
from django.db.models.functions import TruncSecond
from django.utils import timezone

from articles.models import Article
from articles.wordpress.content import comment_html
from articles.wordpress.importing import META_ORIGINAL_URL, META_SOURCE, site_key
from comments.models import Comment

_HEADER = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
\txmlns:content="http://purl.org/rss/1.0/modules/content/"
\txmlns:wfw="http://wellformedweb.org/CommentAPI/"
\txmlns:dc="http://purl.org/dc/elements/1.1/"
\txmlns:wp="http://wordpress.org/export/1.2/"
>
<channel>
"""
_STATUS = {
    Comment.Status.PUBLISHED: "1",
    Comment.Status.PENDING: "0",
    Comment.Status.SPAM: "spam",
    Comment.Status.REMOVED: "trash",
}


def site_link() -> str:
    """This site's address, as the export names it (and the importer keys on)."""
    return f"https://{settings.SITE_DOMAIN}"


def _cdata(text: str) -> str:
    return "<![CDATA[" + (text or "").replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _escape(text: str) -> str:
    return html.escape(text or "", quote=False)


def _gmt(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def stories_for_export(slugs: Iterable[str] | None = None):
    """Stories in export order; every story, drafts too, unless `slugs` names some."""
    stories = Article.objects.select_related("source").prefetch_related("tags")
    if slugs:
        stories = stories.filter(slug__in=list(slugs))
    # To the second, as the export writes times: a tie goes by slug both
    # here and after a round trip.
    return stories.order_by(TruncSecond("published_at"), "slug")


def wxr_export(*, articles: Iterable[Article]) -> Iterator[str]:
    """The export, in pieces to write one after another (one story's thread at a time)."""
    link = site_link()
    yield _HEADER
    yield f"\t<title>{_escape(settings.SITE_NAME)}</title>\n"
    yield f"\t<link>{_escape(link)}</link>\n"
    yield "\t<description></description>\n"
    yield f"\t<language>{_escape(settings.LANGUAGE_CODE)}</language>\n"
    yield "\t<wp:wxr_version>1.2</wp:wxr_version>\n"
    yield f"\t<wp:base_site_url>{_escape(link)}</wp:base_site_url>\n"
    yield f"\t<wp:base_blog_url>{_escape(link)}</wp:base_blog_url>\n"
    yield "\t<generator>Newsroom</generator>\n"
    for article in articles:
        yield _item(article, link)
    yield "</channel>\n</rss>\n"


def _own_id(key: str, prefix: str) -> int | None:
    rest = key.removeprefix(prefix)
    return int(rest) if key.startswith(prefix) and rest.isdigit() else None


def _item(article: Article, link: str) -> str:
    own = article.import_key.startswith(f"wp:{site_key(link)}#")
    post_id = (_own_id(article.import_key, f"wp:{site_key(link)}#") if own else None) or article.pk
    if article.status == Article.Status.DRAFT:
        status = "draft"
    else:
        status = "publish" if article.published_at <= timezone.now() else "future"
    url = f"{link}{article.get_absolute_url()}"
    lines = [
        "\t<item>",
        f"\t\t<title>{_cdata(article.title)}</title>",
        f"\t\t<link>{_escape(url)}</link>",
        f"\t\t<pubDate>{format_datetime(article.published_at.astimezone(UTC))}</pubDate>",
        f"\t\t<dc:creator>{_cdata(article.byline)}</dc:creator>",
        f'\t\t<guid isPermaLink="false">{_escape(link)}/?p={post_id}</guid>',
        "\t\t<description></description>",
        f"\t\t<content:encoded>{_cdata(article.body_html)}</content:encoded>",
        f"\t\t<excerpt:encoded>{_cdata(_escape(article.standfirst))}</excerpt:encoded>",
        f"\t\t<wp:post_id>{post_id}</wp:post_id>",
        f"\t\t<wp:post_date>{_cdata(_local(article.published_at))}</wp:post_date>",
        f"\t\t<wp:post_date_gmt>{_cdata(_gmt(article.published_at))}</wp:post_date_gmt>",
        "\t\t<wp:comment_status>"
        f"{_cdata('open' if article.comments_open else 'closed')}</wp:comment_status>",
        f"\t\t<wp:ping_status>{_cdata('closed')}</wp:ping_status>",
        f"\t\t<wp:post_name>{_cdata(article.slug)}</wp:post_name>",
        f"\t\t<wp:status>{_cdata(status)}</wp:status>",
        "\t\t<wp:post_parent>0</wp:post_parent>",
        "\t\t<wp:menu_order>0</wp:menu_order>",
        f"\t\t<wp:post_type>{_cdata('post')}</wp:post_type>",
        f"\t\t<wp:post_password>{_cdata('')}</wp:post_password>",
        "\t\t<wp:is_sticky>0</wp:is_sticky>",
    ]
    for tag in sorted(article.tags.all(), key=lambda tag: tag.slug):
        lines.append(
            f'\t\t<category domain="post_tag" nicename="{html.escape(tag.slug)}">'
            f"{_cdata(tag.name)}</category>"
        )
    # Written even when empty: an empty value says "none", where a missing
    # one lets the importer take the post's link and the blog's name.
    meta = [(META_ORIGINAL_URL, article.original_url)]
    meta.append((META_SOURCE, article.source.name if article.source else ""))
    for key, value in meta:
        lines += [
            "\t\t<wp:postmeta>",
            f"\t\t\t<wp:meta_key>{_cdata(key)}</wp:meta_key>",
            f"\t\t\t<wp:meta_value>{_cdata(value)}</wp:meta_value>",
            "\t\t</wp:postmeta>",
        ]
    lines += _comments(article, own=own)
    lines.append("\t</item>")
    return "\n".join(lines) + "\n"


def _comments(article: Article, *, own: bool) -> list[str]:
    comments = (
        Comment.objects.filter(article=article).select_related("author").order_by("tree_id", "lft")
    )
    ids: dict[int, int] = {}
    lines = []
    for comment in comments:
        ids[comment.pk] = (_own_id(comment.import_key, "wp:") if own else None) or comment.pk
        status = "trash" if comment.is_deleted else _STATUS[comment.status]
        lines += [
            "\t\t<wp:comment>",
            f"\t\t\t<wp:comment_id>{ids[comment.pk]}</wp:comment_id>",
            f"\t\t\t<wp:comment_author>{_cdata(comment.display_name)}</wp:comment_author>",
            f"\t\t\t<wp:comment_author_email>{_cdata(comment.author_email)}"
            "</wp:comment_author_email>",
            f"\t\t\t<wp:comment_author_url>{_escape(comment.author_url)}</wp:comment_author_url>",
            f"\t\t\t<wp:comment_author_IP>{_cdata(comment.ip_address or '')}"
            "</wp:comment_author_IP>",
            f"\t\t\t<wp:comment_date>{_cdata(_local(comment.created_at))}</wp:comment_date>",
            f"\t\t\t<wp:comment_date_gmt>{_cdata(_gmt(comment.created_at))}"
            "</wp:comment_date_gmt>",
            f"\t\t\t<wp:comment_content>{_cdata(comment_html(comment.body))}"
            "</wp:comment_content>",
            f"\t\t\t<wp:comment_approved>{_cdata(status)}</wp:comment_approved>",
            f"\t\t\t<wp:comment_type>{_cdata('comment')}</wp:comment_type>",
            f"\t\t\t<wp:comment_parent>{ids.get(comment.parent_id, 0)}</wp:comment_parent>",
            "\t\t\t<wp:comment_user_id>0</wp:comment_user_id>",
            "\t\t</wp:comment>",
        ]
    return lines
