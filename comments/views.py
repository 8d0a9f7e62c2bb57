"""The reader's actions on comments, each a plain form POST that works without JavaScript.

Views parse the request, call a selector or a service, and render or
redirect. Every rule (who may edit, the edit window, closed stories, rate
limits) lives in `comments.services`: a refused write (`CommentError`) comes
back as the form with its message; an edit or delete the reader may not make
is a 403 page in the site's layout saying why, with their text kept.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from articles.models import Article, may_preview
from comments import services
from comments.drafts import login_url, pop_draft, save_draft
from comments.exceptions import CommentError
from comments.forms import BanForm, CommentEditForm, CommentForm, FlagForm
from comments.models import Comment, CommentVersion, Flag
from comments.readers import thread_html_for
from comments.selectors import (
    DEFAULT_SORT,
    clean_sort,
    comment_page_number,
    comment_subtree,
    continued_under,
    like_label,
)
from comments.selectors.bans import ban_of
from comments.selectors.featured import featured_comments
from comments.services.locks import HELD_PARENT_MESSAGE
from comments.visibility import is_moderator, may_read_comment


def _comment_or_404(request, pk: int) -> Comment:
    """The comment, if its story is one this reader may see."""
    comment = get_object_or_404(
        Comment.objects.select_related("article", "author"), pk=pk
    )
    if not comment.article.is_published and not may_preview(request.user):
        raise Http404("No such comment.")
    return comment


def permalink(comment: Comment, *, sort: str = DEFAULT_SORT, user=None) -> str:
    """The page that shows `comment`, anchored to it: the story on the page of
    threads with it, or, deeper than the story shows, the "Continue this
    thread" page it is on."""
    continued = continued_under(comment)
    if continued is not None:
        return f"{reverse('comments:detail', kwargs={'pk': continued.pk})}#comment-{comment.pk}"
    sort = clean_sort(sort)
    page = comment_page_number(comment=comment, sort=sort, user=user)
    query = urlencode({"cpage": page, "sort": sort})
    return f"{comment.article.get_absolute_url()}?{query}#comment-{comment.pk}"


def _story_anchor(comment: Comment) -> str:
    return f"{comment.article.get_absolute_url()}#comment-{comment.pk}"


def login_required_for_comment(view):
    """Like login_required, but comes back to the comment on the story page.

    The action URLs themselves accept POST only, so sending a reader back
    to them after log-in would fail; the story is where they were.
    """

    @wraps(view)
    def wrapped(request, pk, *args, **kwargs):
        if not request.user.is_authenticated:
            comment = _comment_or_404(request, pk)
            return redirect(login_url(_story_anchor(comment)))
        return view(request, pk, *args, **kwargs)

    return wrapped


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(request, comment: Comment) -> str:
    """Where a no-JS action returns: the page the reader was on, else the permalink."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return f"{referer.split('#', 1)[0]}#comment-{comment.pk}"
    return permalink(comment, user=request.user)


def _client_ip(request) -> str | None:
    """The reader's address, for the spam checks and Akismet.

    Behind NEWSROOM_PROXY_COUNT reverse proxies REMOTE_ADDR is the nearest
    proxy; each proxy appends the address it saw to X-Forwarded-For, so the
    reader's is that many entries from the right (entries further left are
    whatever the client sent, and are not trusted).
    """
    proxies = settings.NEWSROOM_PROXY_COUNT
    if proxies > 0:
        header = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = [part.strip() for part in header.split(",")]
        if len(forwarded) >= proxies and forwarded[-proxies]:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


UNPUBLISHED_REASON = "This story is no longer published, so your comment was not posted."


def _not_posted(request, *, reason: str, status: int = 404):
    """A comment that cannot be posted anywhere any more (its story was
    unpublished meanwhile, or the comment it answered is gone): what
    happened, with the reader's text kept to copy."""
    return render(
        request,
        "comments/comment_not_posted.html",
        {"reason": reason, "kept_text": request.POST.get("body", "")},
        status=status,
    )


@require_POST
def comment_post(request, article_id: int):
    """Post a comment or a reply; a guest's text is kept for after log-in.

    A story readers cannot see (unpublished since the form was shown, or
    never published: a preview takes no comments) refuses the comment in a
    page that says so and keeps the text, never a bare 404.
    """
    article = Article.objects.published().filter(pk=article_id).first()
    if article is None:
        return _not_posted(request, reason=UNPUBLISHED_REASON)
    story_url = article.get_absolute_url()
    form = CommentForm(request.POST)
    parent_id = request.POST.get("parent") or None
    parent = None
    if parent_id:
        try:
            parent = Comment.objects.select_related("author").get(
                pk=int(parent_id), article=article
            )
        except (ValueError, Comment.DoesNotExist):
            return _not_posted(
                request, reason="The comment you replied to no longer exists, so your reply "
                "was not posted."
            )

    if not request.user.is_authenticated:
        save_draft(
            request,
            article_id=article.pk,
            body=request.POST.get("body", ""),
            parent_id=parent.pk if parent else None,
        )
        messages.info(request, "Log in to post your comment; we have kept what you wrote.")
        if parent:
            return redirect(login_url(reverse("comments:reply", kwargs={"pk": parent.pk})))
        return redirect(login_url(f"{story_url}#comment-form"))

    banned = False
    if form.is_valid():
        try:
            comment = services.comment_create(
                article=article,
                author=request.user,
                body=form.cleaned_data["body"],
                parent=parent,
                ip_address=_client_ip(request),
                user_agent=request.headers.get("User-Agent", "")[:400],
                referrer=request.headers.get("Referer", "")[:500],
                honeypot=form.cleaned_data["website"],
                notify_replies=form.cleaned_data["notify_replies"],
            )
        except CommentError as error:
            if error.code == "unpublished":  # unpublished while this request ran
                return _not_posted(request, reason=UNPUBLISHED_REASON)
            banned = error.code == "banned"
            form.add_error(None, error.message)
        else:
            pop_draft(request, article_id=article.pk)
            if comment.status in Comment.HELD_STATUSES:
                messages.info(
                    request,
                    "Thanks — your comment is awaiting moderation. Only you can see it.",
                    extra_tags="posted",
                )
            else:
                messages.success(
                    request,
                    "Your reply is posted." if parent else "Your comment is posted.",
                    extra_tags="posted",
                )
            comment.article = article
            sort = form.cleaned_data.get("sort") or DEFAULT_SORT
            return redirect(permalink(comment, sort=sort, user=request.user))
    return render(
        request,
        "comments/comment_form.html",
        {"article": article, "parent": parent, "form": form, "banned": banned},
        status=400,
    )


@require_GET
@login_required_for_comment
def comment_reply(request, pk: int):
    """The reply form on a page of its own, for readers without JavaScript."""
    parent = _comment_or_404(request, pk)
    article = parent.article
    if not may_read_comment(parent, request.user):
        raise Http404("This comment cannot be replied to.")
    if not article.comments_are_open:
        return _refused(
            request, parent, heading="Replies are closed", reason=article.comments_closed_message
        )
    if parent.status in Comment.HELD_STATUSES:
        return _refused(
            request, parent, heading="This comment cannot be replied to yet",
            reason=HELD_PARENT_MESSAGE,
        )
    draft = request.session.get("comments:draft") or {}
    body = draft.get("body", "") if draft.get("parent_id") == parent.pk else ""
    form = CommentForm(initial={"parent": parent.pk, "body": body})
    return render(
        request,
        "comments/comment_form.html",
        {"article": article, "parent": parent, "form": form},
    )


@require_http_methods(["GET", "POST"])
@login_required_for_comment
def comment_edit(request, pk: int):
    comment = _comment_or_404(request, pk)
    refusal = services.edit_refusal(comment=comment, user=request.user)
    if refusal:
        return _refused(
            request,
            comment,
            heading="Your changes were not saved" if request.method == "POST" else
            "This comment cannot be edited",
            reason=refusal,
            kept_text=request.POST.get("body", "") if request.method == "POST" else "",
        )
    banned = False
    if request.method == "POST":
        form = CommentEditForm(request.POST)
        if form.is_valid():
            try:
                comment = services.comment_edit(
                    comment=comment,
                    editor=request.user,
                    body=form.cleaned_data["body"],
                    ip_address=_client_ip(request),
                    user_agent=request.headers.get("User-Agent", "")[:400],
                    referrer=request.headers.get("Referer", "")[:500],
                )
            except CommentError as error:
                banned = error.code == "banned"
                form.add_error(None, error.message)
            else:
                if comment.status in Comment.HELD_STATUSES:
                    messages.success(
                        request,
                        "Your changes are saved. A moderator will review them before "
                        "readers see this comment again.",
                    )
                else:
                    messages.success(request, "Your changes are saved.")
                return redirect(permalink(comment, user=request.user))
        context = {**_edit_context(request, comment, form), "banned": banned}
        return render(request, "comments/comment_edit.html", context, status=400)
    form = CommentEditForm(initial={"body": comment.body})
    return render(request, "comments/comment_edit.html", _edit_context(request, comment, form))


def _edit_context(request, comment: Comment, form) -> dict:
    """The edit form's page; its author is told until when they may edit."""
    own = comment.author_id == request.user.pk and not is_moderator(request.user)
    return {
        "comment": comment,
        "form": form,
        "edit_deadline": services.edit_deadline(comment) if own else None,
    }


def _refused(request, comment: Comment, *, heading: str, reason: str, kept_text: str = ""):
    """A refused edit or delete, in the site's layout: what happened, the
    reader's text kept (with a way to post it as a reply when they still
    may), and the way back to the comment."""
    article = comment.article
    may_reply = bool(
        kept_text.strip()
        and request.user.is_authenticated
        and article.comments_are_open
        and comment.status == Comment.Status.PUBLISHED
        and not comment.is_deleted
    )
    return render(
        request,
        "comments/comment_refused.html",
        {
            "comment": comment,
            "article": article,
            "heading": heading,
            "reason": reason,
            "kept_text": kept_text,
            "may_reply": may_reply,
            "back_url": permalink(comment, user=request.user),
        },
        status=403,
    )


@require_http_methods(["GET", "POST"])
@login_required_for_comment
def comment_delete(request, pk: int):
    comment = _comment_or_404(request, pk)
    refusal = services.delete_refusal(comment=comment, user=request.user)
    if refusal:
        return _refused(
            request, comment, heading="This comment cannot be deleted", reason=refusal
        )
    if request.method == "POST":
        back = _where_it_was(request, comment)
        try:
            services.comment_delete(comment=comment, actor=request.user)
        except CommentError as error:
            return render(
                request,
                "comments/comment_delete.html",
                {"comment": comment, "error": error.message},
                status=400,
            )
        messages.success(request, "The comment was deleted.")
        return redirect(back)
    return render(request, "comments/comment_delete.html", {"comment": comment})


def _where_it_was(request, comment: Comment) -> str:
    """Where the reader returns after deleting `comment` (worked out before):
    the comment itself while it keeps its place (it has replies, or a
    moderator still sees it), else its parent, else its page of threads."""
    user = request.user
    removed_by_moderator = comment.author_id != user.pk  # moderators still see what they remove
    if comment.rght - comment.lft > 1 or removed_by_moderator:
        return permalink(comment, user=user)
    if comment.parent_id is not None:
        parent = Comment.objects.select_related("article").get(pk=comment.parent_id)
        return permalink(parent, user=user)
    page = comment_page_number(comment=comment, user=user)
    return f"{comment.article.get_absolute_url()}?{urlencode({'cpage': page})}#comments"


@require_POST
def comment_like(request, pk: int):
    """Like or unlike: a redirect back for forms, JSON for the script."""
    comment = _comment_or_404(request, pk)
    if not request.user.is_authenticated:
        target = login_url(_story_anchor(comment))
        if _wants_json(request):
            return JsonResponse({"login_url": target}, status=401)
        return redirect(target)
    try:
        liked, count = services.like_toggle(comment=comment, user=request.user)
    except CommentError as error:
        if _wants_json(request):
            return JsonResponse({"error": error.message}, status=400)
        messages.error(request, error.message)
        return redirect(_back(request, comment))
    if _wants_json(request):
        return JsonResponse({"liked": liked, "like_count": count, "label": like_label(count)})
    return redirect(_back(request, comment))


@require_http_methods(["GET", "POST"])
@login_required_for_comment
def comment_flag(request, pk: int):
    comment = _comment_or_404(request, pk)
    if not may_read_comment(comment, request.user):
        raise Http404("No such comment.")
    reported = Flag.objects.filter(user=request.user, comment=comment).first()
    own = comment.author_id == request.user.pk
    if reported or own:
        return render(
            request,
            "comments/comment_flag.html",
            {
                "comment": comment,
                "reported": reported,
                "own": own,
                "back_url": permalink(comment, user=request.user),
            },
            status=200 if request.method == "GET" else 400,
        )
    form = FlagForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.comment_flag(
                    comment=comment,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
            except CommentError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request, "Thank you for your report. A moderator will review this comment."
                )
                return redirect(_story_anchor(comment))
    return render(
        request, "comments/comment_flag.html", {"comment": comment, "form": form}, status=status
    )


@require_GET
def comment_detail(request, pk: int):
    """A comment with its replies and its parent chain: the "Continue this thread" page."""
    comment = _comment_or_404(request, pk)
    subtree = comment_subtree(comment=comment, user=request.user)
    if not subtree.nodes:
        raise Http404("No such comment.")
    return render(
        request,
        "comments/comment_detail.html",
        {
            "comment": comment,
            "article": comment.article,
            "ancestors": subtree.ancestors,
            "thread_html": thread_html_for(
                request=request,
                nodes=subtree.nodes,
                liked=subtree.liked_ids,
                can_reply=comment.article.comments_are_open,
            ),
            "story_permalink": reverse("comments:go", kwargs={"pk": comment.pk}),
        },
    )


@require_GET
def comment_go(request, pk: int):
    """Redirect to the comment on the right page of the story's thread."""
    comment = _comment_or_404(request, pk)
    return redirect(permalink(comment, sort=request.GET.get("sort"), user=request.user))


@require_GET
def comment_history(request, pk: int):
    """Earlier texts of an edited comment, newest first. Versions a moderator
    redacted show only that they were hidden, except to moderators."""
    comment = _comment_or_404(request, pk)
    if not may_read_comment(comment, request.user):
        raise Http404("No such comment.")
    versions = list(comment.versions.order_by("created_at"))
    return render(
        request,
        "comments/comment_history.html",
        {
            "comment": comment,
            "article": comment.article,
            "versions": versions,
            "moderator": is_moderator(request.user),
        },
    )


@require_GET
def story_featured(request, article_id: int):
    """A story's editors' picks, each with the comment it answers and a link
    to where it lives in the conversation."""
    stories = Article.objects.all() if may_preview(request.user) else Article.objects.live()
    article = get_object_or_404(stories.only("id", "title", "slug", "published_at"), pk=article_id)
    page = featured_comments(article=article, page=request.GET.get("page"))
    return render(request, "comments/featured.html", {"article": article, "page_obj": page})


@require_POST
def comment_feature(request, pk: int):
    """A moderator features or unfeatures a comment, from its place in the thread."""
    comment = _comment_or_404(request, pk)
    if not is_moderator(request.user):
        raise PermissionDenied("Only moderators can feature comments.")
    featured = request.POST.get("featured") == "1"
    try:
        if services.comment_feature(comment=comment, moderator=request.user, featured=featured):
            done = "is now featured" if featured else "is no longer featured"
            messages.success(request, f"The comment {done}.")
    except CommentError as error:
        messages.error(request, error.message)
    return redirect(_back(request, comment))


@require_POST
def comment_version_redact(request, pk: int):
    """A moderator hides one earlier version from readers."""
    version = get_object_or_404(CommentVersion.objects.select_related("comment"), pk=pk)
    if not is_moderator(request.user):
        raise PermissionDenied("Only moderators can hide a version.")
    if services.comment_version_redact(version=version, moderator=request.user):
        messages.success(request, "That version is now hidden from readers.")
    return redirect("comments:history", pk=version.comment_id)


@require_http_methods(["GET", "POST"])
@login_required_for_comment
def comment_ban(request, pk: int):
    """A moderator bans a comment's author, from the comment: the reason the
    reader is shown, when it ends, and a note for moderators (`user_ban`).
    Banning someone already banned replaces their ban."""
    comment = _comment_or_404(request, pk)
    if not is_moderator(request.user):
        raise PermissionDenied("Only moderators can ban readers.")
    author = comment.author
    if author is None:
        raise Http404("This comment was imported and belongs to no account.")
    ban = ban_of(author.pk)
    context = {
        "comment": comment,
        "author": author,
        "ban": ban,
        "staff": author.is_staff,
        "back_url": permalink(comment, user=request.user),
    }
    if author.is_staff:
        return render(request, "comments/comment_ban.html", context, status=403)
    if request.method == "POST":
        form = BanForm(request.POST)
        if form.is_valid():
            try:
                services.user_ban(
                    user=author,
                    moderator=request.user,
                    reason=form.cleaned_data["reason"],
                    until=form.until_moment(),
                    note=form.cleaned_data["note"],
                )
            except CommentError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"{author.get_username()} may no longer comment.")
                return redirect(context["back_url"])
        return render(
            request, "comments/comment_ban.html", {**context, "form": form}, status=400
        )
    if ban is not None:
        initial = {
            "reason": ban.reason,
            "note": ban.note,
            "until": timezone.localdate(ban.until) if ban.until else None,
        }
    else:
        initial = {"note": f"Over comment {comment.pk} on “{comment.article.title}”."[:300]}
    return render(
        request, "comments/comment_ban.html", {**context, "form": BanForm(initial=initial)}
    )
