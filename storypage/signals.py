"""Page versions change with every write that changes what a story page shows.

Receivers only (no rules live here): each bumps a version in the writer's
transaction (`storypage.versions`), so a write that commits has made every
cached copy of the pages it changes stale, and one that rolls back has not.
"""

from allauth.socialaccount.models import SocialApp
from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from articles.models import Article, Source, StorySettings, Tag
from articles.signals import stories_changed
from comments.models import Comment
from comments.signals import thread_changed
from storypage import versions

User = get_user_model()


@receiver(thread_changed, dispatch_uid="storypage.thread_changed")
def _thread_changed(sender, article_id, **kwargs):
    versions.bump_threads([article_id])


@receiver(post_save, sender=Article, dispatch_uid="storypage.article_saved")
@receiver(post_delete, sender=Article, dispatch_uid="storypage.article_deleted")
@receiver(post_save, sender=Source, dispatch_uid="storypage.source_saved")
@receiver(post_delete, sender=Source, dispatch_uid="storypage.source_deleted")
@receiver(post_save, sender=Tag, dispatch_uid="storypage.tag_saved")
@receiver(post_delete, sender=Tag, dispatch_uid="storypage.tag_deleted")
@receiver(post_save, sender=StorySettings, dispatch_uid="storypage.settings_saved")
@receiver(m2m_changed, sender=Article.tags.through, dispatch_uid="storypage.tags_changed")
@receiver(stories_changed, dispatch_uid="storypage.stories_changed")
# Guests' comment areas list the social sign-in providers configured.
@receiver(post_save, sender=SocialApp, dispatch_uid="storypage.social_app_saved")
@receiver(post_delete, sender=SocialApp, dispatch_uid="storypage.social_app_deleted")
@receiver(m2m_changed, sender=SocialApp.sites.through, dispatch_uid="storypage.social_sites")
def _stories_changed(sender=None, instance=None, created=False, **kwargs):
    versions.bump_stories()
    if created and sender is Article:
        # Its thread's version exists from the start, so its first page can be stored.
        versions.bump_threads([instance.pk])


def _threads_of(user_id) -> list[int]:
    return list(
        Comment.objects.filter(author_id=user_id).values_list("article_id", flat=True).distinct()
    )


# Signing in saves only last_login, which no page shows.
_UNSHOWN_FIELDS = frozenset({"last_login"})


@receiver(post_save, sender=User, dispatch_uid="storypage.user_saved")
def _user_saved(sender, instance, created, update_fields=None, **kwargs):
    """Threads show their commenters' names (and know who may act): a changed
    user (renamed, deactivated, made staff) makes those threads stale."""
    if created or (update_fields and set(update_fields) <= _UNSHOWN_FIELDS):
        return
    versions.bump_threads(_threads_of(instance.pk))


@receiver(pre_delete, sender=User, dispatch_uid="storypage.user_deleted")
def _user_deleted(sender, instance, **kwargs):
    # Before the delete (in its transaction): afterwards the comments no
    # longer name their author.
    versions.bump_threads(_threads_of(instance.pk))
