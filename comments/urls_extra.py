"""URLs of reply emails: the unsubscribe link in them and the reader's list
of them (included under /comments/)."""

from django.urls import path

from comments import notification_views

app_name = "comments_extra"

urlpatterns = [
    path("unsubscribe/<str:token>/", notification_views.unsubscribe, name="unsubscribe"),
    path("reply-emails/", notification_views.reply_emails, name="reply-emails"),
    path(
        "reply-emails/<int:pk>/stop/",
        notification_views.reply_emails_stop,
        name="reply-emails-stop",
    ),
]
