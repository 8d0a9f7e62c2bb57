"""Site search over the conversation: the comments any guest may read."""

from __future__ import annotations

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import Count, F, QuerySet, Window

from articles.models import Article
from comments.models import Comment
from comments.visibility import EVERYONE, readable

SEARCH_CONFIG = "english"

# What a search result shows: who wrote it, when, on which story.
_RESULT_FIELDS = (
    "id",
    "created_at",
    "author_id",
    "author_name",
    "author__username",
    "article__id",
    "article__title",
    "article__slug",
    "article__published_at",
)
_BEST_FIRST = ("-search_rank", "-created_at", "-id")


class CommentMatches:
    """The comments matching a search, best match first, read a page at a
    time: `Paginator` takes it as it takes a queryset (`count()`, slices).

    A page is ranked over the matching comments' own rows, and only the
    comments it keeps are joined to their authors and stories and given a
    snippet: a page costs what its matches cost, however many readers and
    stories the site has.

    Finding the matches is the cost that grows with the archive, so it is
    paid once for the page most searches show: `count()` also keeps the
    first `first` matches' ids, read in the same pass, and a slice within
    them is not ranked again.
    """

    def __init__(self, matches: QuerySet[Comment], results: QuerySet[Comment], *, first: int):
        self._matches = matches
        self._results = results
        self._first = first
        self._first_ids: list[int] | None = None
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            ranked = self._matches.annotate(total=Window(Count("pk"))).values_list("pk", "total")
            found = list(ranked[: self._first])
            self._first_ids = [pk for pk, _ in found]
            self._count = found[0][1] if found else 0
        return self._count

    def __getitem__(self, page: slice) -> list[Comment]:
        start, stop = page.start or 0, page.stop
        first_ids = self._first_ids
        if first_ids is not None and stop is not None and stop <= self._first:
            kept = first_ids[start:stop]
            if not kept:
                return []
        else:
            kept = self._matches.values("pk")[page]
        return list(self._results.filter(pk__in=kept))


def comment_search(
    *, query: str, start_sel: str, stop_sel: str, per_page: int = 20
) -> CommentMatches:
    """Comments any guest may read, on stories readers may see, matching
    `query` (web-search syntax, as typed), best match first.

    Held, spam, removed and author-deleted comments are never found (the
    rule of `comments.visibility`, for everyone, whoever is asking), nor
    comments on drafts or scheduled stories. Each result carries
    `search_rank` and `search_snippet` (fragments of its text with every
    match between `start_sel` and `stop_sel`), with its author and story
    joined. The caller trims the query to the length it accepts, and says
    how many results it shows a page (`per_page`: the first page is read
    with the count).
    """
    query = query.strip()
    if not query:
        return CommentMatches(Comment.objects.none(), Comment.objects.none(), first=per_page)
    search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    rank = SearchRank(F("search_vector"), search_query)
    matches = (
        Comment.objects.filter(readable(EVERYONE), search_vector=search_query)
        .filter(article__in=Article.objects.live().values("pk"))
        .annotate(search_rank=rank)
        .order_by(*_BEST_FIRST)
    )
    results = (
        Comment.objects.select_related("author", "article")
        .only(*_RESULT_FIELDS)
        .annotate(
            search_rank=rank,
            # One passage rather than fragments: a short comment shows whole.
            search_snippet=SearchHeadline(
                "body",
                search_query,
                config=SEARCH_CONFIG,
                max_words=35,
                min_words=15,
                start_sel=start_sel,
                stop_sel=stop_sel,
            ),
        )
        .order_by(*_BEST_FIRST)
    )
    return CommentMatches(matches, results, first=per_page)
