"""Site pages that belong to no app."""

from django.conf import settings
from django.views.generic import TemplateView


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
