"""URLs of the reply notification emails (included under /comments/)."""

from django.urls import path

from comments import notification_views

app_name = "comments_extra"

urlpatterns = [
    path("unsubscribe/<str:token>/", notification_views.unsubscribe, name="unsubscribe"),
]
