"""Writes to stories that are more than a model's own save: keeping old
addresses working, and publishing at once.

Every write here changes what story pages show; the story page's versions
move with it through Django's `post_save` or `stories_changed`, sent inside
the write's transaction.
"""

from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Least
from django.utils import timezone

from articles.models import Article, ArticleRedirect
from articles.signals import stories_changed


def article_redirect_record(
    *, previous: Article | None, article: Article
) -> ArticleRedirect | None:
    """Keep `previous`'s address leading to `article` if readers could see it there.

    `previous` is the story as it was before a write (None for a new one),
    `article` as it is now. Nothing is recorded for a story readers could
    not see (a draft, a scheduled story) or whose address did not change.
    The story's current address is never a redirect: moving back to an old
    address removes that redirect.
    """
    current_path = article.get_absolute_url()
    ArticleRedirect.objects.filter(old_path=current_path).delete()
    if previous is None or not previous.is_published:
        return None
    old_path = previous.get_absolute_url()
    if old_path == current_path:
        return None
    redirect, _ = ArticleRedirect.objects.update_or_create(
        old_path=old_path, defaults={"article": article}
    )
    return redirect


@transaction.atomic
def article_save(*, article: Article) -> Article:
    """Save `article` (new or changed), keeping its old public address working.

    The stored row is locked and read first, so two editors saving at once
    each record the address the other replaced.
    """
    previous = None
    if article.pk is not None:
        previous = Article.objects.select_for_update().filter(pk=article.pk).first()
    article.save()
    article_redirect_record(previous=previous, article=article)
    return article


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
