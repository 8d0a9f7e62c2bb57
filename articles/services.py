"""Writes to stories that are more than a model's own save: keeping old
addresses working, keeping lead images' sizes in step, and publishing at once.

Every write here changes what story pages show; the story page's versions
move with it through Django's `post_save` or `stories_changed`, sent inside
the write's transaction.
"""

from functools import partial

from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Least
from django.utils import timezone

from articles.images import files_delete, renditions_create
from articles.models import Article, ArticleRedirect
from articles.signals import stories_changed


def article_redirect_record(
    *, previous: Article | None, article: Article
) -> ArticleRedirect | None:
    """Keep `previous`'s address leading to `article` if readers could see it there.

    `previous` is the story as it was before a write (None for a new one),
    `article` as it is now. Nothing is recorded for a story readers could
    not see (a draft, a scheduled story) or whose address did not change.
    The story's current address is never a redirect to it: moving back to an
    old address removes that redirect. Another story's redirect from this
    address is removed only once this story is published there; until then
    readers following an old link still reach the story that lived there.
    """
    current_path = article.get_absolute_url()
    here = ArticleRedirect.objects.filter(old_path=current_path)
    if not article.is_published:
        here = here.filter(article=article)
    here.delete()
    if previous is None or not previous.is_published:
        return None
    old_path = previous.get_absolute_url()
    if old_path == current_path:
        return None
    redirect, _ = ArticleRedirect.objects.update_or_create(
        old_path=old_path, defaults={"article": article}
    )
    return redirect


def _stored_files(*, name: str, renditions: list[dict]) -> list[str]:
    return [name, *(row["name"] for row in renditions)] if name else []


LEAD_IMAGE_FIELDS = (
    "lead_image",
    "lead_image_renditions",
    "lead_image_alt",
    "lead_image_caption",
    "lead_image_credit",
)


@transaction.atomic
def article_revision_restored(*, previous: Article, article: Article, version_image: str) -> bool:
    """Finish restoring an earlier version of a story (django-reversion) over `previous`.

    `version_image` is the lead image the version names. The address
    `previous` had keeps working. The story keeps the lead image it had,
    since a replaced image's files were deleted when it was replaced and an
    older version's image cannot come back; unless the editor uploaded a
    new image while restoring, which replaces it as any upload does.
    Returns whether the version's image was left out.
    """
    article_redirect_record(previous=previous, article=article)
    name = article.lead_image.name or ""
    if name == (previous.lead_image.name or ""):
        return False
    if name != (version_image or ""):  # a new upload: the image it replaced goes
        replaced = set(
            _stored_files(name=previous.lead_image.name, renditions=previous.lead_image_renditions)
        ) - set(_stored_files(name=name, renditions=article.lead_image_renditions))
        storage = article.lead_image.storage
        transaction.on_commit(partial(files_delete, names=sorted(replaced), storage=storage))
        return False
    Article.objects.filter(pk=article.pk).update(
        **{field: getattr(previous, field) for field in LEAD_IMAGE_FIELDS}
    )
    stories_changed.send(sender=Article)  # update() sends no post_save
    return True


@transaction.atomic
def article_recovered(*, article: Article, version_image: str) -> bool:
    """Finish bringing back a deleted story from a version (django-reversion).

    `version_image` is the lead image the version names. Deleting the story
    deleted that image's files, so unless the editor uploaded a new image
    while recovering, the story comes back without one; returns whether
    the version's image was left out.
    """
    if not version_image or article.lead_image.name != version_image:
        return False
    Article.objects.filter(pk=article.pk).update(
        lead_image="", lead_image_renditions=[], lead_image_alt="",
        lead_image_caption="", lead_image_credit="",
    )  # fmt: skip
    stories_changed.send(sender=Article)  # update() sends no post_save
    return True


@transaction.atomic
def article_save(*, article: Article) -> Article:
    """Save `article` (new or changed), keeping its old public address working
    and its lead image's sizes in step with the image.

    The stored row is locked and read first, so two editors saving at once
    each record the address the other replaced.

    A new image (an upload, or another stored name) is stored, its sizes are
    made and stored with it, and the files of the image it replaced (the
    original and its sizes) are deleted once the transaction commits; a
    removed image's files likewise. If making the sizes fails, nothing is
    saved and the files just stored are deleted. Saving the story changes
    the page versions (`storypage.signals`), so no cached page shows the
    old image.
    """
    previous = None
    if article.pk is not None:
        previous = Article.objects.select_for_update().filter(pk=article.pk).first()
    old_name = (previous.lead_image.name or "") if previous else ""
    old_renditions = previous.lead_image_renditions if previous else []
    image_changed = (article.lead_image.name or "") != old_name

    if image_changed:
        article.lead_image_renditions = []
    name_given = article.lead_image.name
    article.save()  # an upload is stored now, through the field's storage, under a new name
    if image_changed:
        storage = article.lead_image.storage
        if article.lead_image:
            try:
                article.lead_image_renditions = renditions_create(
                    name=article.lead_image.name, storage=storage
                )
            except Exception:
                if article.lead_image.name != name_given:
                    files_delete(names=[article.lead_image.name], storage=storage)
                raise
            article.save(update_fields=["lead_image_renditions"])
        replaced = set(_stored_files(name=old_name, renditions=old_renditions)) - set(
            _stored_files(name=article.lead_image.name, renditions=article.lead_image_renditions)
        )
        if replaced:
            transaction.on_commit(partial(files_delete, names=sorted(replaced), storage=storage))
    article_redirect_record(previous=previous, article=article)
    return article


@transaction.atomic
def article_delete(*, articles: QuerySet[Article]) -> None:
    """Delete these stories, and their lead images' files once the deletion commits."""
    names = [
        name
        for row in articles.values("lead_image", "lead_image_renditions")
        for name in _stored_files(name=row["lead_image"], renditions=row["lead_image_renditions"])
    ]
    articles.delete()
    if names:
        storage = Article._meta.get_field("lead_image").storage
        transaction.on_commit(partial(files_delete, names=names, storage=storage))


@transaction.atomic
def article_publish_now(*, articles: QuerySet[Article]) -> int:
    """Publish the stories readers cannot see yet, now; return how many changed.

    A scheduled story (or a draft dated in the future) is published with
    the current time; a back-dated draft keeps its date. Stories readers
    already see are left alone, so no public address changes.
    """
    now = timezone.now()
    hidden = articles.exclude(status=Article.Status.PUBLISHED, published_at__lte=now)
    changed = hidden.update(
        status=Article.Status.PUBLISHED, published_at=Least("published_at", now)
    )
    if changed:
        stories_changed.send(sender=Article)  # update() sends no post_save
    return changed
