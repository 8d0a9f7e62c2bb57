import re

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.views.generic import TemplateView

from articles import urls as articles_urls
from articles.sitemaps import sitemaps
from newsroom.health import healthz
from newsroom.site_pages import site_page
from newsroom.views import comment_privacy, media
from storypage import urls as storypage_urls

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Stories first: they are most of the traffic, and every pattern tried
    # before a match costs time (an include with an empty prefix, most).
    # No article address (/, archive/, search/, feeds/, tags/, sources/,
    # /yyyy/...) is one of the addresses below, so the order changes nothing else.
    # The story page lives in its own package but keeps its name, articles:detail.
    path("", include((articles_urls.urlpatterns + storypage_urls.urlpatterns, "articles"))),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("privacy/comments/", comment_privacy, name="privacy"),
    # The site's own pages, written by editors in the admin (Flat pages).
    path("about/", site_page, {"url": "/about/"}, name="about"),
    path("contact/", site_page, {"url": "/contact/"}, name="contact"),
    path("comment-guidelines/", site_page, {"url": "/comment-guidelines/"}, name="guidelines"),
    path("", include((storypage_urls.live_urlpatterns, "storypage"))),
    path("comments/", include("comments.urls_extra")),
    path("comments/", include("comments.urls")),
    # An index of sections of at most 50,000 addresses (articles.sitemaps).
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps, "template_name": "articles/sitemap.xml"},
        name="sitemap-section",
    ),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
]

if settings.MEDIA_URL.startswith("/"):
    # Uploaded media on this host: served here with debug on (`make run`),
    # by the web server in front of the app otherwise.
    urlpatterns.append(
        re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.+)$", media, name="media")
    )
