"""Site pages that belong to no app."""

from django.conf import settings
from django.http import Http404
from django.views.generic import TemplateView
from django.views.static import serve


class CommentPrivacyView(TemplateView):
    """"How your comment data is processed", linked under every comment form.

    The page states the settings in force (Akismet on or off, how long IP
    addresses are kept) so it cannot drift from what the site does.
    """

    template_name = "privacy.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["ip_retention_days"] = settings.NEWSROOM_COMMENT_IP_RETENTION_DAYS
        return context


comment_privacy = CommentPrivacyView.as_view()


def media(request, path):
    """An uploaded file from MEDIA_ROOT, with debug on only: `make run` serves
    lead images itself, while a deployment serves MEDIA_URL from its web
    server or object storage (see the README) and this answers 404."""
    if not settings.DEBUG:
        raise Http404("Media are served by the web server.")
    return serve(request, path, document_root=settings.MEDIA_ROOT)
