"""The moderation queue's filters: status (waiting by default), reported, story."""

from django.contrib import admin
from django.db.models import Count, Max, Q

from comments.models import Comment
from comments.selectors.queue import reported, waiting

Status = Comment.Status
STORIES_IN_FILTER = 30


class QueueStatusFilter(admin.SimpleListFilter):
    """Status, defaulting to the comments waiting for a decision (held or
    reported), so the changelist opens on the queue. With "Show counts",
    each choice says how many comments it would list."""

    title = "status"
    parameter_name = "status"
    ALL = "all"
    WAITING = "waiting"

    def lookups(self, request, model_admin):
        return [(self.WAITING, "Waiting for a decision"), *Status.choices]

    def _current(self):
        value = self.value()
        if value == self.ALL or value in Status.values:
            return value
        return self.WAITING

    def _condition(self, value) -> Q:
        if value == self.ALL:
            return Q()
        if value == self.WAITING:
            return waiting()
        return Q(status=value)

    def queryset(self, request, queryset):
        return queryset.filter(self._condition(self._current()))

    def get_facet_counts(self, pk_attname, filtered_qs):
        # One conditional count per choice, in the single query Django's
        # facets make, rather than a subquery of the whole queryset each.
        choices = [self.ALL, *(value for value, _label in self.lookup_choices)]
        return {
            f"{value}__c": Count(pk_attname, filter=self._condition(value)) for value in choices
        }

    def choices(self, changelist):
        current = self._current()
        counts = self.get_facet_queryset(changelist) if changelist.add_facets else None
        for value, label in [(self.ALL, "All"), *self.lookup_choices]:
            if counts is not None:
                label = f"{label} ({counts[f'{value}__c']})"
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


class FlaggedFilter(admin.SimpleListFilter):
    """Reported: reports waiting for a decision; ever: any report, decided or not."""

    title = "reported by readers"
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [
            ("yes", "Reported, not yet decided"),
            ("ever", "Ever reported"),
            ("no", "Never reported"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(reported())
        if self.value() == "ever":
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
        rows = (
            Comment.objects.filter(waiting())
            .order_by()
            .values("article_id", "article__title")
            .annotate(waiting=Count("pk"), latest=Max("created_at"))
            .order_by("-latest")[:STORIES_IN_FILTER]
        )
        choices = [
            (str(row["article_id"]), f"{row['article__title']} ({row['waiting']} waiting)")
            for row in rows
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
