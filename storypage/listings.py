"""Lists of stories with their conversation: the front page, date archives,
tag and source pages and site search, as `articles.views` renders them plus
what only the comments app knows (each story's comment count, the most
discussed stories, comments that match a search).

They live here, above both apps, for the reason the story page does: the
articles app does not read comments. Counts and results are what any guest
may read (`comments.visibility`), read fresh on every request (these pages
are not cached), in a fixed number of queries per page.
"""

from django.conf import settings
from django.core.paginator import Paginator

from articles import views as article_views
from articles.selectors import HIGHLIGHT_START, HIGHLIGHT_STOP, MAX_QUERY_LENGTH
from comments.selectors.activity import comment_counts, most_discussed
from comments.selectors.search import comment_search

# The query parameter of the comment results' page on the search page
# (the stories' is "page").
COMMENTS_PAGE_PARAM = "comments_page"


def with_comment_counts(stories) -> list:
    """`stories` (one page of them) as a list, each with `comment_count`: one query."""
    stories = list(stories)
    counts = comment_counts(article_ids=[story.pk for story in stories])
    for story in stories:
        story.comment_count = counts.get(story.pk, 0)
    return stories


class CommentCountsMixin:
    """Every story on the page shows how many comments it has."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        stories = with_comment_counts(context["object_list"])
        context["object_list"] = stories
        page = context.get("page_obj")
        if page is not None:
            page.object_list = stories
        return context


class IndexView(CommentCountsMixin, article_views.ArticleIndexView):
    """The front page, with the stories most discussed this week."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context["page_obj"].is_first:
            context["most_discussed"] = most_discussed(days=7, limit=5)
        return context


class YearArchiveView(CommentCountsMixin, article_views.ArticleYearArchiveView):
    pass


class MonthArchiveView(CommentCountsMixin, article_views.ArticleMonthArchiveView):
    pass


class DayArchiveView(CommentCountsMixin, article_views.ArticleDayArchiveView):
    pass


class TagView(CommentCountsMixin, article_views.TagArticleListView):
    pass


class SourceView(CommentCountsMixin, article_views.SourceArticleListView):
    pass


class SearchView(CommentCountsMixin, article_views.ArticleSearchView):
    """Stories and comments that match, each section paginated on its own."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        comments = comment_search(
            query="" if context["search_problem"] else context["search_query"][:MAX_QUERY_LENGTH],
            start_sel=HIGHLIGHT_START,
            stop_sel=HIGHLIGHT_STOP,
            per_page=settings.NEWSROOM_SEARCH_RESULTS_PER_PAGE,
        )
        paginator = Paginator(comments, settings.NEWSROOM_SEARCH_RESULTS_PER_PAGE)
        comment_page = paginator.get_page(self.request.GET.get(COMMENTS_PAGE_PARAM))
        context.update(
            comment_page=comment_page,
            comment_paginator=paginator,
            comments_page_param=COMMENTS_PAGE_PARAM,
        )
        return context
