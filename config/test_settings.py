"""Settings for the test suite: production settings with a test secret and fast hashing.

The database comes from JINGZHUN_DATABASE_URL like everywhere else; the
Makefile runs the suite once on SQLite and once on a PostgreSQL server it starts.
"""

import os
from pathlib import Path

os.environ.setdefault("JINGZHUN_DEBUG", "false")
os.environ.setdefault("JINGZHUN_SECRET_KEY", "test-secret-key-used-only-by-the-test-suite-0123456789")
os.environ.setdefault("JINGZHUN_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("JINGZHUN_SECURE_COOKIES", "false")
# The test client speaks plain HTTP; a deployment redirects to HTTPS (test_deploy checks it).
os.environ.setdefault("JINGZHUN_SSL_REDIRECT", "false")

from config.settings import *  # noqa: F403
from config.settings import PASSWORD_HASHERS as PRODUCTION_PASSWORD_HASHERS

# Argon2 is deliberately slow; the suite logs in hundreds of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PRODUCTION_PASSWORD_HASHERS]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tasks run in the request that enqueues them, so tests need no worker process.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "screening", "imports", "dashboards"],
    }
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, as in production: an in-memory database shared between threads uses
    # table locks that fail at once instead of waiting, unlike the WAL file users run.
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405
    # Named after the configured file, so that two runs with different files (the suite
    # and `make fuzz`) never share one.
    configured = Path(DATABASES["default"]["NAME"])  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{configured.stem}.sqlite3")}  # noqa: F405

# Refreshing figures after every screening and import would slow the suite; the dashboard tests switch it on.
FIGURES_REFRESH_AFTER_CHANGES = False
