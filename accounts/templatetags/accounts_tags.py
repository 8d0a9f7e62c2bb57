import html
from urllib.parse import urlencode

from django import template
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator

register = template.Library()


@register.simple_tag(takes_context=True)
def login_url(context) -> str:
    """The log-in URL that brings the reader back to the page they were on.

    Account pages themselves (log in, sign up, password reset…) are no place
    to come back to, so from there the plain URL is used and allauth's own
    redirect applies. A page that is stored and served to others names its
    own address as `login_next`, so no query string of one request ends up
    in the page everyone gets.
    """
    url = reverse("account_login")
    request = context.get("request")
    if request is None:
        return url
    match = request.resolver_match
    view_module = getattr(match.func, "__module__", "") if match else ""
    if view_module.startswith("allauth."):
        return url
    next_url = context.get("login_next") or request.get_full_path()
    return f"{url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"


@register.filter
def plain_excerpt(stored_html: str, words: int = 40) -> str:
    """Plain text of sanitized HTML, cut to `words` words.

    The text comes back unescaped (``&amp;`` becomes ``&``) so that
    autoescaping, which still applies, shows it exactly once.
    """
    text = html.unescape(strip_tags(stored_html))
    return Truncator(" ".join(text.split())).words(words, truncate="…")
