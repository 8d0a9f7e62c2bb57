"""Reader-facing story pages: front page, story, archives, tag and source lists, search."""

from datetime import timedelta

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.views.generic import (
    ArchiveIndexView,
    DateDetailView,
    DayArchiveView,
    ListView,
    MonthArchiveView,
    YearArchiveView,
)

from articles import page_cache, reader_pages
from articles.models import Article, Source, Tag
from articles.selectors import article_archive_months, article_search, clean_search_query
from comments.context import comment_section_context, reader_state

# An edit sooner than this after publication (typo fixes, the import itself)
# is not worth an "Updated" line under the headline.
UPDATE_NOTICE_THRESHOLD = timedelta(minutes=30)


class PublishedStoriesMixin:
    """Published stories only, with what a story card needs, paginated from settings."""

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


class ArticleDetailView(DateDetailView):
    """One story with its attribution and comments; staff may preview unpublished ones."""

    date_field = "published_at"
    month_format = "%m"
    day_format = "%d"

    def _is_editor(self):
        return self.request.user.is_staff

    def get_queryset(self):
        articles = Article.objects.all() if self._is_editor() else Article.objects.published()
        return articles.for_listing()

    def get_allow_future(self):
        return self._is_editor()

    def get(self, request, *args, **kwargs):
        # A cached page for a guest was already served by GuestStoryPageMiddleware.
        guest = page_cache.is_guest_request(request)
        # A signed-in reader's page is built from a rendering shared by readers.
        if not guest:
            served = reader_pages.serve(request)
            if served is not None:
                return served
        self.shared = not guest and reader_pages.is_shareable(request)
        response = super().get(request, *args, **kwargs)
        if guest and not request.user.is_authenticated:
            response.render()
            page_cache.splice_thread(response, section=self.section)
            page_cache.store(request, response, article=self.object, valid_for=self.valid_for)
        elif self.shared:
            response.render()
            response = reader_pages.store_and_fill(
                request,
                response,
                article=self.object,
                valid_for=self.valid_for,
                section=self.section,
                state=self.state,
            )
        elif request.user.is_authenticated:
            patch_cache_control(response, private=True, no_cache=True)
        return response

    def get_context_data(self, **kwargs):
        article = self.object
        self.state = reader_state(article_id=article.pk, user=self.request.user)
        if self.state.has_pending:
            self.shared = False  # the thread shows this reader's held comment: their own page
        # Versions first: anything written while this page renders makes it stale.
        # Guests' pages and the shared rendering are stored.
        stored = self.shared or page_cache.is_guest_request(self.request)
        self.valid_for = page_cache.versions(article.pk) if stored else None
        context = super().get_context_data(**kwargs)
        page_url = self.request.build_absolute_uri(article.get_absolute_url())
        last_change = max(article.published_at, article.created_at)
        context.update(
            page_url=page_url,
            canonical_url=article.original_url or page_url,
            is_preview=not article.is_published,
            show_updated=article.updated_at - last_change > UPDATE_NOTICE_THRESHOLD,
            tags=list(article.tags.all()),
        )
        # The thread (up to megabytes of HTML) goes into a guest's or the
        # shared page after the template has rendered: passed through the
        # template, it would be copied at every level of nesting.
        section = comment_section_context(
            request=self.request,
            article=article,
            state=self.state,
            shared=stored,
            thread_version=self.valid_for[1] if self.valid_for else None,
        )
        self.section = section["comment_section"]
        context.update(section)
        if self.shared:
            context.update(reader_pages.shared_context())
        return context


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
    """Full-text search; any query, even nonsense, renders a page rather than an error."""

    template_name = "articles/search.html"

    def get_queryset(self):
        self.search_query = clean_search_query(self.request.GET.get("q"))
        return article_search(query=self.search_query)

    def get_paginate_by(self, queryset):
        return settings.NEWSROOM_SEARCH_RESULTS_PER_PAGE

    def get_context_data(self, **kwargs):
        return super().get_context_data(search_query=self.search_query, **kwargs)
