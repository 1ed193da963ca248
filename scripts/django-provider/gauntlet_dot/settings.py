"""A minimal Django site serving django-oauth-toolkit with its stock pages, for Gauntlet."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
STATE_DIR = Path(os.environ.get("GAUNTLET_DJANGO_STATE", BASE_DIR.parent / "state"))

SECRET_KEY = "gauntlet-test-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "oauth2_provider",
    "gauntlet_dot",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "gauntlet_dot.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ]
        },
    }
]

# Concurrent scenarios write at once: wait for SQLite's lock instead of failing with a 500.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": STATE_DIR / "db.sqlite3",
        "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"},
    }
}

# Server errors (with their traceback) go to the console, i.e. Gauntlet's provider.log.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}},
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
STATIC_URL = "static/"
LOGIN_URL = "/accounts/login/"
USE_TZ = True
TIME_ZONE = "UTC"  # the server log's timestamps, like the rest of Gauntlet's

OAUTH2_PROVIDER = {
    "SCOPES": {"read": "Read your data", "write": "Change your data"},
    "DEFAULT_SCOPES": ["read"],
    "PKCE_REQUIRED": True,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 5,
    "ROTATE_REFRESH_TOKEN": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    # Everything else is DOT's default, on purpose: the COMPLIANT_BCP_RFC9700_* gates (S256
    # only, iss in authorization responses, no access_token in the query…) and
    # REFRESH_TOKEN_REUSE_PROTECTION stay off, as in a deployment that did not opt in, so the
    # provider suite reports what DOT does out of the box. Introspection needs no setting: its view
    # (ClientProtectedScopedResourceView) lets in any client that authenticates with its
    # id and secret (HTTP Basic or the body), or a bearer token with the scope
    # "introspection" (not offered here).
}

# Test-only: a fast hasher for the user's password and DOT's hashed client secrets. Django's
# default (PBKDF2) spends a deliberate ~0.1-0.5 s of CPU on every login and every authenticated
# token request, which dominated a run's wall time; Django's testing docs advise this for tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
