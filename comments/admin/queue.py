"""The Comment changelist as the moderation queue, and the comment page."""

import ipaddress

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import ngettext

from comments.admin.filters import FlaggedFilter, QueueStatusFilter, StoryFilter
from comments.admin.records import profile_link
from comments.exceptions import CommentError
from comments.models import Comment, CommentVersion, Flag, ModerationAction
from comments.selectors.bans import ban_of
from comments.selectors.queue import QueueCounts, author_history, queue_counts
from comments.services import can_edit, comment_edit
from comments.services.moderation import (
    ACTIONS,
    action_applies,
    comment_feature,
    comment_moderate,
    comment_note_add,
    user_ban,
)
from comments.visibility import is_moderator

Status = Comment.Status
REJECTED = (Status.SPAM, Status.REMOVED)

ACTION_LABELS = {
    "approve": "Approve",
    "spam": "Mark as spam",
    "not_spam": "Not spam",
    "remove": "Remove",
    "restore": "Restore",
}


def excerpt(text: str, words: int = 25) -> str:
    return Truncator(" ".join((text or "").split())).words(words)


# Inlines ---------------------------------------------------------------------


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FlagInline(ReadOnlyInline):
    model = Flag
    fields = ["created_at", "user", "reason", "note"]
    readonly_fields = fields
    verbose_name_plural = "Reports from readers"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class ModerationActionInline(ReadOnlyInline):
    model = ModerationAction
    fields = ["created_at", "moderator", "action", "from_status", "to_status", "note"]
    readonly_fields = fields
    verbose_name_plural = "Moderation log"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("moderator")


class CommentVersionInline(ReadOnlyInline):
    model = CommentVersion
    fields = ["created_at", "replaced_at", "replaced_by", "body", "redacted_at", "redacted_by"]
    readonly_fields = fields
    verbose_name_plural = "Earlier versions"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("replaced_by", "redacted_by")


# Comments --------------------------------------------------------------------


class CommentAdminForm(forms.ModelForm):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=settings.NEWSROOM_COMMENT_MAX_LENGTH,
        strip=True,
        help_text="Saved through the edit service: the old text is kept in the history "
        "and readers see the comment as edited by a moderator.",
    )

    moderator_note = forms.CharField(
        label="Note for moderators",
        required=False,
        max_length=ModerationAction._meta.get_field("note").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Seen by moderators only, in the log below and the author's history, "
        "never by readers. Saved with your decision, or on its own with Save.",
    )

    class Meta:
        model = Comment
        fields = ["body"]


def _author_count(statuses) -> Coalesce:
    """A correlated count of the row's author's comments in `statuses`."""
    per_author = (
        Comment.objects.filter(author=OuterRef("author"), status__in=statuses)
        .order_by()
        .values("author")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_author, output_field=IntegerField()), Value(0))


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    form = CommentAdminForm
    # Eight columns fit beside the admin's menu and filters on a 1,400 px
    # screen (queue.css sets their widths); the number of reports is in
    # "Why it is here".
    list_display = [
        "excerpt",
        "story",
        "in_reply_to",
        "author_record",
        "reasons",
        "status",
        "created",
    ]
    list_display_links = ["excerpt"]
    list_filter = [QueueStatusFilter, FlaggedFilter, StoryFilter]
    search_fields = ["body", "author__username", "author__email", "author_name", "author_email"]
    ordering = ["-created_at", "-pk"]
    list_per_page = 50
    actions = [
        "approve_selected",
        "spam_selected",
        "not_spam_selected",
        "remove_selected",
        "restore_selected",
        "feature_selected",
        "unfeature_selected",
        "ban_authors",
    ]
    inlines = [FlagInline, ModerationActionInline, CommentVersionInline]
    fieldsets = [
        (None, {"fields": ["story", "in_reply_to", "author_link", "author_name", "body"]}),
        (
            "Moderation",
            {
                "fields": [
                    "status",
                    "hold_reason",
                    "flag_count",
                    "edited_by_moderator",
                    "featured_at",
                    "moderator_note",
                ]
            },
        ),
        ("Conversation", {"fields": ["conversation"]}),
        (
            "Record",
            {
                "fields": [
                    "created_at",
                    "edited_at",
                    "deleted_at",
                    "like_count",
                    "notify_replies",
                    "ip_address",
                    "user_agent",
                    "author_email",
                    "author_url",
                    "import_key",
                ]
            },
        ),
        ("Tree", {"classes": ["collapse"], "fields": ["tree_id", "level", "lft", "rght"]}),
    ]

    def get_queryset(self, request):
        # Everything a page of the queue shows, in one query plus one for the
        # reports, however many rows: the author's record is a pair of
        # correlated counts, not a query per row.
        return (
            super()
            .get_queryset(request)
            .select_related("article", "author", "parent__author")
            .annotate(
                author_approved=_author_count([Status.PUBLISHED]),
                author_rejected=_author_count(REJECTED),
            )
            .prefetch_related(
                Prefetch("flags", queryset=Flag.objects.only("id", "comment_id", "reason"))
            )
        )

    # Counts of what waits, in the admin menu and on the queue.

    def queue_counts(self, request) -> QueueCounts:
        """The counts, read once per request (the menu and the queue both show them)."""
        counts = getattr(request, "comment_queue_counts", None)
        if counts is None:
            counts = request.comment_queue_counts = queue_counts()
        return counts

    def menu_note(self, request) -> str:
        return str(self.queue_counts(request)) if is_moderator(request.user) else ""

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        if is_moderator(request.user):
            extra_context["queue_counts"] = self.queue_counts(request)
        return super().changelist_view(request, extra_context)

    def get_search_results(self, request, queryset, search_term):
        # A whole IP address also finds the comments written from it (kept
        # for NEWSROOM_COMMENT_IP_RETENTION_DAYS, then purged).
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        try:
            ipaddress.ip_address(term)
        except ValueError:
            return results, may_have_duplicates
        return results | queryset.filter(ip_address=term), may_have_duplicates

    def get_readonly_fields(self, request, obj=None):
        # Only the text is editable, and only while comment_edit would accept
        # it; status changes go through the moderation buttons and actions.
        shown = [name for name in flatten_fieldsets(self.fieldsets) if name != "moderator_note"]
        if not self.has_change_permission(request, obj):
            return [*shown, "moderator_note"]
        if obj is not None and can_edit(comment=obj, user=request.user):
            return [name for name in shown if name != "body"]
        return shown

    def has_add_permission(self, request):
        # New comments are written by readers through comment_create, which
        # takes the tree locks; the admin never inserts nodes.
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting a node would renumber its thread and take its replies with
        # it; moderators remove comments instead, which keeps the tree whole.
        return False

    def save_model(self, request, obj, form, change):
        note = form.cleaned_data.get("moderator_note", "")
        if note and request.POST.get("_moderate") not in ACTIONS:
            # With a decision, the note goes with it (response_change).
            try:
                comment_note_add(comment=obj, moderator=request.user, note=note)
            except CommentError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, "Note added for the other moderators.")
        if "body" not in form.changed_data:
            return
        try:
            comment_edit(comment=obj, editor=request.user, body=form.cleaned_data["body"])
        except CommentError as error:
            self.message_user(request, error.message, messages.ERROR)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["moderation_actions"] = [
                (action, ACTION_LABELS[action]) for action in ACTIONS if action_applies(action, obj)
            ]
            if is_moderator(request.user):
                if obj.featured_at is not None:
                    context["feature_button"] = ("0", "Unfeature")
                elif obj.status == Status.PUBLISHED and obj.deleted_at is None:
                    context["feature_button"] = ("1", "Feature")
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_change(self, request, obj):
        action = request.POST.get("_moderate")
        if action in ACTIONS:
            # The form was valid, so the note is within its length.
            note = request.POST.get("moderator_note", "").strip()
            self._moderate(request, Comment.objects.filter(pk=obj.pk), action, note=note)
            return HttpResponseRedirect(request.path)
        if request.POST.get("_feature") in ("0", "1"):
            self._feature(request, [obj], featured=request.POST["_feature"] == "1")
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    # The author's history: every comment, decision, report and ban.

    def get_urls(self):
        history = path(
            "author/<int:user_id>/",
            self.admin_site.admin_view(self.author_history_view),
            name="comments_comment_author",
        )
        return [history, *super().get_urls()]

    def author_history_view(self, request, user_id: int):
        if not is_moderator(request.user):
            raise PermissionDenied
        author = get_object_or_404(get_user_model(), pk=user_id)
        context = {
            **self.admin_site.each_context(request),
            "title": f"History of {author.get_username()}",
            "opts": self.opts,
            "author": author,
            "history": author_history(user=author),
        }
        return TemplateResponse(request, "admin/comments/comment/author_history.html", context)

    # Fields of the comment page.

    @admin.display(description="Replies and what it answers")
    def conversation(self, comment):
        """The comment it answers and its direct replies, each with its status."""
        rows = []
        if comment.parent is not None:
            rows.append(("In reply to", comment.parent))
        replies = (
            Comment.objects.filter(parent_id=comment.pk).select_related("author").order_by("lft")
        )
        rows += [("Reply", reply) for reply in replies]
        if not rows:
            return "No reply, and it answers no one."
        return format_html(
            '<ul class="conversation">{}</ul>',
            format_html_join(
                "",
                '<li><strong>{}</strong> ({}, {}): <a href="{}">{}</a></li>',
                (
                    (
                        role,
                        other.display_name,
                        other.get_status_display(),
                        reverse("admin:comments_comment_change", args=[other.pk]),
                        "[deleted by its author]"
                        if other.is_deleted
                        else excerpt(other.body, 40) or "[empty]",
                    )
                    for role, other in rows
                ),
            ),
        )

    # Row columns.

    class Media:
        css = {"all": ["css/admin-queue.css"]}
        js = ["js/moderation-queue.js"]

    @admin.display(description="Comment")
    def excerpt(self, comment):
        if comment.is_deleted:
            return "[deleted by its author]"
        return excerpt(comment.body, 15)

    @admin.display(description="Written", ordering="created_at")
    def created(self, comment):
        moment = timezone.localtime(comment.created_at)
        return format_html(
            '<time datetime="{}">{}<br>{}</time>',
            moment.isoformat(),
            moment.strftime("%-d %b %Y"),
            moment.strftime("%H:%M"),
        )

    @admin.display(description="Story", ordering="article__title")
    def story(self, comment):
        queue = reverse("admin:comments_comment_changelist")
        return format_html(
            '<a href="{}">{}</a><br><a href="{}?article={}&amp;status=all">all its comments</a>',
            comment.article.get_absolute_url(),
            comment.article.title,
            queue,
            comment.article_id,
        )

    @admin.display(description="In reply to")
    def in_reply_to(self, comment):
        if comment.parent is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:comments_comment_change", args=[comment.parent_id]),
            excerpt(comment.parent.body, 12) or "[deleted]",
        )

    @admin.display(description="Author")
    def author_record(self, comment):
        if comment.author_id is None:
            return f"{comment.display_name} (imported)"
        return format_html(
            '<a href="{}">{}</a><br><small>{} approved · {} rejected</small>',
            reverse("admin:comments_comment_author", args=[comment.author_id]),
            comment.author.get_username(),
            getattr(comment, "author_approved", 0),
            getattr(comment, "author_rejected", 0),
        )

    @admin.display(description="Author")
    def author_link(self, comment):
        """The author's public profile, their comments here, and a way to ban
        them: links a moderator may follow (the user admin is not theirs)."""
        if comment.author_id is None:
            return "— (imported)"
        author = comment.author
        comments = reverse("admin:comments_comment_changelist")
        ban = ban_of(author.pk)
        if author.is_staff:
            ban_link = ""
        elif ban is not None:
            ban_link = format_html(
                ' · <a href="{}">Banned{} — change or lift the ban</a>',
                reverse("admin:comments_ban_change", args=[ban.pk]),
                "" if ban.is_active else " (ended)",
            )
        else:
            query = urlencode(
                {
                    "user": author.pk,
                    "note": f"Over comment {comment.pk} on “{comment.article.title}”."[:300],
                }
            )
            ban_link = format_html(
                ' · <a class="button" href="{}?{}">Ban this author</a>',
                reverse("admin:comments_ban_add"),
                query,
            )
        return format_html(
            '{} · <a href="{}?author={}&amp;status=all">their comments</a>'
            ' · <a href="{}">all their comments, reports and bans</a>{}',
            profile_link(author),
            comments,
            author.pk,
            reverse("admin:comments_comment_author", args=[author.pk]),
            ban_link,
        )

    @admin.display(description="Why it is here")
    def reasons(self, comment):
        counts: dict[str, int] = {}
        for flag in comment.flags.all():
            label = Flag.Reason(flag.reason).label
            counts[label] = counts.get(label, 0) + 1
        parts = [comment.hold_reason] if comment.hold_reason else []
        parts += [f"{label} ×{n}" if n > 1 else label for label, n in counts.items()]
        return "; ".join(parts) or "—"

    # Bulk actions.

    def _moderate(self, request, queryset, action, note=""):
        changed = comment_moderate(
            comments=queryset, moderator=request.user, action=action, note=note
        )
        self.message_user(
            request,
            ngettext(
                "%(action)s: %(count)d comment changed.",
                "%(action)s: %(count)d comments changed.",
                changed,
            )
            % {"action": ACTION_LABELS[action], "count": changed},
            messages.SUCCESS if changed else messages.WARNING,
        )

    @admin.action(description="Approve selected comments", permissions=["change"])
    def approve_selected(self, request, queryset):
        self._moderate(request, queryset, "approve")

    @admin.action(description="Mark selected comments as spam", permissions=["change"])
    def spam_selected(self, request, queryset):
        self._moderate(request, queryset, "spam")

    @admin.action(description="Mark selected comments as not spam", permissions=["change"])
    def not_spam_selected(self, request, queryset):
        self._moderate(request, queryset, "not_spam")

    @admin.action(description="Remove selected comments", permissions=["change"])
    def remove_selected(self, request, queryset):
        self._moderate(request, queryset, "remove")

    @admin.action(description="Restore selected removed comments", permissions=["change"])
    def restore_selected(self, request, queryset):
        self._moderate(request, queryset, "restore")

    def _feature(self, request, comments, *, featured: bool):
        changed, refused = 0, 0
        for comment in comments:
            try:
                changed += comment_feature(
                    comment=comment, moderator=request.user, featured=featured
                )
            except CommentError:
                refused += 1
        verb = "Featured" if featured else "No longer featured"
        self.message_user(
            request,
            ngettext("%(verb)s: %(count)d comment.", "%(verb)s: %(count)d comments.", changed)
            % {"verb": verb, "count": changed},
            messages.SUCCESS if changed else messages.WARNING,
        )
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%(count)d comment is not published, so cannot be featured.",
                    "%(count)d comments are not published, so cannot be featured.",
                    refused,
                )
                % {"count": refused},
                messages.WARNING,
            )

    @admin.action(description="Feature selected comments (editors' picks)", permissions=["change"])
    def feature_selected(self, request, queryset):
        self._feature(request, queryset.order_by("pk"), featured=True)

    @admin.action(description="Unfeature selected comments", permissions=["change"])
    def unfeature_selected(self, request, queryset):
        self._feature(request, queryset.order_by("pk"), featured=False)

    @admin.action(description="Ban the authors of selected comments", permissions=["change"])
    def ban_authors(self, request, queryset):
        comments = queryset.filter(author__isnull=False).select_related("author")
        authors = {comment.author_id: (comment.author, comment.pk) for comment in comments}
        banned, refused = 0, []
        for author, comment_id in authors.values():
            try:
                user_ban(
                    user=author,
                    moderator=request.user,
                    note=f"Banned from the moderation queue over comment {comment_id}.",
                )
            except CommentError:
                refused.append(author.get_username())
            else:
                banned += 1
        self.message_user(
            request,
            ngettext("%(count)d author banned.", "%(count)d authors banned.", banned)
            % {"count": banned},
            messages.SUCCESS if banned else messages.WARNING,
        )
        if refused:
            self.message_user(
                request, f"Not banned (staff): {', '.join(sorted(refused))}.", messages.WARNING
            )
