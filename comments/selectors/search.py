"""Site search over the conversation: the comments any guest may read."""

from __future__ import annotations

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import F, QuerySet

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


def comment_search(*, query: str, start_sel: str, stop_sel: str) -> QuerySet[Comment]:
    """Comments any guest may read, on stories readers may see, matching
    `query` (web-search syntax, as typed), best match first.

    Held, spam, removed and author-deleted comments are never found (the
    rule of `comments.visibility`, for everyone, whoever is asking), nor
    comments on drafts or scheduled stories. Each result carries
    `search_rank` and `search_snippet` (fragments of its text with every
    match between `start_sel` and `stop_sel`), with its author and story
    joined. The caller trims the query to the length it accepts.
    """
    query = query.strip()
    if not query:
        return Comment.objects.none()
    search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    return (
        Comment.objects.filter(readable(EVERYONE), search_vector=search_query)
        .filter(article__in=Article.objects.live().values("pk"))
        .select_related("author", "article")
        .only(*_RESULT_FIELDS)
        .annotate(
            search_rank=SearchRank(F("search_vector"), search_query),
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
        .order_by("-search_rank", "-created_at", "-id")
    )
