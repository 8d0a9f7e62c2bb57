"""The conversation under a story.

Every write that changes these rows goes through `comments/services.py`;
nothing else touches tree fields (django-mptt corrupts trees under concurrent
writes without the locks the services take).
"""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from mptt.models import MPTTModel, TreeForeignKey


class Comment(MPTTModel):
    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        PENDING = "pending", "Pending moderation"
        SPAM = "spam", "Spam"
        REMOVED = "removed", "Removed"

    # No index of their own for article and author: the composite indexes in
    # Meta lead with them (see "Indexes" there).
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="comments", db_index=False
    )
    parent = TreeForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
        db_index=False,
    )
    author_name = models.CharField(
        max_length=150, blank=True, help_text="Display name of an imported comment's author."
    )
    # What another system's export says of a commenter without an account
    # here: for moderators only, never shown on the site, and written back by
    # `export_wordpress`.
    author_email = models.EmailField(
        blank=True, help_text="An imported comment's author's email address (moderators only)."
    )
    author_url = models.URLField(
        max_length=400, blank=True, help_text="The website an imported comment's author gave."
    )
    body = models.TextField(blank=True, help_text="What the commenter typed.")
    body_html = models.TextField(blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.PUBLISHED)
    hold_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    edited_by_moderator = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the author deleted it; it shows as [deleted]."
    )
    like_baseline = models.PositiveIntegerField(
        default=0, help_text="Likes carried over from an import; new likes add to it."
    )
    like_count = models.PositiveIntegerField(
        default=0, help_text="like_baseline plus the Like rows, kept in step by the services."
    )
    flag_count = models.PositiveIntegerField(default=0, help_text="Readers' reports, ever.")
    open_reports = models.PositiveIntegerField(
        default=0,
        help_text="Reports made since a moderator last decided on the comment: "
        "while above zero, the comment waits in the moderation queue.",
    )
    import_key = models.CharField(
        max_length=64, blank=True, help_text="Position in an imported page, for idempotent re-import."
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    notify_replies = models.BooleanField(
        default=False, help_text="Email the author when someone replies to this comment."
    )
    featured_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a moderator made it an editors' pick (comment_feature); "
        "shown as featured while readers may read it.",
    )
    # What site search matches (comments.selectors.search); the database keeps
    # it in step with the text, so no write has to.
    search_vector = models.GeneratedField(
        expression=SearchVector("body", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    # Held for moderation: shown only to their author (as awaiting moderation) and staff.
    HELD_STATUSES = (Status.PENDING, Status.SPAM)

    class MPTTMeta:
        order_insertion_by = []

    class Meta:
        ordering = ["tree_id", "lft"]
        # Indexes: every reply renumbers lft/rght of the nodes after it in its
        # thread (hundreds of rows in a busy one). With no index on lft or rght
        # PostgreSQL makes those updates heap-only (HOT): no index is touched,
        # and the statement runs ~6x faster on a 400-comment thread than with
        # the (tree_id, lft) index django-mptt adds by default (removed below
        # the class). Reads of a thread find its rows by tree_id (mptt's own
        # index on it) and sort the few hundred in memory. Each index also
        # costs every insert, so none repeats another's leading column:
        #   article, level, ...   a story's top-level comments, by sort order
        #   author, -created_at   profiles, flood and duplicate checks
        #   status, created_at    the moderation queue, newest first per status
        #   created_at            the same queue showing every status
        #   created_at, reported  comments with open reports (a partial index:
        #                         few rows, read on every admin page's counts)
        #   tree_id, parent_id    a thread's rows; replies to a comment
        #   article, featured_at  a story's editors' picks (a partial index:
        #                         few rows, and none to update for the rest)
        indexes = [
            models.Index(fields=["article", "level", "created_at"], name="comment_article_roots"),
            models.Index(fields=["article", "level", "like_count"], name="comment_article_liked"),
            models.Index(fields=["author", "-created_at"], name="comment_author_recent"),
            models.Index(fields=["status", "created_at"], name="comment_status_recent"),
            models.Index(
                fields=["created_at"],
                condition=models.Q(open_reports__gt=0),
                name="comment_reported_recent",
            ),
            GinIndex(fields=["search_vector"], name="comment_search_gin"),
            models.Index(
                fields=["article", "-featured_at"],
                condition=models.Q(featured_at__isnull=False),
                name="comment_article_featured",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "import_key"],
                condition=~models.Q(import_key=""),
                name="comment_unique_import_key",
            ),
            models.CheckConstraint(
                condition=models.Q(like_count__gte=models.F("like_baseline")),
                name="comment_like_count_includes_baseline",
            ),
        ]

    def __str__(self):
        # Names the story by its title: a list of comments shown by name
        # selects their article and author (as the admin's lists do).
        return f"Comment {self.pk} by {self.display_name} on “{self.article.title}”"

    def get_absolute_url(self):
        return reverse("comments:detail", kwargs={"pk": self.pk})

    @property
    def display_name(self):
        if self.author_id is not None:
            return self.author.get_username()
        return self.author_name or "Anonymous"

    @property
    def is_deleted(self):
        return self.deleted_at is not None


# django-mptt appends an index on (tree_id, lft) to a tree model that does not
# declare one; see Comment.Meta for why this model must not have it.
Comment._meta.indexes = [
    index for index in Comment._meta.indexes if tuple(index.fields) != ("tree_id", "lft")
]


class CommentVersion(models.Model):
    """A previous text of an edited comment (the edit history readers can view).

    A redacted version stays in the database for staff and the record, but
    readers see only that a moderator hid it: a moderator's edit redacts every
    earlier version, and a moderator can redact one on its own.
    """

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="versions")
    body = models.TextField()
    body_html = models.TextField()
    created_at = models.DateTimeField(help_text="When this text was written.")
    replaced_at = models.DateTimeField(auto_now_add=True)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    redacted_at = models.DateTimeField(
        null=True, blank=True, help_text="When a moderator hid this text from readers."
    )
    redacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["comment", "created_at"]

    def __str__(self):
        return f"Earlier version of comment {self.comment_id}"

    @property
    def is_redacted(self) -> bool:
        return self.redacted_at is not None


class Like(models.Model):
    # Found by user through like_once_per_user, which leads with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes", db_index=False
    )
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="likes")
    # The comment's story, copied: every signed-in story page asks for "my
    # likes on this story", answered from like_user_story alone (an
    # index-only scan) rather than by joining every comment of the story.
    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "comment"], name="like_once_per_user"),
        ]
        indexes = [
            models.Index(fields=["user", "article"], include=["comment"], name="like_user_story"),
        ]

    def save(self, *args, **kwargs):
        if self.article_id is None:
            self.article_id = self.comment.article_id
        super().save(*args, **kwargs)


class Flag(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", "Spam"
        ABUSE = "abuse", "Abusive or harassing"
        OFF_TOPIC = "off_topic", "Off-topic"
        OTHER = "other", "Something else"

    # Empty once the reader who reported it closed their account: the report
    # stays for the moderators, without who made it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flags",
    )
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(max_length=20, choices=Reason)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "comment"], name="flag_once_per_user"),
        ]

    def __str__(self):
        return f"Report on comment {self.comment_id}: {self.get_reason_display()}"


class BlockedPhrase(models.Model):
    """A word or phrase that sends a comment to the moderation queue."""

    phrase = models.CharField(max_length=200, unique=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["phrase"]

    def __str__(self):
        return self.phrase


class Ban(models.Model):
    """A reader who may not comment, with the reason they are shown and a
    note for moderators only."""

    # What a banned reader is told when the ban gives no reason of its own.
    STANDARD_REASON = "comments that broke the discussion rules"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_ban"
    )
    reason = models.CharField(
        "reason shown to the reader",
        max_length=300,
        blank=True,
        help_text="The reader sees this when they try to comment, with a link to the comment "
        "guidelines. Leave it empty for the standard wording: “Your account may not comment "
        f"because of {STANDARD_REASON}.”",
    )
    note = models.CharField(
        "internal note",
        max_length=300,
        blank=True,
        help_text="For moderators only (which comments, what happened); never shown to the reader.",
    )
    until = models.DateTimeField(null=True, blank=True, help_text="Empty: until lifted.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Ban of {self.user}"

    @property
    def is_active(self) -> bool:
        return self.until is None or self.until > timezone.now()


class ModerationAction(models.Model):
    """The audit log: who did what to which comment or reader, and when.

    Decisions on a comment name the comment (and its status before and
    after); a moderator's note on a comment changes no status; bans and
    unbans name the reader instead of a comment (`reader`, emptied if the
    reader closes their account: the entry stays, without who it was).
    """

    comment = models.ForeignKey(
        Comment,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="moderation_actions",
    )
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_record",
        help_text="The reader a ban or unban was about.",
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=10, choices=Comment.Status, blank=True)
    to_status = models.CharField(max_length=10, choices=Comment.Status, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        if self.comment_id is None:
            return f"{self.action} of reader {self.reader_id}"
        return f"{self.action} on comment {self.comment_id}"
