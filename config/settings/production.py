"""Production: every secret comes from the environment; HTTPS everywhere.

``LUOTSI_SECRET_KEY`` and ``DATABASE_URL`` are required; ``manage.py check --deploy`` passes.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ.get("LUOTSI_SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("LUOTSI_SECRET_KEY must be set to a random string of 50+ characters")
if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured("DATABASE_URL must point at the production PostgreSQL database")
PSEUDONYM_KEY = os.environ.get("LUOTSI_PSEUDONYM_KEY") or SECRET_KEY

SECURE_SSL_REDIRECT = env_bool("LUOTSI_SSL_REDIRECT", True)  # noqa: F405
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
