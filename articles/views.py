"""Reader-facing lists of stories: front page, archives, tag and source lists, search.

The story page itself is `storypage.views`."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.views.generic import (
    ArchiveIndexView,
    DayArchiveView,
    ListView,
    MonthArchiveView,
    YearArchiveView,
)

from articles.models import Article, Source, Tag
from articles.pagination import KeysetPaginationMixin
from articles.selectors import (
    MAX_QUERY_LENGTH,
    article_archive_months,
    article_search,
    clean_search_query,
    search_has_words,
)


class PublishedStoriesMixin(KeysetPaginationMixin):
    """Published stories only, with what a story card needs, paginated from
    settings by cursor (`articles.pagination`), so deep pages cost no more
    than the first."""

    date_field = "published_at"
    month_format = "%m"
    day_format = "%d"

    def get_queryset(self):
        # Cards show the source but not tags, so no tag prefetch here.
        return Article.objects.published().select_related("source")

    def get_paginate_by(self, queryset):
        return settings.NEWSROOM_ARTICLES_PER_PAGE


class ArticleIndexView(PublishedStoriesMixin, ListView):
    """The front page: latest stories first."""

    template_name = "articles/article_list.html"


class ArticleArchiveView(PublishedStoriesMixin, ArchiveIndexView):
    """Every month with stories, grouped by year, with counts."""

    allow_empty = True

    def get_paginate_by(self, queryset):
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        years: dict[int, list[dict]] = {}
        for row in article_archive_months():
            years.setdefault(row["month"].year, []).append(row)
        context["archive_years"] = [
            {"year": year, "months": months, "count": sum(m["count"] for m in months)}
            for year, months in years.items()
        ]
        return context


class ArticleYearArchiveView(PublishedStoriesMixin, YearArchiveView):
    make_object_list = True


class ArticleMonthArchiveView(PublishedStoriesMixin, MonthArchiveView):
    pass


class ArticleDayArchiveView(PublishedStoriesMixin, DayArchiveView):
    pass


class TagArticleListView(PublishedStoriesMixin, ListView):
    """Stories with one tag."""

    template_name = "articles/tag_article_list.html"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class SourceArticleListView(PublishedStoriesMixin, ListView):
    """Stories first published by one source."""

    template_name = "articles/source_article_list.html"

    def get_queryset(self):
        self.source = get_object_or_404(Source, slug=self.kwargs["slug"])
        return super().get_queryset().filter(source=self.source)

    def get_context_data(self, **kwargs):
        return super().get_context_data(source=self.source, **kwargs)


class ArticleSearchView(ListView):
    """Full-text search; any query, even nonsense, renders a page rather than an error.

    A query longer than MAX_QUERY_LENGTH is not run: the page says so. One
    that finds nothing is checked for words to search for, so a query of
    only stop words is told that, not to try other words.
    """

    template_name = "articles/search.html"

    def get_queryset(self):
        self.search_query = clean_search_query(self.request.GET.get("q"))
        self.search_problem = ""
        if len(self.search_query) > MAX_QUERY_LENGTH:
            self.search_problem = (
                f"Searches can be at most {MAX_QUERY_LENGTH} characters long; this one has "
                f"{len(self.search_query):,}. Search for the few words that matter most."
            )
            return Article.objects.none()
        return article_search(query=self.search_query)

    def get_paginate_by(self, queryset):
        return settings.NEWSROOM_SEARCH_RESULTS_PER_PAGE

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.search_query
        problem = self.search_problem
        # Only a search that found nothing costs the extra query.
        if query and not problem and not context["paginator"].count:
            if not search_has_words(query=query):
                if any(char.isalnum() for char in query):
                    problem = (
                        f"“{query}” is too common to search for; add a more specific word."
                        if len(query.split()) == 1
                        else f"The words “{query}” are too common to search for; "
                        "add a more specific word."
                    )
                else:
                    problem = f"“{query}” has no words to search for; type a word or phrase."
        too_long = len(query) > MAX_QUERY_LENGTH
        context.update(
            search_query="" if too_long else query,
            search_box=query[:MAX_QUERY_LENGTH],
            search_problem=problem,
            search_max_length=MAX_QUERY_LENGTH,
        )
        return context
