"""GridGov settings, read from the environment (see .env.example for every variable)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from gridgov.env import StrictEnv

BASE_DIR = Path(__file__).resolve().parent.parent
env = StrictEnv()
if (BASE_DIR / ".env").exists():
    StrictEnv.read_env(str(BASE_DIR / ".env"))

DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.strict_bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="").strip()  # files often end in a newline
# Without a key and with DEBUG off, SECRET_KEY stays empty: management commands that need no
# key (migrate, check, makemigrations) still run, Django refuses anything that signs, and the
# web entry points refuse to start (gridgov.env.require_secret_key).
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "dev-only-insecure-key-for-make-run-never-use-in-production-0123456789"  # noqa: S105 - DEBUG only
ALLOWED_HOSTS = env.csv("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env.csv("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "gridgov.admin_config.GridGovAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "knox",
    "axes",
    "django_ratelimit",
    "leaflet",
    "gridgov.apps.GridGovConfig",
    "grids.apps.GridsConfig",
    "personnel.apps.PersonnelConfig",
    "incidents.apps.IncidentsConfig",
    "funding.apps.FundingConfig",
    "assessment.apps.AssessmentConfig",
    "participation.apps.ParticipationConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # First to see a request's response last: it compresses the finished body.
    "gridgov.compression.TextGZipMiddleware",
    # The Content-Security-Policy header of every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "personnel.middleware.ScopeCacheMiddleware",
    # Last, as django-axes requires: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gridgov.urls"
WSGI_APPLICATION = "gridgov.wsgi.application"
ASGI_APPLICATION = "gridgov.asgi.application"

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
                "personnel.context_processors.inbox",
            ],
        },
    },
]

DATABASES = {"default": env.database("DATABASE_URL", f"sqlite:///{DATA_DIR / 'gridgov.sqlite3'}")}
if (
    DATABASES["default"]["ENGINE"].endswith("sqlite3")
    and DATABASES["default"]["NAME"] != ":memory:"
):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DATABASES["default"]["CONN_MAX_AGE"] = env.strict_int("DATABASE_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The scope query as a server-side prepared statement (gridgov.prepared); off behind a
# pooler in transaction mode.
DATABASE_PREPARED_STATEMENTS = env.strict_bool("DATABASE_PREPARED_STATEMENTS", default=True)
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
else:
    # Several processes (web, worker, beat) share one SQLite file in the embedded setup.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "personnel.User"
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out username and IP is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "personnel.backends.ModelPermissionBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
ANONYMOUS_USER_NAME = None  # guardian: anonymous users never hold object permissions
GUARDIAN_MONKEY_PATCH_USER = False

# django-axes: at most AXES_FAILURE_LIMIT failed sign-ins per username and IP within the
# cool-off window, then that pair is locked for the window (browser, admin and phone alike).
AXES_FAILURE_LIMIT = env.strict_int("AXES_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.strict_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Answered 429 with Retry-After (the cool-off), like every other limit of the site.
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "gridgov.lockout.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_USE_ATTEMPT_EXPIRATION = True  # a failure counts for the cool-off window, then lapses
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False
# The client address: REMOTE_ADDR unless the deployment says how many proxies it trusts, so a
# forged X-Forwarded-For cannot dodge the lockout.
TRUSTED_PROXY_COUNT = env.strict_int("TRUSTED_PROXY_COUNT", 0)
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if TRUSTED_PROXY_COUNT else ("REMOTE_ADDR",)
)

# Phone sign-in: per-device tokens (django-rest-knox keeps only their hash).
# knox's own migrations create its default token table even though the model is swapped
# out; that orphan table would hold a foreign key to users. Our model lives in personnel.
MIGRATION_MODULES = {"knox": None}
KNOX_TOKEN_MODEL = "personnel.DeviceToken"  # noqa: S105 - a model name, not a secret
REST_KNOX = {
    "TOKEN_MODEL": KNOX_TOKEN_MODEL,
    "TOKEN_TTL": timedelta(days=env.strict_int("API_TOKEN_TTL_DAYS", 14, minimum=1)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.strict_bool("STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "gridgov.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="gridgov"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# django-ratelimit counts in the default cache. Its checks know only django-redis among the
# Redis backends (Django's own increments atomically too), and refuse the local-memory cache
# as not shared between processes. A deployment sets REDIS_URL; the embedded default (no
# Redis) counts in each web process, so its limits hold per gunicorn worker.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"] + (
    [] if REDIS_URL else ["django_ratelimit.E003"]
)

CELERY_BROKER_URL = env.broker("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_BROKER_FOLDER = DATA_DIR / "celery"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": 3600}
)
if CELERY_BROKER_URL.startswith("filesystem"):
    # The transport fails on a missing folder; any process may be the first to send a task.
    for _folder in ("queue", "processed", "control"):
        (CELERY_BROKER_FOLDER / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_ALWAYS_EAGER = env.strict_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
# A hard limit per task run: the longest job, the nightly rollup rebuild, takes minutes at
# city scale. Redis redelivers unacknowledged tasks after the visibility timeout, so every
# limit and retry delay stays below it (gridgov.checks).
CELERY_TASK_TIME_LIMIT = env.strict_int("CELERY_TASK_TIME_LIMIT", 1800, minimum=1)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "purge-idempotency-keys": {
        "task": "gridgov.tasks.idempotency_purge_expired",
        "schedule": timedelta(hours=1),
    },
    "refresh-role-assignments": {
        "task": "personnel.tasks.role_assignments_refresh",
        "schedule": timedelta(minutes=5),
    },
    "deliver-notifications": {
        "task": "personnel.tasks.notifications_deliver",
        "schedule": timedelta(minutes=1),
    },
    "remind-expiring-certificates": {
        "task": "personnel.tasks.certificate_reminders_send",
        "schedule": timedelta(hours=6),
    },
    "sweep-deadlines": {
        "task": "incidents.tasks.deadlines_sweep",
        "schedule": timedelta(minutes=1),
    },
    "evaluate-unrated-tickets": {
        "task": "incidents.tasks.tickets_auto_evaluate",
        "schedule": timedelta(minutes=30),
    },
    # Hourly, sent once a day each: a digest missed at 08:00 (worker down) goes out later.
    "send-supervisor-digests": {
        "task": "incidents.tasks.supervisor_digests_send",
        "schedule": crontab(minute=5, hour="8-20"),
    },
    "report-idle-workers": {
        "task": "incidents.tasks.idle_workers_report",
        "schedule": timedelta(hours=1),
    },
    "run-funding-checks": {
        "task": "funding.tasks.funding_checks_run",
        "schedule": crontab(minute=15, hour=2),
    },
    # Incremental: rewrites only the rollup days that changed since the last run.
    "refresh-rollups": {
        "task": "assessment.tasks.rollups_refresh",
        "schedule": timedelta(minutes=5),
    },
    # Nightly, after the day has ended: the last 35 days from scratch.
    "rebuild-rollups": {
        "task": "assessment.tasks.rollups_rebuild_recent",
        "schedule": crontab(minute=30, hour=3),
    },
    # After the nightly rebuild: last month's scores on the 1st, this month's every night.
    "compute-last-month-scores": {
        "task": "assessment.tasks.scores_compute_last_month",
        "schedule": crontab(minute=0, hour=5, day_of_month=1),
    },
    "compute-current-month-scores": {
        "task": "assessment.tasks.scores_compute_current_month",
        "schedule": crontab(minute=30, hour=5),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "personnel.authentication.DeviceTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["gridgov.api_policy.ScopedModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": ["gridgov.filters.FilterBackend"],
    "DEFAULT_PARSER_CLASSES": [
        "gridgov.api_policy.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "gridgov.api_policy.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "gridgov.api_schema.AutoSchema",  # lists each operation's errors
    "EXCEPTION_HANDLER": "gridgov.api_errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["gridgov.api_policy.WriteRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "write": env.str("API_WRITE_RATE", default="120/min"),
        "login": env.str("API_LOGIN_RATE", default="30/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Throttles key anonymous callers by address: trust X-Forwarded-For only behind proxies.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "GridGov API",
    "DESCRIPTION": "Urban community grid management: places, people, cases, money, participation.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Tags by the first path segment after the version (grids, tickets, funding, …); left
    # to detection, one route outside the common prefix would lump everything under "v1".
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Several models have a field named "kind"; each choice set gets its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "GridKindEnum": "grids.choices.GridKind",
        "CommunityKindEnum": "grids.choices.CommunityKind",
        "DepartmentKindEnum": "personnel.choices.DepartmentKind",
        "AssignmentKindEnum": "personnel.choices.AssignmentKind",
        "NotificationKindEnum": "personnel.choices.NotificationKind",
        "PriorityEnum": "incidents.choices.Priority",
        "TicketStatusEnum": "incidents.choices.Status",
        "WorkerStatusEnum": "personnel.choices.WorkerStatus",
        "RoleEnum": "personnel.choices.Role",
        "TaskRoleEnum": "incidents.choices.TaskRole",
        "TaskStatusEnum": "incidents.choices.TaskStatus",
        "EscalationLevelEnum": "incidents.choices.Level",
        "SupervisionLevelEnum": "incidents.choices.SupervisionLevel",
        "SupervisionStatusEnum": "incidents.choices.SupervisionStatus",
        "FundSourceEnum": "funding.choices.FundSource",
        "TicketSourceEnum": "incidents.choices.Source",
        "ScoreSubjectKindEnum": "assessment.choices.SubjectKind",
        "ScoreStatusEnum": "assessment.choices.ScoreStatus",
        "RankingKindEnum": "assessment.choices.RankingKind",
        "PublicReportStatusEnum": "participation.choices.ReportStatus",
        "PublicReportChannelEnum": "participation.choices.ReportChannel",
        "ProposalKindEnum": "participation.choices.ProposalKind",
        "ProposalStatusEnum": "participation.choices.ProposalStatus",
        "ProposalAnswerStatusEnum": "participation.api.proposals_serializers.ANSWER_CHOICES",
        "SurveyStatusEnum": "participation.choices.SurveyStatus",
        "SurveyQuestionKindEnum": "participation.choices.QuestionKind",
        "RatingChannelEnum": "participation.choices.RatingChannel",
        "OrganisationKindEnum": "participation.choices.OrganisationKind",
        "ActivityKindEnum": "participation.choices.ActivityKind",
        "ActivityStatusEnum": "participation.choices.ActivityStatus",
        "SignupStatusEnum": "participation.choices.SignupStatus",
        "PointsKindEnum": "participation.choices.PointsKind",
    },
}
IDEMPOTENCY_TTL = timedelta(hours=env.strict_int("IDEMPOTENCY_TTL_HOURS", 24, minimum=24))

# Key of the HMAC-SHA256 under which residents' ID numbers are stored (only the hash is kept);
# empty: derived from SECRET_KEY. Changing it makes the stored hashes unmatchable.
RESIDENT_ID_HASH_KEY = env.str("RESIDENT_ID_HASH_KEY", default="").strip()

MAP_TILE_URL = env.str("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="")
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (35.80, 116.10),
    "DEFAULT_ZOOM": 13,
    "TILES": [(_("Base map"), MAP_TILE_URL, {"attribution": MAP_TILE_ATTRIBUTION})]
    if MAP_TILE_URL
    else [],
    "RESET_VIEW": False,
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.strict_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.strict_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SESSION_COOKIE_SECURE = env.strict_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.strict_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# No script reads either cookie: forms carry the CSRF token in a hidden field, and the API
# docs page gets it rendered into its script (tests/security/test_headers.py checks static/).
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"


def _tile_sources(url: str) -> list[str]:
    """The origin of the map tile template (``https://{s}.tile.example.org/{z}/{x}/{y}.png``
    → ``https://*.tile.example.org``): the only place outside the site images come from."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        return []  # no tile server, or tiles the site serves itself
    host = rest.split("/", 1)[0]
    first, _dot, parent = host.partition(".")
    if "{" in parent:
        raise ImproperlyConfigured(
            "MAP_TILE_URL: only the first label of the host may be a placeholder ({s})."
        )
    return [f"{scheme}://*.{parent}" if "{" in first else f"{scheme}://{host}"]


# Content-Security-Policy (django-csp). Scripts: our static files only, plus the one inline
# script of the API docs page, which carries the request's nonce
# (templates/drf_spectacular/swagger_ui.html); no inline event handlers anywhere.
# style-src keeps 'unsafe-inline': the templates set colours and bar widths in style
# attributes (legends, charts), Leaflet and Swagger UI position elements through inline
# styles, and the admin uses them too; styles cannot run code. Images: the site, data: URIs
# (Leaflet and Swagger UI icons) and the configured tile server (MAP_TILE_URL), nothing else.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", csp_constants.NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", *_tile_sources(MAP_TILE_URL)],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

EMAIL_BACKEND = (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.strict_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="gridgov@localhost")
# Seconds before an SMTP call gives up: well below the notification claim (5 minutes), so a
# hung server cannot make two workers send the same message.
EMAIL_TIMEOUT = env.strict_int("EMAIL_TIMEOUT", 10, minimum=1)
# Absolute base of links in e-mails (https://gridgov.example.gov.cn); empty: relative links.
SITE_URL = env.str("SITE_URL", default="").rstrip("/")

# Public pages and Open311 (participation): reports posted per client address, follow-page
# look-ups per client address, and Open311 requests posted per API key, each as a count per
# period (5/10m: five per ten minutes).
PUBLIC_REPORT_RATE = env.strict_rate("PUBLIC_REPORT_RATE", "5/10m")
PUBLIC_FOLLOW_RATE = env.strict_rate("PUBLIC_FOLLOW_RATE", "30/10m")
OPEN311_KEY_RATE = env.strict_rate("OPEN311_KEY_RATE", "60/m")

# Working time for time limits: official calendar (chinesecalendar) plus local overrides.
# Comma-separated HH:MM-HH:MM intervals of one working day, in local time.
WORKING_HOURS = env.str("WORKING_HOURS", default="08:30-12:00,13:30-17:30")
# Photos of a case: the size cap of one photo (larger answers 413) and photos per request.
PHOTO_MAX_BYTES = env.strict_int("PHOTO_MAX_MB", 10, minimum=1) * 1024 * 1024
PHOTO_MAX_COUNT = env.strict_int("PHOTO_MAX_COUNT", 6, minimum=1)
# Days after closing that a case can be rated; after that it is evaluated unrated.
RATING_WINDOW_DAYS = env.strict_int("RATING_WINDOW_DAYS", 7, minimum=1)
# Working hours without a patrol or any case activity after which a grid worker is
# reported to the grid chief and the street office.
IDLE_WORKER_WORKING_HOURS = env.strict_int("IDLE_WORKER_WORKING_HOURS", 16, minimum=1)
# Tickets one deadline-sweep batch reads; a batch is one short transaction.
DEADLINE_SWEEP_BATCH = env.strict_int("DEADLINE_SWEEP_BATCH", 200, minimum=1)

# Funding: requests above this amount (yuan) need a second approver at street level; a
# request paid without a receipt is flagged after this many days.
FUNDING_SECOND_APPROVAL_THRESHOLD = env.strict_int(
    "FUNDING_SECOND_APPROVAL_THRESHOLD", 10000, minimum=1
)
FUNDING_RECEIPT_DAYS = env.strict_int("FUNDING_RECEIPT_DAYS", 30, minimum=1)

# Field work and training.
# Longest pause between two track points still counted as patrolling.
PATROL_MAX_GAP_MINUTES = env.strict_int("PATROL_MAX_GAP_MINUTES", 5, minimum=1)
# Days before a certificate expires that its holder is reminded.
CERTIFICATE_REMINDER_DAYS = env.strict_int("CERTIFICATE_REMINDER_DAYS", 30, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
