"""Stored comment HTML rendered again from the text readers typed.

Comment HTML is rendered when a comment is written (comments.formatting),
so a change to the rendering rules reaches new and edited comments only.
This applies the current rules to what is stored: comments and the earlier
versions in their edit history.
"""

from django.db import transaction

from comments.formatting import render_comment
from comments.models import Comment, CommentVersion
from comments.services.locks import send_thread_changed


def comment_html_rerender(*, batch_size: int = 500, only_containing: str = "") -> int:
    """Render every stored comment text again; return how many rows changed.

    `only_containing` limits it to texts holding that string (any case),
    when a rule change can only matter to those. Each batch of changed rows
    is written in one transaction with their stories' page versions, so
    cached threads are rebuilt. A row is rewritten only if its text is still
    the text rendered: an edit made meanwhile keeps its own HTML. Running it
    again changes nothing.
    """
    changed = 0
    for model, story in ((Comment, "article_id"), (CommentVersion, "comment__article_id")):
        rows = model.objects.exclude(body="")
        if only_containing:
            rows = rows.filter(body__icontains=only_containing)
        last_pk = 0
        while True:
            batch = list(
                rows.filter(pk__gt=last_pk)
                .order_by("pk")
                .values_list("pk", "body", "body_html", story)[:batch_size]
            )
            if not batch:
                break
            last_pk = batch[-1][0]
            stale = [
                (pk, body, html, article_id)
                for pk, body, old_html, article_id in batch
                if (html := render_comment(body)) != old_html
            ]
            if not stale:
                continue
            with transaction.atomic():
                stories = set()
                for pk, body, html, article_id in stale:
                    if model.objects.filter(pk=pk, body=body).update(body_html=html):
                        changed += 1
                        stories.add(article_id)
                for article_id in sorted(stories):
                    send_thread_changed(article_id)
    return changed
