from django.urls import path

from articles import views

app_name = "articles"

urlpatterns = [
    path("", views.ArticleIndexView.as_view(), name="index"),
    path(
        "<int:year>/<int:month>/<int:day>/<slug:slug>/",
        views.ArticleDetailView.as_view(),
        name="detail",
    ),
    path("tags/<slug:slug>/", views.ArticleIndexView.as_view(), name="tag"),
    path("sources/<slug:slug>/", views.ArticleIndexView.as_view(), name="source"),
]
