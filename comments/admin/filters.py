"""The moderation queue's filters: status (pending by default), reported, story."""

from django.contrib import admin
from django.db.models import Count, Max, Q

from comments.models import Comment

Status = Comment.Status
STORIES_IN_FILTER = 30


class QueueStatusFilter(admin.SimpleListFilter):
    """Status, defaulting to pending so the changelist opens on the queue."""

    title = "status"
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request, model_admin):
        return Status.choices

    def _current(self):
        value = self.value()
        return value if value == self.ALL or value in Status.values else Status.PENDING

    def queryset(self, request, queryset):
        current = self._current()
        return queryset if current == self.ALL else queryset.filter(status=current)

    def choices(self, changelist):
        current = self._current()
        for value, label in [(self.ALL, "All"), *self.lookup_choices]:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


class FlaggedFilter(admin.SimpleListFilter):
    title = "reported by readers"
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", "Reported"), ("no", "Not reported")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(flag_count__gt=0)
        if self.value() == "no":
            return queryset.filter(flag_count=0)
        return queryset


class StoryFilter(admin.SimpleListFilter):
    """The stories with comments waiting (held or reported), latest first.

    Listing every story with comments would not scale with the archive; any
    story can still be chosen through the link in each row's story column.
    """

    title = "story"
    parameter_name = "article"

    def lookups(self, request, model_admin):
        waiting = (
            Comment.objects.filter(Q(status=Status.PENDING) | Q(flag_count__gt=0))
            .order_by()
            .values("article_id", "article__title")
            .annotate(waiting=Count("pk"), latest=Max("created_at"))
            .order_by("-latest")[:STORIES_IN_FILTER]
        )
        choices = [
            (str(row["article_id"]), f"{row['article__title']} ({row['waiting']} waiting)")
            for row in waiting
        ]
        chosen = self.value()
        if chosen and chosen.isdigit() and chosen not in {value for value, _ in choices}:
            title = Comment.objects.filter(article_id=chosen).values_list(
                "article__title", flat=True
            )[:1]
            choices.extend((chosen, t) for t in title)
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(article_id=value)
        return queryset

