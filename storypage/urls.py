"""The story page's address, in the `articles` namespace (`articles:detail`),
and those of the story lists that show each story's conversation
(`storypage.listings`: front page, search, tag, source and date archives).

`newsroom.urls` adds these patterns to the articles app's, whose converters
(`yyyy`, `mm`, `dd`) they use.
"""

from django.urls import path

from storypage import listings, live, views

urlpatterns = [
    # The story page first: it is most of the traffic.
    path(
        "<yyyy:year>/<mm:month>/<dd:day>/<slug:slug>/",
        views.StoryPageView.as_view(),
        name="detail",
    ),
    path("", listings.IndexView.as_view(), name="index"),
    path("search/", listings.SearchView.as_view(), name="search"),
    path("tags/<slug:slug>/", listings.TagView.as_view(), name="tag"),
    path("sources/<slug:slug>/", listings.SourceView.as_view(), name="source"),
    path("<yyyy:year>/", listings.YearArchiveView.as_view(), name="archive-year"),
    path("<yyyy:year>/<mm:month>/", listings.MonthArchiveView.as_view(), name="archive-month"),
    path(
        "<yyyy:year>/<mm:month>/<dd:day>/",
        listings.DayArchiveView.as_view(),
        name="archive-day",
    ),
]

# In the `storypage` namespace: what the story page's live notice polls.
live_urlpatterns = [
    path("comments/story/<int:article_id>/status/", live.thread_status, name="status"),
]
