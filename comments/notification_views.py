"""Reply emails: the one-click unsubscribe link in them, and the reader's
list of the comments they get them for.

The signed token in an unsubscribe URL is the reader's authority, so no
log-in is needed: GET shows what the link will do and a button, POST does
it. Mail clients that offer RFC 8058 one-click unsubscribe POST to the same
URL without a CSRF token, which is why that view is CSRF-exempt; a forged
request would need the secret token, which only the recipient has.

The list is the signed-in reader's own: each of their comments that emails
them about replies, with a button (a CSRF-protected POST) to stop it.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comments import services
from comments.models import Comment
from comments.notifications import comment_for_unsubscribe_token, reply_notifications_stop
from comments.selectors.subscriptions import reply_email_subscriptions, subscription_rows

REPLY_EMAILS_PER_PAGE = 50


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    comment = comment_for_unsubscribe_token(token)
    if comment is None:
        return render(request, "comments/unsubscribe.html", {"invalid": True}, status=400)
    done = False
    if request.method == "POST":
        reply_notifications_stop(comment=comment)
        done = True
    response = render(
        request,
        "comments/unsubscribe.html",
        {"comment": comment, "token": token, "done": done},
    )
    # The token is a credential: keep it out of caches and of links' Referer.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _list_url(page: str | int | None = None) -> str:
    url = reverse("comments_extra:reply-emails")
    if page and str(page).isdigit() and int(page) > 1:
        url += "?" + urlencode({"page": int(page)})
    return url


@require_GET
def reply_emails(request):
    """The signed-in reader's comments that email them about replies."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    paginator = Paginator(reply_email_subscriptions(user=request.user), REPLY_EMAILS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    response = render(
        request,
        "comments/reply_emails.html",
        {"page_obj": page, "subscriptions": subscription_rows(page.object_list)},
    )
    response["Cache-Control"] = "private, no-cache"
    return response


@require_POST
def reply_emails_stop(request, pk: int):
    """Stop the reply emails for one of the reader's comments, then back to the list."""
    back = _list_url(request.POST.get("page"))
    if not request.user.is_authenticated:
        return redirect_to_login(back, settings.LOGIN_URL)
    comment = get_object_or_404(
        Comment.objects.select_related("article").only(
            "id", "author_id", "notify_replies", "article__title"
        ),
        pk=pk,
        author_id=request.user.pk,
    )
    services.reply_emails_stop(comment=comment, user=request.user)
    messages.success(
        request,
        f"You will get no more emails about replies to your comment on “{comment.article.title}”.",
    )
    return redirect(back)
