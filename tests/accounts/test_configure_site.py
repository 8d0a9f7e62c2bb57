import io

from django.contrib.sites.models import Site
from django.core.management import call_command

from tests.factories import ArticleFactory


def test_configure_site_puts_the_real_domain_in_the_sitemap(db, settings, client):
    settings.SITE_DOMAIN = "news.example.org"
    settings.SITE_NAME = "The Daily Example"
    article = ArticleFactory()

    call_command("configure_site", stdout=io.StringIO())
    call_command("configure_site", stdout=io.StringIO())  # idempotent

    assert list(Site.objects.values_list("domain", "name")) == [
        ("news.example.org", "The Daily Example")
    ]
    index = client.get("/sitemap.xml").content.decode()
    assert "<loc>http://news.example.org/sitemap-articles.xml</loc>" in index
    section = client.get("/sitemap-articles.xml").content.decode()
    assert f"news.example.org{article.get_absolute_url()}" in section
