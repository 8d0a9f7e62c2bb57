"""The one-click unsubscribe link in reply notification emails.

The signed token in the URL is the reader's authority, so no log-in is
needed: GET shows what the link will do and a button, POST does it. Mail
clients that offer RFC 8058 one-click unsubscribe POST to the same URL
without a CSRF token, which is why the view is CSRF-exempt; a forged
request would need the secret token, which only the recipient has.
"""

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from comments.notifications import comment_for_unsubscribe_token, reply_notifications_stop


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
