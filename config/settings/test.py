"""Settings for the test suite: fast hashing, tasks run immediately, nothing leaves the machine."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ANALYTICS_PATH = VAR_DIR / "test" / f"analytics-{os.getpid()}.duckdb"
PSEUDONYM_KEY = "test-pseudonym-key"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
