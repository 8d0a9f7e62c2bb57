"""The project's URLs plus the moderation pages, until newsroom/urls.py includes them."""

from django.urls import include, path

from newsroom import urls as project_urls
from newsroom.views import comment_privacy

urlpatterns = [
    path("privacy/comments/", comment_privacy, name="privacy"),
    path("comments/", include("comments.urls_extra")),
    *project_urls.urlpatterns,
]
