import math
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from articles.images import LeadImage, lead_image_of
from articles.rendering import render_markdown, summary_from_html


class Source(models.Model):
    """Who published a story first, and the notice its reuse must carry."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    homepage_url = models.URLField(blank=True)
    copyright_notice = models.CharField(
        max_length=200, blank=True, help_text="Shown under every story, e.g. “© BBC”."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:source", kwargs={"slug": self.slug})


class Tag(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:tag", kwargs={"slug": self.slug})


class StorySettings(models.Model):
    """Site-wide editorial settings, one row, edited in the admin."""

    comments_close_after_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Close comments this many days after publication on every story that does "
        "not set its own period. 0: never. Empty: the NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS "
        "setting.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "story settings"

    def __str__(self):
        return "Story settings"

    def save(self, *args, **kwargs):
        self.pk = 1  # there is only ever one
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "StorySettings":
        return cls.objects.filter(pk=1).first() or cls(pk=1)


# What the admin requires to see a story; previewing one readers cannot see
# yet (a draft, a scheduled story) on the public site requires the same.
PREVIEW_PERMISSION = "articles.view_article"


def may_preview(user) -> bool:
    """Whether `user` may see drafts and scheduled stories on the public site:
    an active staff account holding `articles.view_article`, never `is_staff` alone."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_staff  # before the rest: readers' pages never ask for permissions
        and user.is_active
        and user.has_perm(PREVIEW_PERMISSION)
    )


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Stories readers may see: published, and not scheduled for later."""
        return self.filter(
            status=Article.Status.PUBLISHED, published_at__lte=timezone.now()
        ).with_comment_policy()

    def with_comment_policy(self):
        """The site's default comment period on each row, so that
        `comments_are_open` costs no query of its own."""
        if "site_close_after_days" in self.query.annotations:  # published() added it
            return self
        return self.annotate(
            site_close_after_days=models.Subquery(
                StorySettings.objects.filter(pk=1).values("comments_close_after_days")[:1]
            )
        )

    def for_listing(self):
        return self.select_related("source").prefetch_related("tags").with_comment_policy()

    def drafts(self):
        return self.filter(status=Article.Status.DRAFT)

    def scheduled(self):
        """Published stories whose time has not come yet: readers cannot see them."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

    def live(self):
        """`published()` without the comment-policy annotation."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())


# Reading speed for the reading time shown to editors: a common figure for
# adults reading news on a screen.
WORDS_PER_MINUTE = 200


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=300, unique=True)
    standfirst = models.TextField(blank=True, help_text="The summary under the headline.")
    byline = models.CharField(max_length=200, blank=True)
    body = models.TextField(
        help_text="Markdown: a blank line between paragraphs; *italic*, **bold**, "
        "[link text](https://…), lists (- item, 1. item), > quotes, `code`, "
        "images (![description](https://…)). Headings: # or ## for a section heading, "
        "### for a subheading, #### for a minor one (the story's title is the page's "
        "main heading, so # gives the same level as ##). Tables: a header row, a row of "
        "dashes, then the rows, cells between | (|:--| left, |:-:| centred, |--:| right "
        "aligned); they scroll sideways on phones. Footnotes: text[^1] in the story and "
        "[^1]: the note on a line of its own; notes are numbered and listed at the end."
    )
    body_html = models.TextField(editable=False, default="")
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.PROTECT, related_name="articles"
    )
    original_url = models.URLField(
        max_length=500, blank=True, help_text="Where the story was first published."
    )
    import_record = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="What the last page import set each field to (articles.import_review): "
        "a field that differs from it was changed here, and a re-import keeps it.",
    )
    import_key = models.CharField(
        max_length=500,
        blank=True,
        editable=False,
        help_text="The story's identity in the export it was imported from (the site and "
        "its post id), so that importing that export again updates this story.",
    )
    editor_note = models.TextField(
        blank=True,
        help_text="For editors only, never shown to readers: what an import could not "
        "carry across, or anything to check before publishing.",
    )
    seo_description = models.CharField(
        "SEO description",
        max_length=300,
        blank=True,
        help_text="What search engines and link previews show. Empty: the standfirst, "
        "or else the start of the story.",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        default=timezone.now,
        db_index=True,
        help_text="A time in the future schedules the story.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")

    comments_open = models.BooleanField(
        default=True, help_text="Untick to close comments on this story."
    )
    comments_close_after_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Close comments automatically this many days after publication. "
        "Empty: the site default.",
    )

    lead_image = models.ImageField(
        upload_to="lead-images/%Y/%m/",
        max_length=300,
        blank=True,
        help_text="JPEG, PNG, WebP or GIF. Shown at the top of the story, on lists, in feeds "
        "and in link previews; sizes for every screen are made when the story is saved.",
    )
    lead_image_alt = models.CharField(
        "alt text",
        max_length=300,
        blank=True,
        help_text="Required with an image: what it shows, for readers who cannot see it.",
    )
    lead_image_caption = models.CharField("caption", max_length=300, blank=True)
    lead_image_credit = models.CharField(
        "credit", max_length=200, blank=True, help_text="Who took or owns it, e.g. “Reuters”."
    )
    # The stored sizes of the lead image, narrowest first (articles.images.renditions_create).
    lead_image_renditions = models.JSONField(default=list, blank=True, editable=False)

    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config="english")
        + SearchVector("standfirst", weight="B", config="english")
        + SearchVector("body", weight="C", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            GinIndex(fields=["search_vector"], name="article_search_gin"),
            models.Index(fields=["status", "-published_at"], name="article_status_published"),
            # The sitemap index's last change: its newest entry, not a scan.
            models.Index(
                Greatest("updated_at", "published_at").desc(),
                name="article_modified",
                condition=models.Q(status="published"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lead_image="") | ~models.Q(lead_image_alt=""),
                name="article_lead_image_has_alt",
                violation_error_message="A lead image needs alt text.",
            ),
            models.UniqueConstraint(
                fields=["import_key"],
                condition=~models.Q(import_key=""),
                name="article_unique_import_key",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.lead_image and not self.lead_image_alt.strip():
            raise ValidationError(
                {
                    "lead_image_alt": "Describe the lead image for readers who cannot see it: "
                    "alt text is required with an image."
                }
            )

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        local = timezone.localtime(self.published_at)
        return reverse(
            "articles:detail",
            kwargs={
                "year": local.year,
                "month": f"{local.month:02d}",
                "day": f"{local.day:02d}",
                "slug": self.slug,
            },
        )

    @property
    def summary(self) -> str:
        """The standfirst, or else the start of the first paragraph (plain
        text), for link previews, feeds and search engines."""
        return self.standfirst.strip() or summary_from_html(self.body_html)

    @property
    def meta_description(self) -> str:
        """The page's description for search engines and link previews."""
        return self.seo_description.strip() or self.summary

    @property
    def lead_image_shown(self) -> LeadImage | None:
        """The lead image as pages show it (its sizes' URLs), or None."""
        return lead_image_of(
            name=self.lead_image.name,
            renditions=self.lead_image_renditions,
            alt=self.lead_image_alt,
            caption=self.lead_image_caption,
            credit=self.lead_image_credit,
            storage=self.lead_image.storage,
        )

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    @property
    def publication_state(self) -> str:
        """"Draft", "Scheduled" or "Published": what readers get now."""
        if self.status == self.Status.DRAFT:
            return "Draft"
        return "Published" if self.published_at <= timezone.now() else "Scheduled"

    @property
    def word_count(self) -> int:
        """Words of the story's text as readers see it (no Markdown or HTML)."""
        return len(strip_tags(self.body_html).split())

    @property
    def reading_minutes(self) -> int:
        """Whole minutes to read the body at WORDS_PER_MINUTE, at least 1."""
        return max(1, math.ceil(self.word_count / WORDS_PER_MINUTE))

    @property
    def comments_close_at(self):
        """When comments close automatically, or None if they never do."""
        days = self.comments_close_after_days
        if days is None:
            if hasattr(self, "site_close_after_days"):
                days = self.site_close_after_days
            else:
                days = StorySettings.load().comments_close_after_days
        if days is None:
            days = settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS
        if not days:
            return None
        return self.published_at + timedelta(days=days)

    @property
    def comments_are_open(self):
        """Whether readers may comment now: never on a story they cannot see
        (a draft or scheduled story an editor previews)."""
        if not self.is_published:
            return False
        close_at = self.comments_close_at
        return self.comments_open and (close_at is None or timezone.now() < close_at)

    @property
    def comments_closed_message(self) -> str:
        """Why the story takes no comments, for readers; "" when it does."""
        if self.comments_are_open:
            return ""
        if not self.is_published:
            return "Readers can comment once this story is published."
        close_at = self.comments_close_at
        if self.comments_open and close_at is not None:
            local = timezone.localtime(close_at)
            return f"Comments closed on {local.day} {local:%B %Y}."
        return "Comments are closed."


class ArticleRedirect(models.Model):
    """An address a published story had before its slug or date changed.

    Each row points at the story, not at the next address, so a story moved
    twice sends both old addresses straight to where it is now.
    """

    old_path = models.CharField(max_length=400, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.old_path} → {self.article}"


class ImportJob(models.Model):
    """A WordPress or Disqus export an editor uploaded in the admin.

    Checked first (the dry-run report), imported once an editor confirms;
    both steps run outside the request (`articles.import_jobs`).
    """

    class Kind(models.TextChoices):
        WORDPRESS = "wordpress", "WordPress export (WXR)"
        DISQUS = "disqus", "Disqus export"

    class Status(models.TextChoices):
        CHECKING = "checking", "Checking the file"
        READY = "ready", "Checked: waiting for confirmation"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    kind = models.CharField(max_length=10, choices=Kind)
    status = models.CharField(max_length=10, choices=Status, default=Status.CHECKING)
    running = models.BooleanField(
        default=False, help_text="A runner has claimed the job's current step."
    )
    file = models.CharField(max_length=300, help_text="The upload's name in the default storage.")
    original_name = models.CharField(max_length=255)
    create_stubs = models.BooleanField(
        default=False,
        help_text="Disqus: an unpublished story for each thread that matches none.",
    )
    report = models.TextField(blank=True)
    error = models.TextField(blank=True)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.original_name} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.IMPORTING)
