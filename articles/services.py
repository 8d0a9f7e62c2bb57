"""Writes to stories that are more than a model save."""

from functools import partial

from django.db import transaction
from django.db.models import QuerySet

from articles.images import files_delete, renditions_create
from articles.models import Article


def _stored_files(*, name: str, renditions: list[dict]) -> list[str]:
    return [name, *(row["name"] for row in renditions)] if name else []


@transaction.atomic
def article_save(*, article: Article) -> Article:
    """Save `article`, keeping its lead image's sizes in step with the image.

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
        previous = (
            Article.objects.select_for_update()
            .filter(pk=article.pk)
            .values("lead_image", "lead_image_renditions")
            .first()
        )
    old_name = previous["lead_image"] if previous else ""
    old_renditions = previous["lead_image_renditions"] if previous else []
    image_changed = (article.lead_image.name or "") != (old_name or "")

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
