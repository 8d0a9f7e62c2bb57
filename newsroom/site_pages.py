"""The site's own pages: About, Contact and the comment guidelines.

Editors write them in the admin (Flat pages, one per address below); until
a page exists there, or if it is deleted, readers get the default here, so a
link in the footer or beside the comment form never leads nowhere.
"""

from django.conf import settings
from django.contrib.flatpages.models import FlatPage
from django.shortcuts import render

# (address, title, default content)
PAGES = [
    (
        "/about/",
        "About us",
        "<p>We publish news stories with their sources and the conversation readers "
        "have under them. Every story names where it came from, links to the "
        "original and keeps its copyright line.</p>"
        "<p>Editors: write who you are and how you work here (Admin → Flat pages).</p>",
    ),
    (
        "/contact/",
        "Contact us",
        "<p>To reach the editors about a story, a correction, a comment or your "
        "personal data, write to the address your newsroom publishes here "
        "(Admin → Flat pages → /contact/).</p>"
        "<p>To report a comment, use the Report link under it: it goes straight to "
        "the moderators.</p>",
    ),
    (
        "/comment-guidelines/",
        "Comment guidelines",
        "<p>Comments are for discussing the story. Please:</p>"
        "<ul>"
        "<li>Be civil: argue with ideas, not people. No abuse, threats or harassment.</li>"
        "<li>Keep other people's private details private: no phone numbers, addresses "
        "or anything that identifies someone who has not made it public.</li>"
        "<li>No spam, advertising or repeated posts.</li>"
        "<li>Stay on topic, and check before you state something as fact.</li>"
        "</ul>"
        "<p>Moderators may hold, edit or remove comments that break these rules, and "
        "may stop repeat offenders from commenting. Use Report to tell them about a "
        "comment.</p>"
        "<p>Comments are plain text: start a line with &gt; to quote, and web "
        "addresses become links. HTML and Markdown are shown as typed.</p>",
    ),
]

_DEFAULTS = {url: (title, content) for url, title, content in PAGES}


def site_page(request, *, url: str):
    """The flat page at `url` for this site, or its default."""
    page = FlatPage.objects.filter(url=url, sites=settings.SITE_ID).first()
    if page is None:
        title, content = _DEFAULTS[url]
        page = FlatPage(url=url, title=title, content=content)
    return render(request, "flatpages/default.html", {"flatpage": page})
