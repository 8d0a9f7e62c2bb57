"""Reads over stories that are more than a single filter: search, the archive
index, and a story's neighbours."""

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, F, Func, QuerySet, TextField, Value
from django.db.models.functions import Concat, TruncMonth
from django.utils import timezone

from articles.models import Article, ArticleRedirect, may_preview

# ts_headline marks matches with these instead of tags, so the template can
# escape the whole snippet and then turn only these markers into <mark>.
HIGHLIGHT_START = "⟦hl⟧"
HIGHLIGHT_STOP = "⟦/hl⟧"

# Longer input than this is not a search a reader typed: the search page
# refuses it with a message (the boxes' maxlength stops it in a browser),
# and article_search never hands PostgreSQL more.
MAX_QUERY_LENGTH = 200

SEARCH_CONFIG = "english"


# The end of a heading, paragraph, list item or table cell whose text does
# not end a sentence: a snippet would run it into the next block ("A fraught
# relationship Mr Kim's relationship"), so a dash goes between them.
_OPEN_BLOCK_END = r'([^.!?…:;"”’)\s])\s*</(?:h[1-6]|p|li|t[dh]|figcaption|pre|blockquote)>'


class _StripTags(Func):
    """Plain text of stored HTML, so headlines never cut through a tag, with
    " — " where a block ends without punctuation."""

    function = "regexp_replace"
    output_field = TextField()

    def __init__(self, expression):
        blocks_apart = Func(
            expression,
            Value(_OPEN_BLOCK_END),
            Value(r"\1 — "),
            Value("g"),
            function="regexp_replace",
            output_field=TextField(),
        )
        super().__init__(blocks_apart, Value("<[^>]*>"), Value(" "), Value("g"))


def clean_search_query(raw: str | None) -> str:
    """The reader's query tidied for searching: trimmed, NUL-free, runs of
    whitespace made one space. Its length is the caller's to check."""
    if not raw:
        return ""
    # PostgreSQL rejects NUL bytes in text parameters outright.
    return " ".join(raw.replace("\x00", " ").split())


def search_has_words(*, query: str) -> bool:
    """Whether `query` leaves anything to search for once PostgreSQL has
    parsed it as article_search does: False when it is only stop words
    ("the", "and of") or punctuation, which the search configuration drops.
    """
    query = clean_search_query(query)[:MAX_QUERY_LENGTH]
    if not query:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT numnode(websearch_to_tsquery(%s::regconfig, %s))", [SEARCH_CONFIG, query]
        )
        return cursor.fetchone()[0] > 0


def article_search(*, query: str) -> QuerySet[Article]:
    """Published stories matching `query`, best match first.

    `query` uses web-search syntax ("quoted phrases", or, -exclusions) over
    the weighted `search_vector` (title above standfirst above body). Each
    result carries `search_rank`, `search_title` (the title with every match
    marked) and `search_snippet` (fragments of standfirst and body around the
    matches); both are marked with HIGHLIGHT_START/STOP and must go through
    the `highlighted` filter. Input with no searchable words (empty,
    punctuation, stop words only) matches nothing rather than failing;
    only the first MAX_QUERY_LENGTH characters are searched.
    """
    query = clean_search_query(query)[:MAX_QUERY_LENGTH].strip()
    if not query:
        return Article.objects.none()
    search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    markers = {"start_sel": HIGHLIGHT_START, "stop_sel": HIGHLIGHT_STOP}
    plain_text = Concat(
        F("standfirst"), Value("\n"), _StripTags(F("body_html")), output_field=TextField()
    )
    return (
        Article.objects.published()
        .for_listing()
        .filter(search_vector=search_query)
        .annotate(
            search_rank=SearchRank(F("search_vector"), search_query),
            search_title=SearchHeadline(
                "title", search_query, config=SEARCH_CONFIG, highlight_all=True, **markers
            ),
            search_snippet=SearchHeadline(
                plain_text,
                search_query,
                config=SEARCH_CONFIG,
                max_fragments=2,
                max_words=30,
                min_words=12,
                fragment_delimiter=" … ",
                **markers,
            ),
        )
        .order_by("-search_rank", "-published_at", "-id")
    )


def article_archive_months() -> list[dict]:
    """Every month with published stories, newest first, as {"month": date, "count": n}.

    Months are in the site's time zone, matching the archive URLs.
    """
    return list(
        Article.objects.published()
        .annotate(month=TruncMonth("published_at"))
        .values("month")
        .annotate(count=Count("id"))
        .order_by("-month")
    )


def adjacent_stories(*, article: Article, tags) -> dict:
    """The published stories just before and after `article` from the same
    source (else its first tag), in one query: {"label", "url", "previous", "next"}."""
    if article.source_id:
        label, url = article.source.name, article.source.get_absolute_url()
        sql, same = _ADJACENT_SQL["source"], article.source_id
    elif tags:
        label, url = tags[0].name, tags[0].get_absolute_url()
        sql, same = _ADJACENT_SQL["tag"], tags[0].pk
    else:
        return {}
    when, pk = article.published_at, article.pk
    found = {"previous": None, "next": None}
    # Plain SQL: building and compiling the ORM's union of two ordered
    # slices took longer than running it, on every story page.
    params = {
        "published": Article.Status.PUBLISHED,
        "now": timezone.now(),
        "same": same,
        "when": when,
        "pk": pk,
    }
    for story in Article.objects.raw(sql, params):
        later = (story.published_at, story.pk) > (when, pk)
        found["next" if later else "previous"] = story
    return {"label": label, "url": url, **found}


def _adjacent_sql(same: str, join: str = "") -> str:
    """The published stories just before and after (%(when)s, %(pk)s) sharing `same`."""
    table = Article._meta.db_table
    part = (
        f'(SELECT a."id", a."title", a."slug", a."published_at" FROM "{table}" a {join} '
        f'WHERE a."status" = %(published)s AND a."published_at" <= %(now)s AND {same} '
        f'AND (a."published_at", a."id") {{op}} (%(when)s, %(pk)s) '
        f'ORDER BY a."published_at" {{order}}, a."id" {{order}} LIMIT 1)'
    )
    return " UNION ALL ".join(
        (part.format(op="<", order="DESC"), part.format(op=">", order="ASC"))
    )


_ADJACENT_SQL = {
    "source": _adjacent_sql('a."source_id" = %(same)s'),
    "tag": _adjacent_sql(
        't."tag_id" = %(same)s',
        join=f'JOIN "{Article.tags.through._meta.db_table}" t ON t."article_id" = a."id"',
    ),
}


def article_redirect_target(*, path: str, user) -> str | None:
    """Where a story that used to live at `path` lives now, if this viewer may
    see it there (readers: published stories only; editors: any), else None."""
    redirect = ArticleRedirect.objects.select_related("article").filter(old_path=path).first()
    if redirect is None:
        return None
    article = redirect.article
    if not (article.is_published or may_preview(user)):
        return None
    target = article.get_absolute_url()
    return None if target == path else target
