"""Django settings for jingzhun.

Everything that differs between a laptop demo and a county deployment comes
from JINGZHUN_* environment variables (see config/env.py). Defaults are safe
for production: DEBUG off, secure cookies, and a secret key required unless
DEBUG is switched on explicitly.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=False)
if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-never-use-in-production")
else:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("JINGZHUN_SECRET_KEY must be at least 32 characters")
    if len(set(SECRET_KEY)) < 8:
        # "aaaa…" or "abab…" passes a length check and is guessed at once.
        raise ImproperlyConfigured("JINGZHUN_SECRET_KEY must be random (it repeats a few characters)")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "jingzhun.core",
    "jingzhun.areas",
    "jingzhun.accounts",
    "jingzhun.codelists",
    "jingzhun.registry",
    "jingzhun.assistance",
    "jingzhun.departments",
    "jingzhun.monitoring",
    "jingzhun.cases",
    "jingzhun.projects",
    "jingzhun.funds",
    "jingzhun.assets",
    "jingzhun.oversight",
    "jingzhun.worklist",
    "jingzhun.quality",
    "jingzhun.exports",
    "jingzhun.imports",
    "jingzhun.api",
    "jingzhun.dashboards",
    "jingzhun.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "jingzhun.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "jingzhun" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "jingzhun.accounts.context_processors.capabilities",
            ],
        },
    },
]

# Database: an embedded SQLite file by default so that a laptop needs no server;
# PostgreSQL (or any dj-database-url URL) for real deployments.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'jingzhun.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while an import or a batch job writes;
    # IMMEDIATE transactions avoid "database is locked" on lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 10, minimum=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "jingzhun.accounts.validators.CharacterClassValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Failed log-ins lock the account, from whatever address they come (a guesser who
# changes address gets no more tries), until the cool-off ends or an administrator
# sets a new password. An address is limited too, more loosely: a village office
# shares one address among its staff.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 30, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "jingzhun.accounts.views.locked_out"
AXES_ENABLED = env_bool("LOGIN_LOCKOUT", True)
# No start-up banner from every process (the web server, the worker, each command).
AXES_VERBOSE = False
# The proxy in front (docs/deployment.md) passes the client's address.
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# Two-factor log-in (TOTP): required for the roles of accounts.roles.SECOND_FACTOR_ROLES,
# offered to everyone else. A laptop demo may switch the requirement off.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", True)
OTP_TOTP_ISSUER = env_str("TOTP_ISSUER", "精准 jingzhun")
OTP_TOTP_THROTTLE_FACTOR = 1

# Sessions end after a period of inactivity and when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_MINUTES", 30, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# HTTPS: a deployment behind a TLS proxy keeps both on; a laptop demo (DEBUG) has neither.
SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [
    # Preloading binds the whole domain in browsers for good: the domain's owner decides
    # (JINGZHUN_HSTS_PRELOAD), not the application.
    "security.W021",
    # Failures lock the account whatever the address; addresses are limited separately
    # (accounts.views.SignInView, LOGIN_ADDRESS_FAILURE_LIMIT) with a looser limit, since
    # a village office shares one address among its staff.
    "axes.W006",
]
# The proxy terminates TLS and says so in this header (docs/deployment.md).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy for every page: scripts only from our own static files
# (nothing inline, no eval), no plugins, no framing, forms post only here. Inline
# style attributes stay allowed: progress bars set their widths with them, and a
# style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Keys encrypting phones and bank accounts in the database (core/crypto.py): "id:base64,…",
# the first encrypting; empty derives one from the secret key.
FIELD_ENCRYPTION_KEYS = env_str("FIELD_KEYS", "")
# The key of the blind indexes (keyed digests of ID numbers for exact search); see core.crypto.
FIELD_INDEX_KEY = env_str("INDEX_KEY", "")

# Audit entries are kept at least 180 days (等保 2.0 level 3); purging younger ones is refused.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 180, minimum=180)

# Uploads: size limits checked on the content before anything is read into memory.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 20, minimum=1) * 1024 * 1024
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_MEGAPIXELS", 50, minimum=1) * 1_000_000
# Spreadsheets: a county's household-and-member sheet has up to a few hundred thousand rows.
SHEET_MAX_ROWS = env_int("SHEET_MAX_ROWS", 500_000, minimum=100)
SHEET_MAX_COLUMNS = env_int("SHEET_MAX_COLUMNS", 200, minimum=10)
SHEET_MAX_UNPACKED_MB = env_int("SHEET_MAX_UNPACKED_MB", 512, minimum=1)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "jingzhun" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO" if DEBUG else "WARNING")},
}

# Province whose code-list overrides and thresholds apply by default (2-digit code).
DEFAULT_PROVINCE = env_str("DEFAULT_PROVINCE", "15")

# Background work (screening runs started from the web) goes through Django's task
# framework; the database backend needs no broker, and `jingzhun db_worker` runs it.
TASKS = {
    "default": {
        "BACKEND": env_str("TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "screening", "imports", "dashboards"],
    }
}

# DuckDB's memory limit for screening (e.g. "1GB"); empty lets DuckDB take 80 % of RAM.
SCREENING_DUCKDB_MEMORY_LIMIT = env_str("DUCKDB_MEMORY_LIMIT", "")
# Findings move from the engine to the warning writer in batches of this many rows.
SCREENING_BATCH_ROWS = env_int("SCREENING_BATCH_ROWS", 100_000)
# A figure refresh sums up the records of this many households at a time (DuckDB holds the
# per-household lists of a chunk in memory; JINGZHUN_DUCKDB_MEMORY_LIMIT bounds the rest).
FIGURES_CHUNK_HOUSEHOLDS = env_int("FIGURES_CHUNK_HOUSEHOLDS", 250_000, minimum=1)
# Queries a batch job's extraction from PostgreSQL runs at once, each on its own connection.
SNAPSHOT_EXTRACT_WORKERS = env_int("SNAPSHOT_EXTRACT_WORKERS", 4, minimum=1)
# Recount the dashboard figures of an area after each screening and import of it.
FIGURES_REFRESH_AFTER_CHANGES = True
