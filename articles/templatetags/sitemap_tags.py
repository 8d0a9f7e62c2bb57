"""The sitemap's `<url>` entries, written in one pass.

Django's own sitemap template loops over the addresses in the template
language, which costs seconds for a section of 50,000 stories; this tag
writes the same elements from the same list (`Sitemap.get_urls`), so the
sitemap views, their pagination and their Last-Modified header stay
Django's own.
"""

from datetime import datetime
from html import escape  # what Django's `escape` does, without making a SafeString each time

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.timezone import get_current_timezone, is_aware

register = template.Library()


@register.simple_tag
def sitemap_urls(urlset) -> str:
    parts = []
    # A day in the site's time zone, as Django's `date` filter gives it (the
    # zone read once, not once per address).
    tz = get_current_timezone() if settings.USE_TZ else None
    for url in urlset:
        parts.append(f"<url><loc>{escape(url['location'])}</loc>")
        lastmod = url.get("lastmod")
        if lastmod:
            if tz is not None and isinstance(lastmod, datetime) and is_aware(lastmod):
                lastmod = lastmod.astimezone(tz)
            parts.append(f"<lastmod>{lastmod:%Y-%m-%d}</lastmod>")
        if url.get("changefreq"):
            parts.append(f"<changefreq>{escape(url['changefreq'])}</changefreq>")
        if url.get("priority"):
            parts.append(f"<priority>{escape(url['priority'])}</priority>")
        for alternate in url.get("alternates") or ():
            parts.append(
                f'<xhtml:link rel="alternate" hreflang="{escape(alternate["lang_code"])}"'
                f' href="{escape(alternate["location"])}"/>'
            )
        parts.append("</url>")
    return mark_safe("".join(parts))
