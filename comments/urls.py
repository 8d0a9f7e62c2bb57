from django.urls import path

from comments import views

app_name = "comments"

urlpatterns = [
    path("story/<int:article_id>/post/", views.comment_post, name="post"),
    path("<int:pk>/", views.comment_detail, name="detail"),
    path("<int:pk>/go/", views.comment_go, name="go"),
    path("<int:pk>/reply/", views.comment_reply, name="reply"),
    path("<int:pk>/edit/", views.comment_edit, name="edit"),
    path("<int:pk>/history/", views.comment_history, name="history"),
    path("versions/<int:pk>/redact/", views.comment_version_redact, name="redact-version"),
    path("<int:pk>/delete/", views.comment_delete, name="delete"),
    path("<int:pk>/like/", views.comment_like, name="like"),
    path("<int:pk>/flag/", views.comment_flag, name="flag"),
    path("<int:pk>/ban/", views.comment_ban, name="ban"),
]
