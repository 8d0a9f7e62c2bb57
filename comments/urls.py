from django.urls import path

from comments import feeds, views

app_name = "comments"

urlpatterns = [
    path("story/<int:article_id>/post/", views.comment_post, name="post"),
    path("story/<int:article_id>/feed/rss/", feeds.StoryCommentsFeed(), name="story-feed-rss"),
    path(
        "story/<int:article_id>/feed/atom/", feeds.StoryCommentsAtomFeed(), name="story-feed-atom"
    ),
    path("story/<int:article_id>/featured/", views.story_featured, name="featured"),
    path("feed/rss/", feeds.LatestCommentsFeed(), name="feed-rss"),
    path("feed/atom/", feeds.LatestCommentsAtomFeed(), name="feed-atom"),
    path("<int:pk>/", views.comment_detail, name="detail"),
    path("<int:pk>/go/", views.comment_go, name="go"),
    path("<int:pk>/reply/", views.comment_reply, name="reply"),
    path("<int:pk>/edit/", views.comment_edit, name="edit"),
    path("<int:pk>/history/", views.comment_history, name="history"),
    path("versions/<int:pk>/redact/", views.comment_version_redact, name="redact-version"),
    path("<int:pk>/delete/", views.comment_delete, name="delete"),
    path("<int:pk>/like/", views.comment_like, name="like"),
    path("<int:pk>/flag/", views.comment_flag, name="flag"),
    path("<int:pk>/feature/", views.comment_feature, name="feature"),
    path("<int:pk>/ban/", views.comment_ban, name="ban"),
]
