"""The story page's address, in the `articles` namespace (`articles:detail`).

`newsroom.urls` adds these patterns to the articles app's, whose converters
(`yyyy`, `mm`, `dd`) they use.
"""

from django.urls import path

from storypage import views

urlpatterns = [
    path(
        "<yyyy:year>/<mm:month>/<dd:day>/<slug:slug>/",
        views.StoryPageView.as_view(),
        name="detail",
    ),
]
