"""Settings for kbinventory, read from the environment (README, Configuration).

Safe defaults, loud failures: DEBUG is off unless asked for, there is no default
SECRET_KEY outside debug, and a boolean other than True/False stops start-up.
"""

import math
import os
import sys
import tomllib
import zlib
from collections import Counter
from pathlib import Path

import dj_database_url
import django_stubs_ext
from celery.schedules import crontab

# reports/xlsx.py writes each text cell as openpyxl's standard-library XML
# writer does (pinned byte for byte); were lxml ever installed, openpyxl would
# switch to its lxml writer at import, so keep it on the standard one.
os.environ.setdefault("OPENPYXL_LXML", "False")

# Lets generic admin/queryset classes be subscripted at run time, as mypy sees them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
# One version, the package's: workbook manifests and the API schema show it.
with open(BASE_DIR / "pyproject.toml", "rb") as _pyproject:
    VERSION = str(tomllib.load(_pyproject)["project"]["version"])


def _fail(message: str) -> None:
    """Stop start-up with one line, not a traceback."""
    sys.stderr.write(f"kbinventory configuration error: {message}\n")
    raise SystemExit(2)


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw not in ("True", "False"):
        _fail(f"{name} must be True or False, not {raw!r}")
    return raw == "True"


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = env_str(name, str(default))
    if not raw.isdigit():
        _fail(f"{name} must be a whole number, not {raw!r}")
    return int(raw)


LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}


def weak_secret_key(key: str) -> bool:
    """Django's own deploy check (security.W009): 50+ characters, 5+ distinct;
    and not guessable: 128+ bits by its characters' frequencies, and no
    repeated pattern (it would compress)."""
    if len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-"):
        return True
    counts = Counter(key).values()
    bits = -sum(c * math.log2(c / len(key)) for c in counts)
    return bits < 128 or len(zlib.compress(key.encode(), 9)) < 0.6 * len(key)


def check_production(debug: bool, secret_key: str, hosts: list[str]) -> None:
    """DEBUG=False is production: refuse to start without a strong SECRET_KEY or
    with no ALLOWED_HOSTS; DEBUG=True only for this machine's own addresses."""
    if debug:
        public = sorted(set(hosts) - LOCAL_HOSTS)
        if public:
            _fail(f"DEBUG=True is for local use only, not for {', '.join(public)}")
        return
    if not secret_key:
        _fail("SECRET_KEY is required unless DEBUG=True")
    if weak_secret_key(secret_key):
        _fail("SECRET_KEY is too weak: use 50+ random characters (5+ distinct)")
    if not hosts:
        _fail("ALLOWED_HOSTS is empty: name the host(s) this service answers for")
    if any(host == "*" or host.startswith("*") for host in hosts):
        _fail("ALLOWED_HOSTS may not be a wildcard: name the host(s) exactly")


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
check_production(DEBUG, SECRET_KEY, ALLOWED_HOSTS)
SECRET_KEY = SECRET_KEY or "insecure-debug-only-key"

# Behind an HTTPS proxy (README "Running at scale"): on by default outside debug;
# HTTPS=False only for plain-HTTP use on this machine (tests, benchmarks).
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
# The proxy terminates TLS and must overwrite X-Forwarded-Proto on every request.
if env_bool("TRUST_X_FORWARDED_PROTO", HTTPS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "simple_history",
    "inventory",
    "transfers",
    "reports",
    "dsr",
    "ropa_import",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "kbinventory.openapi.KnownQueryParameters",
]

ROOT_URLCONF = "kbinventory.urls"
WSGI_APPLICATION = "kbinventory.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Django's form renderer, with each <select> written in Python (250 countries a
# field): kbinventory/renderers.py.
FORM_RENDERER = "kbinventory.renderers.FormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=60,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed, not hashed: works before collectstatic has run (tests, demo).
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Production serves the collected STATIC_ROOT (compressed copies, `make serve`);
# runserver in debug serves straight from the apps.
WHITENOISE_USE_FINDERS = DEBUG

LOGIN_URL = "admin:login"

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes anonymous requests 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["kbinventory.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "kbinventory.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "kbinventory.openapi.ApiSchema",
    # No ?format=: JSON only, and a download is chosen by its Accept header.
    "URL_FORMAT_OVERRIDE": None,
    "EXCEPTION_HANDLER": "kbinventory.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "kbinventory API",
    "DESCRIPTION": (
        "Data-protection inventory: Art. 30 records, transfers, reports.\n\n"
        "Authenticate with `Authorization: Token <key>` (`manage.py create_token "
        "USER`) or an admin session; what you may do follows your group (DPO, "
        "Auditor, Sales). Lists are pages (`page`, `page_size` up to 500); an "
        "undeclared query parameter is a 400. Versioned records answer with an "
        "`ETag`: send it as `If-Match` on writes (412 when stale) or as "
        "`If-None-Match` on reads (304). A write that changes nothing records no "
        "version. Every error is JSON and declared per operation. The "
        "repository's docs/api.md is the integrator's guide."
    ),
    "VERSION": VERSION,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kbinventory.openapi.postprocess",
        "inventory.openapi.demo_examples",
    ],
    "SCHEMA_PATH_PREFIX": r"/api/v1",  # tags and operation ids by resource
    "ENUM_NAME_OVERRIDES": {
        "CountryCodeEnum": "inventory.api.COUNTRY_CHOICES",
        "VendorRoleEnum": "inventory.models.Vendor.Role",
        "PartyRoleEnum": "inventory.models.ProcessingActivity.Role",
        "NoticeStatusEnum": "inventory.models.SubprocessorNotice.Status",
        "RequestRoleEnum": "dsr.models.DataSubjectRequest.Role",
        "RequestStatusEnum": "dsr.models.DataSubjectRequest.Status",
        "RequestOutcomeEnum": "dsr.models.DataSubjectRequest.Outcome",
        "CloseOutcomeEnum": "dsr.serializers.CLOSE_OUTCOMES",
        "ReportKindEnum": "reports.models.ReportRun.Kind",
        "NoticeChangeEnum": "inventory.models.SubprocessorNotice.Change",
        "NoticeResponseEnum": "inventory.models.SubprocessorNotice.Response",
        "VersionTypeEnum": ["created", "changed", "deleted"],
        "TiaOutcomeEnum": "transfers.models.TransferImpactAssessment.Outcome",
        "AdequacyScopeEnum": "transfers.models.CountryProfile.Scope",
        "LawfulBasisEnum": "inventory.models.ProcessingActivity.LawfulBasis",
        "Art9ConditionEnum": "inventory.models.ProcessingActivity.Art9Condition",
    },
}

# Celery: without a broker, tasks run in-process (docs/architecture.md, Runtime).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or None
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE

# No lost reports (README "Running at scale"). A run still `running` this long
# after it started has lost its worker: it is retried, up to REPORT_MAX_ATTEMPTS
# starts in all, then failed. The task stops itself a minute before that.
REPORT_STALE_AFTER_SECONDS = max(env_int("REPORT_STALE_AFTER_SECONDS", 900), 120)
REPORT_MAX_ATTEMPTS = max(env_int("REPORT_MAX_ATTEMPTS", 3), 1)
# A broker that is down must not hang a web request: fail fast, the run waits.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
# Redis hands an unacknowledged task to another worker after visibility_timeout:
# the task of a worker killed mid-build comes back (acks_late above).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int(
        "CELERY_VISIBILITY_TIMEOUT", REPORT_STALE_AFTER_SECONDS
    ),
    "unacked_restore_interval": 5,
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": 3,
    "socket_timeout": 10,
}
CELERY_BEAT_SCHEDULE = {
    "sweep-report-runs": {
        "task": "reports.tasks.sweep_report_runs",
        "schedule": 60.0,
    },
}

# The review cycle for activities and TIAs (months).
REVIEW_INTERVAL_MONTHS = int(env_str("REVIEW_INTERVAL_MONTHS", "12"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# import_ropa: the largest workbook accepted (bytes), upload page and command alike.
IMPORT_MAX_BYTES = int(env_str("IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))

# Email: the findings digest to the DPO and sub-processor notices to customers,
# all from the environment (README "Findings, reviews and sub-processor notices").
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    _fail("EMAIL_USE_TLS and EMAIL_USE_SSL exclude each other: set one of them")
# A server that does not answer must not hold a request for long.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "privacy@konnectbot.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where this service is reached: links in e-mails are absolute.
SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    _fail(f"SITE_URL must start with http:// or https://, not {SITE_URL!r}")
# Notices queued while the mail server was down are retried this often.
NOTICE_RETRY_SECONDS = max(env_int("NOTICE_RETRY_SECONDS", 300), 30)
CELERY_BEAT_SCHEDULE["send-queued-notices"] = {
    "task": "inventory.tasks.send_queued_notices",
    "schedule": float(NOTICE_RETRY_SECONDS),
}
# Extra digest recipients besides the DPO group's users (comma-separated).
DPO_EMAIL = env_str("DPO_EMAIL")
CELERY_BEAT_SCHEDULE["findings-digest"] = {
    "task": "reports.tasks.send_findings_digest",
    "schedule": crontab(hour=6, minute=30),
}

# Today's findings are stored and refreshed after each write; the day turning
# also changes them (review dates, deadlines): refresh just after midnight UTC.
CELERY_BEAT_SCHEDULE["refresh-findings"] = {
    "task": "reports.tasks.refresh_findings",
    "schedule": crontab(hour=0, minute=1),
}

# Data subject requests (docs/dsr.md): the public-holiday calendar of each
# regime's working days, "regime=COUNTRY[-SUBDIVISION]" pairs (holidays package).
DSR_HOLIDAY_CALENDARS = dict(
    item.split("=", 1)
    for item in env_list("DSR_HOLIDAY_CALENDARS", "eu=IE,uk=GB-ENG,ch=CH,ccpa=US-CA")
    if "=" in item
)
# Closed requests keep the requester's identity and messages this long, then
# `purge_requests` (daily with beat) leaves a pseudonymised record.
DSR_RETENTION_MONTHS = env_int("DSR_RETENTION_MONTHS", 36)
CELERY_BEAT_SCHEDULE["purge-requests"] = {
    "task": "dsr.tasks.purge_requests",
    "schedule": crontab(hour=3, minute=15),
}
# The privacy mailbox (docs/dsr.md): unset DSR_IMAP_HOST, nothing polls.
DSR_IMAP_HOST = env_str("DSR_IMAP_HOST")
DSR_IMAP_PORT = env_int("DSR_IMAP_PORT", 993)
DSR_IMAP_USER = env_str("DSR_IMAP_USER")
DSR_IMAP_PASSWORD = env_str("DSR_IMAP_PASSWORD")
DSR_IMAP_SSL = env_bool("DSR_IMAP_SSL", True)
DSR_IMAP_FOLDER = env_str("DSR_IMAP_FOLDER", "INBOX")
DSR_MAILBOX_ADDRESS = env_str("DSR_MAILBOX_ADDRESS")  # default DEFAULT_FROM_EMAIL
DSR_DEFAULT_REGIME = env_str("DSR_DEFAULT_REGIME", "eu")
if DSR_IMAP_HOST:
    CELERY_BEAT_SCHEDULE["poll-privacy-mailbox"] = {
        "task": "dsr.tasks.poll_mailbox",
        "schedule": env_int("DSR_IMAP_POLL_SECONDS", 300),
    }

# -- Security and integrity (docs/security.md) --------------------------------
# SQLite as the embedded default of a served app (Django 5.1+): readers never
# wait for the writer (WAL), every transaction takes the write lock when it
# starts (IMMEDIATE, so two writers queue instead of failing half-way with
# "database is locked"), and a writer waits up to SQLITE_BUSY_SECONDS.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_SECONDS", 20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

# Admin logins: django-axes locks out a username from one address after
# AXES_FAILURE_LIMIT wrong passwords, for AXES_COOLOFF_HOURS; the DPO lifts a
# lockout in the admin (Axes -> Access attempts) or with `manage.py axes_reset`.
INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # last, as axes requires
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/kbinventory/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
if env_bool("TRUST_X_FORWARDED_PROTO", HTTPS):  # behind the proxy: its address
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# API throttling: per user (per address when anonymous), tighter for report
# requests, which start a build; 429 with Retry-After beyond the rate.
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = [
    "rest_framework.throttling.AnonRateThrottle",
    "rest_framework.throttling.UserRateThrottle",
    "rest_framework.throttling.ScopedRateThrottle",
]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "anon": env_str("API_ANON_RATE", "60/minute"),
    "user": env_str("API_USER_RATE", "1200/minute"),
    "reports": env_str("API_REPORT_RATE", "30/minute"),
}

# Content-Security-Policy (django-csp): scripts, fonts and images only
# from this origin (the admin and the API docs ship theirs), no plugins, no
# framing, forms post back here. Swagger UI draws its SVG icons as data: URIs.
MIDDLEWARE.insert(
    MIDDLEWARE.index("axes.middleware.AxesMiddleware"), "csp.middleware.CSPMiddleware"
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # simple-history's pages set style attributes and Swagger UI adds
        # <style> elements at run time: inline styles, never inline scripts.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Staff sessions end after a working day (hours, from login), not two weeks.
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 10) * 3600

# Uploaded ROPA workbooks previewed in the admin but never imported: deleted by
# beat this many hours after the upload.
IMPORT_PREVIEW_HOURS = env_int("IMPORT_PREVIEW_HOURS", 24)
CELERY_BEAT_SCHEDULE["delete-stale-import-previews"] = {
    "task": "ropa_import.tasks.delete_stale_import_previews",
    "schedule": 3600.0,
}
