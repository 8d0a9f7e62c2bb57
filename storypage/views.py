"""The story page: one story with its attribution and conversation, for this viewer.

Where each viewer's page comes from:

- a guest (no session, no message cookie): `storypage.guest_pages` serves a
  stored page from its middleware, before sessions run; otherwise it is
  rendered here and stored;
- a signed-in reader with nothing of their own on the page but likes and
  Edit / Delete links: `storypage.shared_pages` fills in the rendering
  shared by all such readers; otherwise rendered here and shared;
- everyone else (staff, a reader with a held comment, a message or a draft):
  rendered here for them alone, with the thread fragment from the cache.

Every stored copy names the versions of `storypage.versions` it was
rendered at, read in the same statement as the story.
"""

from datetime import timedelta

from django.http import Http404, HttpResponsePermanentRedirect
from django.utils.cache import patch_cache_control
from django.views.generic import DateDetailView

from articles.models import Article, may_preview
from articles.selectors import adjacent_stories, article_redirect_target
from storypage import guest_pages, shared_pages, versions
from storypage.section import comment_section_context, reader_state

# An edit sooner than this after publication (typo fixes, the import itself)
# is not worth an "Updated" line under the headline.
UPDATE_NOTICE_THRESHOLD = timedelta(minutes=30)


class StoryPageView(DateDetailView):
    """One story with its comments; editors may preview unpublished ones."""

    model = Article
    # Built once, as generic views' `queryset` is: each request clones it
    # rather than resolving its annotations again.
    queryset = versions.with_versions(
        Article.objects.select_related("source").with_comment_policy()
    )
    date_field = "published_at"
    month_format = "%m"
    day_format = "%d"

    def _is_editor(self):
        return may_preview(self.request.user)

    def get_queryset(self):
        articles = super().get_queryset()
        return articles if self._is_editor() else articles.published()

    def get_allow_future(self):
        return self._is_editor()

    def get_object(self, queryset=None):
        # Before the query: the versions it reads are at least this fresh.
        self.versions_asked_at = versions.clock()
        return super().get_object(queryset)

    def get(self, request, *args, **kwargs):
        # A stored page for a guest was already served by GuestStoryPageMiddleware.
        guest = guest_pages.is_guest_request(request)
        # A signed-in reader's page is built from a rendering shared by readers.
        if not guest:
            served = shared_pages.serve(request)
            if served is not None:
                return served
        self.shared = not guest and shared_pages.is_shareable(request)
        try:
            response = super().get(request, *args, **kwargs)
        except Http404:
            # A story whose slug or date changed keeps its old addresses.
            target = article_redirect_target(path=request.path, user=request.user)
            if target is None:
                raise
            query = request.META.get("QUERY_STRING")
            return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
        if guest and not request.user.is_authenticated:
            response.render()
            guest_pages.splice_thread(response, section=self.section)
            guest_pages.store(request, response, article=self.object, valid_for=self.valid_for)
        elif self.shared:
            response.render()
            shared_pages.keep_session_copy(request)
            response = shared_pages.store_and_fill(
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
        # Read with the story: everything read after them is at least as new.
        read_at = versions.of(article, asked_at=self.versions_asked_at)
        context = super().get_context_data(**kwargs)
        page_url = self.request.build_absolute_uri(article.get_absolute_url())
        last_change = max(article.published_at, article.created_at)
        tags = list(article.tags.all())
        lead_image = article.lead_image_shown
        context.update(
            lead_image=lead_image,
            # Link previews need an absolute address (object storage gives one already).
            lead_image_url=(
                self.request.build_absolute_uri(lead_image.largest.url) if lead_image else ""
            ),
            page_url=page_url,
            canonical_url=article.original_url or page_url,
            is_preview=not article.is_published,
            show_updated=article.updated_at - last_change > UPDATE_NOTICE_THRESHOLD,
            tags=tags,
            adjacent=adjacent_stories(article=article, tags=tags),
        )
        # The thread (up to megabytes of HTML) goes into a guest's or the
        # shared page after the template has rendered: passed through the
        # template, it would be copied at every level of nesting.
        stored = self.shared or guest_pages.is_guest_request(self.request)
        section = comment_section_context(
            request=self.request,
            article=article,
            state=self.state,
            shared=stored,
            thread_version=read_at.thread if read_at else None,
        )
        self.section = section["comment_section"]
        context.update(section)
        # Only the page this address names is stored: a page number past
        # the end shows the last page, which has an address of its own.
        self.valid_for = read_at if stored and self.section["is_requested_page"] else None
        # Log-in links come back to the page's own address, never to
        # whatever query string this request carried.
        context["login_next"] = self.section["page_path"]
        if self.shared:
            context.update(shared_pages.shared_context())
        return context
