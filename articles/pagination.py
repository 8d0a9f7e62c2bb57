"""Keyset ("cursor") pagination for the lists of stories.

The front page, tag, source and date-archive lists can be years deep: page
500 of a tag by page number would make PostgreSQL read and throw away 5,000
rows (`OFFSET`) and count them all for "Page N of M". Here a page is named
by the story it follows instead: `?before=<cursor>` lists the stories older
than that one, `?after=<cursor>` the ones newer, each read from the
(status, published_at) index in one query of `per_page + 1` rows (the extra
row says whether there is more), so page 500 costs what page 1 does.
"Older" and "Newer" are ordinary links, so the pages work without
JavaScript and crawlers follow them.

Old addresses with `?page=N` still work for the first MAX_NUMBERED_PAGE
pages (a bounded OFFSET finds the story before that page, and the reader is
redirected to its cursor); deeper numbers are not found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.http import Http404, HttpResponsePermanentRedirect, QueryDict

MAX_NUMBERED_PAGE = 20

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CURSOR = re.compile(r"(-?\d{1,18})\.(\d{1,18})")


def encode_cursor(published_at: datetime, pk: int) -> str:
    """A story's place in the list: microseconds since 1970 (UTC) and its id."""
    micros = (published_at - _EPOCH) // timedelta(microseconds=1)
    return f"{micros}.{pk}"


def decode_cursor(value: str) -> tuple[datetime, int]:
    """The (published_at, id) a cursor names; a malformed one is not found."""
    match = _CURSOR.fullmatch(value or "")
    if not match:
        raise Http404("No such page.")
    try:
        published_at = _EPOCH + timedelta(microseconds=int(match[1]))
    except OverflowError:
        raise Http404("No such page.") from None
    return published_at, int(match[2])


@dataclass
class StoryPage:
    """One page of a story list, as the templates use it."""

    object_list: list
    has_next: bool
    has_previous: bool
    query: QueryDict = field(repr=False)

    @property
    def is_first(self) -> bool:
        return not self.has_previous

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def _url(self, **params: str) -> str:
        query = self.query.copy()
        for name in ("page", "before", "after"):
            query.pop(name, None)
        query.update(params)
        return "?" + query.urlencode()

    @property
    def next_url(self) -> str:
        """Older stories."""
        last = self.object_list[-1]
        return self._url(before=encode_cursor(last.published_at, last.pk))

    @property
    def previous_url(self) -> str:
        """Newer stories."""
        first = self.object_list[0]
        return self._url(after=encode_cursor(first.published_at, first.pk))


class _MovedTo(Exception):
    def __init__(self, url: str):
        self.url = url


class KeysetPaginationMixin:
    """For a MultipleObjectMixin view whose rows are stories: pages by cursor,
    newest first (published_at, then id, both descending)."""

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except _MovedTo as moved:
            return HttpResponsePermanentRedirect(moved.url)

    def paginate_queryset(self, queryset, page_size):
        params = self.request.GET
        before, after = params.get("before"), params.get("after")
        if before is not None and after is not None:
            raise Http404("No such page.")
        newest_first = queryset.order_by("-published_at", "-pk")
        if before is not None:
            published_at, pk = decode_cursor(before)
            rows = list(
                newest_first.filter(published_at__lte=published_at).exclude(
                    published_at=published_at, pk__gte=pk
                )[: page_size + 1]
            )
            page = StoryPage(rows[:page_size], len(rows) > page_size, True, params)
        elif after is not None:
            published_at, pk = decode_cursor(after)
            rows = list(
                queryset.order_by("published_at", "pk")
                .filter(published_at__gte=published_at)
                .exclude(published_at=published_at, pk__lte=pk)[: page_size + 1]
            )
            page = StoryPage(rows[:page_size][::-1], True, len(rows) > page_size, params)
        else:
            self._redirect_numbered_page(newest_first, page_size)
            rows = list(newest_first[: page_size + 1])
            page = StoryPage(rows[:page_size], len(rows) > page_size, False, params)
        if not page.object_list and (before is not None or after is not None):
            raise Http404("No such page.")
        return None, page, page.object_list, page.has_other_pages()

    def _redirect_numbered_page(self, newest_first, page_size) -> None:
        """`?page=N` from before cursors: to the same page's cursor, for the first
        MAX_NUMBERED_PAGE pages."""
        number = self.request.GET.get("page")
        if number is None or number == "1":
            return
        if not number.isdigit() or not 1 < int(number) <= MAX_NUMBERED_PAGE:
            raise Http404("No such page.")
        offset = (int(number) - 1) * page_size - 1
        last = newest_first.values("published_at", "pk")[offset : offset + 1].first()
        if last is None:
            raise Http404("No such page.")
        query = self.request.GET.copy()
        query.pop("page")
        query["before"] = encode_cursor(last["published_at"], last["pk"])
        raise _MovedTo(f"{self.request.path}?{query.urlencode()}")
