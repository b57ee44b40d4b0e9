"""Django settings for Clientela, read from CLIENTELA_* environment variables.

With nothing set, Clientela runs on SQLite under ./var/ and keeps its secret key there.
"""

from __future__ import annotations

import os
import secrets
from ipaddress import ip_network
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.utils.translation import gettext_lazy as _

from clientela.core.files import PRIVATE, make_private, private_folder

# What Clientela writes (the database, its journal, uploads, rejects, exports, the secret key)
# is personal data or a secret: readable by its own user only, whoever starts it.
os.umask(0o077)

BASE_DIR = Path(__file__).resolve().parent
HOME = Path(os.environ.get("CLIENTELA_HOME", "var")).resolve()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return default if value is None or not value.strip() else float(value)


def _secret_key() -> str:
    """The key from the environment, else the one kept in CLIENTELA_HOME (made once)."""
    if key := os.environ.get("CLIENTELA_SECRET_KEY"):
        return key
    path = HOME / "secret_key"
    if not path.exists():
        private_folder(HOME)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
        except FileExistsError:
            pass  # another process made it a moment ago: use theirs
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(50))
    make_private(path, create=False)
    return path.read_text().strip()


def _private_sqlite(name: str) -> None:
    """The database file is made 0600 before SQLite opens it; its -wal and -shm files take
    their mode from it. Files left more open by an older version are closed to others."""
    if name == ":memory:" or name.startswith("file:"):
        return
    path = Path(name)
    if path.parent.is_dir():
        make_private(path)
        for journal in ("-wal", "-shm", "-journal"):
            make_private(path.with_name(path.name + journal), create=False)


def _database(url: str | None) -> dict[str, object]:
    if not url:
        private_folder(HOME)
        url = f"sqlite:///{HOME / 'clientela.sqlite3'}"
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        name = unquote(parsed.path) if parsed.path not in {"", "/"} else ":memory:"
        _private_sqlite(name)
        return {
            # Django's SQLite backend, its writers queueing at a turnstile (core/sqlite).
            "ENGINE": "clientela.core.sqlite",
            "NAME": name,
            # Keep each worker thread's connection between requests: opening one (and running
            # the PRAGMAs below) on every request cost about a fifth of a party-timeline request
            # (benchmarks/party_360.py, docs/benchmarks.md), and a kept connection keeps its
            # page cache warm.
            "CONN_MAX_AGE": 600,
            # Tests use an in-memory database, as Django does for its own SQLite engine (said
            # outright: pytest-django recognises that engine by name, not this one).
            "TEST": {"NAME": ":memory:"},
            "OPTIONS": {
                # WAL lets readers work while one writer commits; FULL makes commits durable;
                # IMMEDIATE takes the write lock when a transaction starts, so a writer waits
                # its turn there (up to the busy timeout) instead of failing half-way; long
                # writes come in slices of about a second (core.database).
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": _env_float("CLIENTELA_DB_BUSY_TIMEOUT", 10.0),
            },
        }
    if parsed.scheme in {"postgres", "postgresql"}:
        options = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
            "OPTIONS": options,
        }
    raise ValueError(f"CLIENTELA_DATABASE_URL: unsupported scheme {parsed.scheme!r}")


def _trusted_proxies(value: str) -> list[str]:
    entries = [entry.strip() for entry in value.split(",") if entry.strip()]
    for entry in entries:
        try:
            ip_network(entry, strict=False)
        except ValueError:
            raise ValueError(
                f"CLIENTELA_TRUSTED_PROXIES: {entry!r} is not an address or a network"
            ) from None
    return entries


def _email(url: str | None) -> dict[str, object]:
    if not url:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parsed = urlparse(url)
    if parsed.scheme == "memory":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if parsed.scheme not in {"smtp", "smtps", "smtp+tls"}:
        raise ValueError(f"CLIENTELA_EMAIL_URL: unsupported scheme {parsed.scheme!r}")
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname or "localhost",
        "EMAIL_PORT": parsed.port or 25,
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_SSL": parsed.scheme == "smtps",
        "EMAIL_USE_TLS": parsed.scheme == "smtp+tls",
        "EMAIL_TIMEOUT": 30,
    }


SECRET_KEY = _secret_key()
DEBUG = _env_bool("CLIENTELA_DEBUG", False)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("CLIENTELA_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CLIENTELA_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs from its bundled Swagger UI files, not a CDN
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "clientela.core",
    "clientela.accounts",
    "clientela.parties",
    "clientela.interactions",
    "clientela.commerce",
    "clientela.dedupe",
    "clientela.consent",
    "clientela.analytics",
    "clientela.segments",
    "clientela.activities",
    "clientela.messaging",
    "clientela.imports",
    "clientela.web",
    "clientela.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "clientela.core.middleware.content_security_policy",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "clientela.core.middleware.user_language",
    "clientela.core.middleware.admin_for_admins",
    "clientela.core.middleware.refuse_nul_in_forms",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "clientela.core.middleware.DatabaseContention",
]

ROOT_URLCONF = "clientela.urls"
WSGI_APPLICATION = "clientela.wsgi.application"
ASGI_APPLICATION = "clientela.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {"default": _database(os.environ.get("CLIENTELA_DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env_bool("CLIENTELA_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("pt", _("Portuguese")),
    ("es", _("Spanish")),
    ("it", _("Italian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates, numbers and money in the reader's language; English dates day first (core/formats).
FORMAT_MODULE_PATH = ["clientela.core.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("CLIENTELA_TIME_ZONE", "UTC")

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

vars().update(_email(os.environ.get("CLIENTELA_EMAIL_URL")))
DEFAULT_FROM_EMAIL = os.environ.get("CLIENTELA_FROM_EMAIL", "Clientela <no-reply@localhost>")
# The outbox: the envelope sender of each e-mail is this address with "+<message token>" added
# to its local part (VERP), so that a bounce names its message; default bounces@ the From domain.
CLIENTELA_RETURN_PATH = os.environ.get("CLIENTELA_RETURN_PATH", "")
# How long a worker's claim on a message lasts before another worker may take it over.
CLIENTELA_OUTBOX_LEASE_SECONDS = float(os.environ.get("CLIENTELA_OUTBOX_LEASE_SECONDS", "300"))

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused request (403, 404, 429…) is one line in the log, not a traceback.
    "filters": {"one_line_refusals": {"()": "clientela.core.logs.OneLineRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django.request": {"filters": ["one_line_refusals"]},
        "django.security": {"filters": ["one_line_refusals"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("CLIENTELA_LOG_LEVEL", "WARNING")},
}

# Product settings (documented in docs/configuration.md).
CLIENTELA_DEFAULT_PHONE_REGION = os.environ.get("CLIENTELA_DEFAULT_PHONE_REGION", "US").upper()
CLIENTELA_CURRENCY = os.environ.get("CLIENTELA_CURRENCY", "EUR").upper()
# The reporting currency while the company has not chosen one (accounts.services.company):
# CLIENTELA_CURRENCY when it is set, else none (analytics infers it from the orders).
CLIENTELA_REPORTING_CURRENCY = os.environ.get("CLIENTELA_CURRENCY", "").strip().upper()
# How many days back an order's day may borrow an exchange rate (none at weekends, holidays).
CLIENTELA_RATE_LOOKBACK_DAYS = int(os.environ.get("CLIENTELA_RATE_LOOKBACK_DAYS", "7"))
CLIENTELA_SIGNIN_MAX_FAILURES = int(os.environ.get("CLIENTELA_SIGNIN_MAX_FAILURES", "5"))
CLIENTELA_SIGNIN_WINDOW_SECONDS = int(os.environ.get("CLIENTELA_SIGNIN_WINDOW_SECONDS", "900"))
CLIENTELA_SIGNIN_MAX_FAILURES_PER_ADDRESS = int(
    os.environ.get("CLIENTELA_SIGNIN_MAX_FAILURES_PER_ADDRESS", "20")
)
CLIENTELA_TOKEN_MAX_FAILURES = int(os.environ.get("CLIENTELA_TOKEN_MAX_FAILURES", "20"))
# Invitations to join (days) and password-reset links (hours) expire; each works once.
CLIENTELA_INVITE_DAYS = int(os.environ.get("CLIENTELA_INVITE_DAYS", "7"))
CLIENTELA_PASSWORD_RESET_HOURS = int(os.environ.get("CLIENTELA_PASSWORD_RESET_HOURS", "2"))
PASSWORD_RESET_TIMEOUT = CLIENTELA_PASSWORD_RESET_HOURS * 3600
# How many reset links one address or one client may ask for within the sign-in window.
CLIENTELA_PASSWORD_RESET_MAX = int(os.environ.get("CLIENTELA_PASSWORD_RESET_MAX", "5"))
# Reverse proxies (addresses or networks) whose X-Forwarded-For is believed (core/clients.py).
CLIENTELA_TRUSTED_PROXIES = _trusted_proxies(os.environ.get("CLIENTELA_TRUSTED_PROXIES", ""))
# Uploaded import files and their rejects are deleted this many days after the upload (0: kept).
CLIENTELA_UPLOAD_RETENTION_DAYS = int(os.environ.get("CLIENTELA_UPLOAD_RETENTION_DAYS", "30"))
CLIENTELA_PAGE_SIZE = 50
# Customer analytics (docs/analytics.md): CLV horizon in days, yearly discount rate,
# lifecycle thresholds as "name=value,..." and value tiers as "name:quantile,..." best first.
CLIENTELA_CLV_HORIZON_DAYS = int(os.environ.get("CLIENTELA_CLV_HORIZON_DAYS", "365"))
CLIENTELA_CLV_DISCOUNT_RATE = float(os.environ.get("CLIENTELA_CLV_DISCOUNT_RATE", "0.10"))
CLIENTELA_LIFECYCLE = os.environ.get("CLIENTELA_LIFECYCLE", "")
CLIENTELA_VALUE_TIERS = os.environ.get(
    "CLIENTELA_VALUE_TIERS", "platinum:0.99,gold:0.95,silver:0.80,bronze:0"
)

# My day and call lists (docs/activities.md): days without contact before a customer of a
# tier needs attention ("tier:days,..."; the tiers named are the high-value ones), and the
# company's calling hours and working days (0 = Monday) in each customer's own time zone.
CLIENTELA_CONTACT_RHYTHM = os.environ.get("CLIENTELA_CONTACT_RHYTHM", "platinum:90,gold:90")
CLIENTELA_CALLING_HOURS = os.environ.get("CLIENTELA_CALLING_HOURS", "09:00-18:00")
CLIENTELA_CALLING_DAYS = os.environ.get("CLIENTELA_CALLING_DAYS", "0,1,2,3,4")

# Consent, preference centre and sign-up (docs/consent.md).
CLIENTELA_PUBLIC_URL = os.environ.get("CLIENTELA_PUBLIC_URL", "http://localhost:8000").rstrip("/")
# Keys the suppression hashes and link tokens; set it so SECRET_KEY can rotate without losing them.
CLIENTELA_CONSENT_KEY = os.environ.get("CLIENTELA_CONSENT_KEY", "")
CLIENTELA_PUBLIC_RATE_LIMIT = int(os.environ.get("CLIENTELA_PUBLIC_RATE_LIMIT", "60"))
CLIENTELA_PUBLIC_RATE_WINDOW = int(os.environ.get("CLIENTELA_PUBLIC_RATE_WINDOW", "600"))
CLIENTELA_SIGNUP_PER_ADDRESS = int(os.environ.get("CLIENTELA_SIGNUP_PER_ADDRESS", "3"))
CLIENTELA_SIGNUP_PER_IP = int(os.environ.get("CLIENTELA_SIGNUP_PER_IP", "20"))
CLIENTELA_SIGNUP_WINDOW = int(os.environ.get("CLIENTELA_SIGNUP_WINDOW", "3600"))
CLIENTELA_SIGNUP_CONFIRM_HOURS = int(os.environ.get("CLIENTELA_SIGNUP_CONFIRM_HOURS", "48"))
CLIENTELA_SIGNUP_FRAME_ANCESTORS = os.environ.get("CLIENTELA_SIGNUP_FRAME_ANCESTORS", "'self'")

# Writers taking turns (docs/configuration.md, "Concurrent writes"; core/database.py).
CLIENTELA_WRITE_SLICE_SECONDS = _env_float("CLIENTELA_WRITE_SLICE_SECONDS", 0.5)
CLIENTELA_WRITE_YIELD_SECONDS = _env_float("CLIENTELA_WRITE_YIELD_SECONDS", 1.0)
CLIENTELA_DB_RETRIES = int(os.environ.get("CLIENTELA_DB_RETRIES", "3"))
CLIENTELA_RETRY_AFTER_SECONDS = int(os.environ.get("CLIENTELA_RETRY_AFTER_SECONDS", "5"))
# orders/bulk: the most one request may send (413 beyond).
CLIENTELA_BULK_MAX_BYTES = int(os.environ.get("CLIENTELA_BULK_MAX_BYTES", str(10 * 2**20)))
CLIENTELA_BULK_MAX_LINES = int(os.environ.get("CLIENTELA_BULK_MAX_LINES", "100000"))

# Files sent with interactions (docs/configuration.md, "Attachments"): the most one file may
# weigh, and the kinds accepted, told by the file's first bytes, never by its name.
CLIENTELA_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("CLIENTELA_ATTACHMENT_MAX_BYTES", str(10 * 2**20))
)
CLIENTELA_ATTACHMENT_TYPES = os.environ.get(
    "CLIENTELA_ATTACHMENT_TYPES", "pdf,png,jpeg,gif,webp,text,csv,docx,xlsx,pptx"
)

# Background work beside the web server (docs/configuration.md, "Background work"):
# `clientela serve` starts `clientela worker` as a child unless this is off (or --no-worker).
CLIENTELA_SERVE_WORKER = _env_bool("CLIENTELA_SERVE_WORKER", True)

# The bounce mailbox (docs/bounces.md): imaps://USER:PASSWORD@HOST/
# FOLDER; when set, `clientela worker` reads it every CLIENTELA_BOUNCE_POLL_MINUTES.
CLIENTELA_BOUNCE_IMAP_URL = os.environ.get("CLIENTELA_BOUNCE_IMAP_URL", "")
CLIENTELA_BOUNCE_POLL_MINUTES = int(os.environ.get("CLIENTELA_BOUNCE_POLL_MINUTES", "5"))
# The SMS gateway (docs/configuration.md, "SMS"): where messages are POSTed (credentials in the
# address, or a whole Authorization header), the body's shape and where the answer holds the
# provider's id; the secret that signs its receipts and inbound messages, and their tolerance.
CLIENTELA_SMS_URL = os.environ.get("CLIENTELA_SMS_URL", "")
CLIENTELA_SMS_AUTH_HEADER = os.environ.get("CLIENTELA_SMS_AUTH_HEADER", "")
CLIENTELA_SMS_FROM = os.environ.get("CLIENTELA_SMS_FROM", "")
CLIENTELA_SMS_FORMAT = os.environ.get("CLIENTELA_SMS_FORMAT", "json")
CLIENTELA_SMS_PAYLOAD = os.environ.get("CLIENTELA_SMS_PAYLOAD", "")
CLIENTELA_SMS_ID_FIELD = os.environ.get("CLIENTELA_SMS_ID_FIELD", "id")
CLIENTELA_SMS_TIMEOUT = _env_float("CLIENTELA_SMS_TIMEOUT", 10.0)
CLIENTELA_SMS_WEBHOOK_SECRET = os.environ.get("CLIENTELA_SMS_WEBHOOK_SECRET", "")
CLIENTELA_SMS_WEBHOOK_TOLERANCE = int(os.environ.get("CLIENTELA_SMS_WEBHOOK_TOLERANCE", "300"))
