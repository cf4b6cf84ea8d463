"""Every setting the portal reads, declared once, with its environment variable.

Defaults suit a developer's machine (`make run`): SQLite in WAL mode and an
embedded Celery broker on the file system, so nothing has to be installed.
`production.py` refuses to start without the variables a real deployment needs.
"""

from __future__ import annotations

import datetime
import importlib.util
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -------------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env(
    "SECRET_KEY",
    default="django-insecure-local-development-only-never-in-production",
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
PARTNERSHIP_NAME = "Children's Safeguarding Assurance Partnership"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "csp",
    "guardian",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "audits",
    "accounts",
    "section11",
    "section175",
    "multiagency",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks whether this session has passed two-factor sign-in (request.user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before anything reads the body (CSRF reads it in process_view, which runs later).
    "audits.middleware.RequestSizeMiddleware",
    "audits.middleware.SessionLifetimeMiddleware",
    # Until it has, the session may open only the few pages that lead there.
    "accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its own page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "csap_portal.urls"
WSGI_APPLICATION = "csap_portal.wsgi.application"

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
                "audits.context_processors.navigation",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------

DATABASES = {
    "default": env.db(
        "DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'csap_portal.sqlite3'}",
    ),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web process read while the worker writes; IMMEDIATE makes
    # writers queue for the lock instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    # Health checks let a restarted PostgreSQL cost only the requests in flight.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ---------------------------------------------------------------

AUTH_USER_MODEL = "audits.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# No guardian "anonymous user" row: anonymous visitors never hold grants.
ANONYMOUS_USER_NAME = None
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "audits:home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a day

# Sign-in throttling: five failures for one address from one place locks that pair
# out for fifteen minutes. Locking by address alone would let anyone lock a
# colleague out; by network alone, a whole council office behind one gateway.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The sign-in form's field is "username" (holding the email address); without this
# axes would key attempts by the model's USERNAME_FIELD and never match them.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "audits.forms.login_username"
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)
# An organisation's "All our data" archive can be downloaded for this long after it
# is ready; then the retention schedule deletes it. It holds every return and
# document, so it should not linger.
EXPORT_VALID_DAYS = env.int("EXPORT_VALID_DAYS", default=3)

# Two-factor sign-in (django-otp): a code from an authenticator app (TOTP), or one
# of ten single-use recovery codes. Each wrong code doubles the wait before the
# next try (1, 2, 4, 8... seconds), per device.
OTP_TOTP_ISSUER = "CSAP Assurance Portal"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
RECOVERY_CODE_COUNT = 10
# Demo accounts only: `manage.py demo_code` prints their current code.
DEMO_EMAIL_DOMAIN = "demo.csap.example"

# A session ends after 30 minutes without a request (activity renews it, and the
# autosave script makes requests while someone types) and after 12 hours in all.
SESSION_COOKIE_AGE = 30 * 60
SESSION_RENEW_AFTER_SECONDS = 60
SESSION_ABSOLUTE_AGE = 12 * 60 * 60
LOGIN_URL_PATH = "/account/login/"
SESSION_COOKIE_HTTPONLY = True
# Database sessions that know whose they are, so that disabling an account or
# changing its password can end every one of its sessions at once.
SESSION_ENGINE = "accounts.sessions"
SESSION_COOKIE_SAMESITE = "Lax"
# Read by the autosave script so that a save after signing in again carries the
# new token; Django notes an HttpOnly CSRF cookie adds no real protection.
CSRF_COOKIE_HTTPONLY = False

# History is for reading: the admin offers no "revert" button (and refuses the POST).
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Internationalisation ---------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "static")))
_bootstrap_spec = importlib.util.find_spec("bootstrap")
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap comes from a pinned Python package and is served by us, never a CDN.
    ("vendor/bootstrap", Path(next(iter(_bootstrap_spec.submodule_search_locations or [])))),
]
# Uploaded evidence lives outside the web root; there is no MEDIA_URL and
# files are only ever streamed by views that check access.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT)},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Virus scanning -----------------------------------------------------------

# With a ClamAV daemon configured (a Unix socket, or a host and port), every
# upload is held as "being checked" until clamd finds it clean; an infected file
# is moved to QUARANTINE_ROOT, outside the evidence store and the web root.
# Without one, evidence is checked by its content only.
CLAMD_SOCKET = env("CLAMD_SOCKET", default="")
CLAMD_HOST = env("CLAMD_HOST", default="")
CLAMD_PORT = env.int("CLAMD_PORT", default=3310)
CLAMD_TIMEOUT = env.float("CLAMD_TIMEOUT", default=60.0)
QUARANTINE_ROOT = Path(env("QUARANTINE_ROOT", default=str(VAR_DIR / "quarantine")))

# `manage.py backup` (make backup) writes one folder per backup here: the
# database dump, the uploaded files and a manifest of their SHA-256s.
BACKUP_DIR = Path(env("BACKUP_DIR", default=str(VAR_DIR / "backups")))

# How much a request may carry. Documents (evidence, S-CAT/SAF forms) are up to
# 20 MB (audits.evidence); everything else in a form is capped here, Django's
# defaults written down because audits.middleware.RequestSizeMiddleware and the
# pages in audits.errors state them. A body over 20 MB plus the form data limit
# is refused before it is read; the proxy in front should allow at least that.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MB of text in one form
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 100

# --- Email ------------------------------------------------------------------

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="CSAP Assurance Portal <noreply@csap.invalid>"
)

# --- Celery -----------------------------------------------------------------

REDIS_URL = env("REDIS_URL", default="")
CELERY_FILESYSTEM_BROKER_DIR = Path(env("CELERY_BROKER_DIR", default=str(VAR_DIR / "celery")))
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
# Redis acknowledges a message only when the task has finished (acks_late). A
# message whose worker vanished without a word (killed, power lost) stays
# "unacknowledged" and kombu puts it back on the queue once it is older than the
# visibility timeout: any live worker checks every unacked_restore_interval
# seconds, and a worker checks once as it starts. The timeout must exceed the
# longest a task may rightly run (the time limit) and the longest retry
# countdown (retry_backoff caps it at ten minutes), or a task still running would
# be handed out a second time.
BROKER_VISIBILITY_TIMEOUT = env.int("BROKER_VISIBILITY_TIMEOUT", default=30 * 60)
# Seconds the web process waits for Redis before telling the user the work is
# queued: a request must never hang on a broker that is down.
BROKER_CONNECT_TIMEOUT = env.float("BROKER_CONNECT_TIMEOUT", default=2.0)
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
        "unacked_restore_interval": env.int("BROKER_UNACKED_RESTORE_INTERVAL", default=10),
        # Scan on every check rather than every tenth, so the interval alone decides.
        "unacked_restore_throttle": 1,
        "socket_connect_timeout": BROKER_CONNECT_TIMEOUT,
        # Without it a publish to a broker that vanished mid-connection waits for ever.
        "socket_timeout": 10,
    }
else:
    # The embedded broker: messages are files, so `make run` needs no server.
    for _folder in ("queue", "processed", "control"):
        (CELERY_FILESYSTEM_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_FILESYSTEM_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_FILESYSTEM_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_FILESYSTEM_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = REDIS_URL or None
# Nothing reads a task's return value: outcomes are kept on the records the tasks
# change. Ignoring results also keeps publishing from touching the result store.
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_CONNECT_TIMEOUT
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = BROKER_CONNECT_TIMEOUT
# A publish tries three times within about a second, then gives up; the sweep
# publishes again once the broker is back (audits.queueing).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Before the working day, in CELERY_TIMEZONE (Europe/London, so 07:00 all year).
    "send-reminders": {
        "task": "audits.tasks.send_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    # Evidence whose scan was lost (clamd down past the retries, a broker restart)
    # is queued again; a file is never served until clamd has seen it.
    "rescan-pending-evidence": {
        "task": "audits.tasks.rescan_pending_evidence",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 14 * 60},
    },
    # "All our data" archives the worker never took (broker down) or lost.
    "requeue-lost-exports": {
        "task": "audits.tasks.requeue_lost_exports",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    # The retention schedule (audits/retention.py), early on Sunday morning: what has
    # expired goes, with its files and history. `manage.py apply_retention --dry-run`
    # shows what the next run will delete.
    "apply-retention": {
        "task": "audits.tasks.apply_retention",
        "schedule": crontab(day_of_week="sunday", hour=3, minute=30),
    },
    # Reports the report service lost (worker gone, broker down when asked) are
    # handed to it again, a bounded number of times, then marked failed.
    "sweep-stuck-reports": {
        "task": "reports.tasks.sweep_stuck_reports",
        "schedule": crontab(minute="*/5"),
        # A sweep that waited longer than the next one is pointless: while the
        # worker is away they would pile up and all run when it returns.
        "options": {"expires": 4 * 60},
    },
    "send-unsent-invitations": {
        "task": "audits.tasks.send_unsent_invitations",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 9 * 60},
    },
}

# --- Forms and messages -----------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
CRISPY_FAIL_SILENTLY = not DEBUG

# --- Security headers -------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Everything the portal serves comes from itself: no inline script, no CDN.
# Bootstrap's stylesheet draws its icons as data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
# The portal needs none of the browser's powerful features.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
    "interest-cohort": [],
}

# --- Logging ----------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint narrates every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes.apps": {"level": "WARNING"},
    },
}
