from django.conf import settings


def site(request):
    """Values every page's chrome needs, and the settings pages state to readers."""
    return {"SITE_NAME": settings.SITE_NAME, "AKISMET_ENABLED": bool(settings.AKISMET_API_KEY)}
