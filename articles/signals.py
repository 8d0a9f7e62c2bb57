"""Cache invalidation only (no rules live in signals): any change to a story,
its source or its tags makes every cached guest story page stale."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from articles.models import Article, Source, StorySettings, Tag
from articles.page_cache import bump_stories_version


@receiver(post_save, sender=Article, dispatch_uid="articles.article_saved")
@receiver(post_delete, sender=Article, dispatch_uid="articles.article_deleted")
@receiver(post_save, sender=Source, dispatch_uid="articles.source_saved")
@receiver(post_delete, sender=Source, dispatch_uid="articles.source_deleted")
@receiver(post_save, sender=Tag, dispatch_uid="articles.tag_saved")
@receiver(post_delete, sender=Tag, dispatch_uid="articles.tag_deleted")
@receiver(post_save, sender=StorySettings, dispatch_uid="articles.settings_saved")
@receiver(m2m_changed, sender=Article.tags.through, dispatch_uid="articles.tags_changed")
def _stories_changed(**kwargs):
    # After commit: the new version must not be seen before the change is,
    # and a cache in the database must not share the editor's transaction.
    transaction.on_commit(bump_stories_version)
