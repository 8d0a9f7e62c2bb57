"""Template helpers for story pages: attribution, search highlights, page links."""

import html
import re

from django import template
from django.http import QueryDict
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.selectors import HIGHLIGHT_START, HIGHLIGHT_STOP
from newsroom.sanitize import clean_article_html

register = template.Library()

# Sources type their notice as "(c) BBC"; readers should see the real sign.
_LEADING_COPYRIGHT = re.compile(r"^\s*\(c\)\s*", re.IGNORECASE)


@register.filter
def editors_html(markup):
    """HTML an editor wrote in the admin (a flat page), kept to the stories' allow-list."""
    return mark_safe(clean_article_html(markup or ""))


@register.filter
def copyright_symbol(notice):
    """Replace a leading "(c)" or "(C)" with "©": "(c) BBC" becomes "© BBC"."""
    if not notice:
        return ""
    return _LEADING_COPYRIGHT.sub("© ", str(notice), count=1)


@register.filter
def highlighted(text):
    """Turn a search headline into safe HTML with matches wrapped in <mark>.

    The database marks matches with sentinel strings rather than tags, so the
    whole headline can be escaped first and only our own markers become HTML.
    Entities left over from stored HTML are decoded before escaping, so they
    are not escaped twice, and the gaps left by stripped tags are closed up.
    """
    if not text:
        return ""
    safe = escape(" ".join(html.unescape(str(text)).split()))
    return mark_safe(safe.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>"))


@register.simple_tag(takes_context=True)
def page_url(context, number, param=""):
    """A link to page `number` of the current list that keeps every other query
    parameter; `param` names the page's parameter when a page has two lists."""
    request = context.get("request")
    params = request.GET.copy() if request is not None else QueryDict(mutable=True)
    params[param or "page"] = number
    return "?" + params.urlencode()
