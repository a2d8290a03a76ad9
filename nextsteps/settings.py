"""Settings come from environment variables, with defaults that suit one person on a laptop.

NEXTSTEPS_DATA_DIR  folder for the default SQLite database (default: ./data)
DATABASE_URL        sqlite:///path or postgres://user:pass@host/db (default: SQLite in the data folder)
SECRET_KEY          required when DEBUG is off
DEBUG               "1" for development
ALLOWED_HOSTS       comma-separated
NEXTSTEPS_KEYS      encryption keys, comma-separated, the first one current (see docs/security.md)
NEXTSTEPS_KEY_FILE  or a file with one key a line (default: the data folder's `keys`, if it exists)
NEXTSTEPS_SEARCH_KEY  the key of the name-search hashes (or a "search:" line in the key file)
NEXTSTEPS_TRUSTED_PROXIES  reverse proxies whose X-Forwarded-For gives the client address (see below)
NEXTSTEPS_OWN_ENTRY_DAYS  days during which whoever entered a record may remove it themselves (default 14)
NEXTSTEPS_REPORT_THREADS  connections a report's figures are computed on at once (default: 2 on SQLite, 1 on PostgreSQL)
"""

import ipaddress
import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("NEXTSTEPS_DATA_DIR", Path.cwd() / "data")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG")
# Public (it is in this file): fine for a laptop demo, tests and commands, never for serving. `check --deploy`
# errors on it and wsgi.py refuses to serve with it unless DEBUG=1 (nextsteps/privacy/checks.py).
DEV_SECRET_KEY = "insecure-development-key-set-SECRET_KEY-on-servers"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_bool("NEXTSTEPS_INSECURE_DEV_KEY", default=True):
        raise ImproperlyConfigured("Set SECRET_KEY in the environment.")
    SECRET_KEY = DEV_SECRET_KEY

# Read here, used lazily by nextsteps/privacy/crypto.py on first encryption; never stored in the database.
NEXTSTEPS_KEYS = os.environ.get("NEXTSTEPS_KEYS", "")
NEXTSTEPS_KEY_FILE = os.environ.get("NEXTSTEPS_KEY_FILE", "")
NEXTSTEPS_SEARCH_KEY = os.environ.get("NEXTSTEPS_SEARCH_KEY", "")

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # For its bundled Swagger UI files only: with ninja installed as an app its docs page loads them from
    # our static files instead of a CDN.
    "ninja",
    "django_countries",
    "nextsteps.accounts",
    "nextsteps.audit",
    "nextsteps.programmes",
    "nextsteps.records",
    "nextsteps.indicators",
    "nextsteps.reports",
    "nextsteps.exports",
    "nextsteps.demo",
    "nextsteps.privacy",
    "nextsteps.scale",
    "nextsteps.api",
    "nextsteps.imports",
    "nextsteps.operations",
    "nextsteps.search",
    "nextsteps.attachments",
    "nextsteps.casework",
    "nextsteps.identification",
    "nextsteps.referrals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "nextsteps.accounts.middleware.SessionRenewalMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "nextsteps.accounts.middleware.OTPMiddleware",
    "nextsteps.accounts.middleware.UserLanguageMiddleware",
    "nextsteps.accounts.middleware.TwoFactorMiddleware",
    "nextsteps.accounts.middleware.PasswordChangeMiddleware",
    "nextsteps.accounts.middleware.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "nextsteps.busy.BusyMiddleware",
]

ROOT_URLCONF = "nextsteps.urls"
WSGI_APPLICATION = "nextsteps.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "nextsteps.accounts.context_processors.navigation",
            ],
        },
    },
]
# Django's widget templates, with the plain widgets written in Python: the same HTML at a fraction of the CPU.
FORM_RENDERER = "nextsteps.rendering.FormRenderer"

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    DATABASE_URL = f"sqlite:///{DATA_DIR / 'nextsteps.sqlite3'}"
# psycopg is the only database driver installed besides SQLite's.
DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql"}


def database_from_url(url: str) -> dict[str, Any]:
    """The database settings of DATABASE_URL, or one line saying what is wrong (never the URL itself: it
    may hold a password)."""
    scheme = url.partition("://")[0] if "://" in url else ""
    if scheme not in DATABASE_SCHEMES:
        raise ImproperlyConfigured(
            "DATABASE_URL must look like sqlite:///path/to/file.sqlite3 or "
            "postgres://user:password@host:5432/name"
            + (f"; “{scheme}” is not a supported kind of database." if scheme else ".")
        )
    try:
        return dict(dj_database_url.parse(url, conn_max_age=60))
    except ValueError as error:  # e.g. a port that is not a number
        raise ImproperlyConfigured(f"DATABASE_URL cannot be read: {str(error).rstrip('.')}.") from None


DATABASES = {"default": database_from_url(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Read the database file through memory mapping: reports scan large indexes, and mapped pages cost no
    # system call each (about a quarter of a report's time at a million persons; see docs/performance.md).
    # The file itself uses a write-ahead log: set once by migration audit/0003_sqlite_write_ahead_log, not
    # on connecting, because a command that refuses to start must not write the file.
    #
    # Concurrency: every transaction takes the write lock when it begins (IMMEDIATE) and waits up to
    # NEXTSTEPS_SQLITE_TIMEOUT seconds for it. With SQLite's default (DEFERRED) a transaction that read first
    # and then writes fails at once with "database is locked" when another writer got in between, whatever
    # the timeout: concurrent saves answered 500.
    #
    # secure_delete: deleted rows (an erased person's) are overwritten with zeros in the file instead of
    # lingering in free pages. journal_size_limit: the write-ahead log is truncated back to 64 MB after a
    # checkpoint, so one large export or import cannot leave gigabytes (of old row bytes) behind.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["init_command"] = (
        "PRAGMA mmap_size = 2147418112; PRAGMA secure_delete = ON; PRAGMA journal_size_limit = 67108864"
    )
    options["transaction_mode"] = "IMMEDIATE"
    options["timeout"] = float(os.environ.get("NEXTSTEPS_SQLITE_TIMEOUT", "20"))
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Report queries are costly enough to trigger PostgreSQL's JIT compiler, which then spends more time
    # compiling (about 0.2 s a query) than it saves on queries of this size (see docs/performance.md).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Django's ModelBackend but for the user each request loads (nextsteps/accounts/backends.py). Sessions made
# with Django's own backend before it was set end: their users sign in again, once.
AUTHENTICATION_BACKENDS = ["nextsteps.accounts.backends.ModelBackend"]

# Sign-in protection. Roles that see person-level data must use a second factor (TOTP or recovery code).
NEXTSTEPS_REQUIRE_2FA = env_bool("NEXTSTEPS_REQUIRE_2FA", default=True)
# Lock an account after this many failed sign-ins within the window, and an address after more.
NEXTSTEPS_LOCKOUT_ACCOUNT = int(os.environ.get("NEXTSTEPS_LOCKOUT_ACCOUNT", "5"))
NEXTSTEPS_LOCKOUT_ADDRESS = int(os.environ.get("NEXTSTEPS_LOCKOUT_ADDRESS", "20"))
NEXTSTEPS_LOCKOUT_MINUTES = int(os.environ.get("NEXTSTEPS_LOCKOUT_MINUTES", "15"))
# Addresses or networks of reverse proxies in front of the app (comma-separated, e.g. "127.0.0.1,10.0.0.0/8").
# Only a request from one of them has its client address taken from X-Forwarded-For (for the per-address
# lockout); from anywhere else that header is ignored, since anyone can write it.
NEXTSTEPS_TRUSTED_PROXIES = [
    a.strip() for a in os.environ.get("NEXTSTEPS_TRUSTED_PROXIES", "").split(",") if a.strip()
]
for _proxy in NEXTSTEPS_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"NEXTSTEPS_TRUSTED_PROXIES: {_proxy!r} is not an address or a network (e.g. 10.0.0.0/8)."
        ) from None
OTP_TOTP_ISSUER = "Next Steps"

# A session ends after 30 minutes without a request, and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("NEXTSTEPS_SESSION_MINUTES", "30")) * 60
# The idle timeout is renewed at most once a minute (accounts.middleware.SessionRenewalMiddleware).
SESSION_SAVE_EVERY_REQUEST = False
# Django's database sessions, read with one statement written out (nextsteps/accounts/sessions.py).
SESSION_ENGINE = "nextsteps.accounts.sessions"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Served over HTTPS (the default on servers): secure cookies, HSTS and a redirect from plain HTTP.
HTTPS = env_bool("NEXTSTEPS_HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("NEXTSTEPS_SSL_REDIRECT", default=True)
# The proxy and monitors probe the health check over plain HTTP on the machine itself; it carries no cookie
# and says one word (docs/deploy.md).
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if os.environ.get("NEXTSTEPS_PROXY_SSL_HEADER"):
    # Behind a TLS-terminating proxy that sets e.g. X-Forwarded-Proto: https.
    SECURE_PROXY_SSL_HEADER = (os.environ["NEXTSTEPS_PROXY_SSL_HEADER"], "https")
# Nothing on any page comes from anywhere but this server.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# Each language is named in itself, whatever language the page is in: someone looking for their own
# language finds it even on a page in one they do not read.
LANGUAGES = [("nl", "Nederlands"), ("en", "English"), ("ro", "Română")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Bucharest"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
# One date format per language on every page (nextsteps/formats/__init__.py).
FORMAT_MODULE_PATH = ["nextsteps.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
STATIC_ROOT.mkdir(mode=0o700, parents=True, exist_ok=True)
# The app serves its own static files (WhiteNoise): no CDN, no third-party request from any page.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Uploads and imports (docs/import.md#limits). An import file may be at most NEXTSTEPS_IMPORT_MAX_FILE_MB,
# and an XLSX workbook may unpack to at most NEXTSTEPS_IMPORT_MAX_UNPACKED_MB; a larger upload is dropped
# while it arrives. Form fields are small: Django's own limits on them stay low.
NEXTSTEPS_IMPORT_MAX_FILE_MB = int(os.environ.get("NEXTSTEPS_IMPORT_MAX_FILE_MB", "100"))
NEXTSTEPS_IMPORT_MAX_UNPACKED_MB = int(os.environ.get("NEXTSTEPS_IMPORT_MAX_UNPACKED_MB", "1000"))
FILE_UPLOAD_HANDLERS = [
    "nextsteps.imports.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = int(float(os.environ.get("NEXTSTEPS_UPLOAD_MAX_FORM_MB", "2.5")) * 1_048_576)
# Files above this size go to a temporary file (mode 0600) rather than memory while a request is read.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_500_000
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# A file attached to a case (nextsteps/attachments): read into memory only, refused past this size.
NEXTSTEPS_ATTACHMENT_MAX_MB = int(os.environ.get("NEXTSTEPS_ATTACHMENT_MAX_MB", "10"))
# Whoever entered a record may remove it themselves for this many days; later only a coordinator may
# (nextsteps/accounts/access.py, may_remove).
NEXTSTEPS_OWN_ENTRY_DAYS = int(os.environ.get("NEXTSTEPS_OWN_ENTRY_DAYS", "14"))
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# A report's indicators are computed on this many connections at once (nextsteps/indicators/engine.py, each).
# PostgreSQL already runs a costly query on parallel workers, and a second connection saved nothing there.
NEXTSTEPS_REPORT_THREADS = int(
    os.environ.get(
        "NEXTSTEPS_REPORT_THREADS", "2" if DATABASES["default"]["ENGINE"].endswith("sqlite3") else "1"
    )
)
