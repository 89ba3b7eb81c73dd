"""Settings shared by every environment. Every value comes from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("ONEWINDOW_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="local-insecure-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "portal",
    "approvals",
    "enforcement",
    "grid",
    "centre",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "portal.session_user.CachedUserAuthenticationMiddleware",
    "portal.middleware.HostileInputMiddleware",
    "portal.middleware.ServiceRefusalMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.RequestContextMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.shell",
            ],
        },
    }
]

# Django's form renderer, but a select written in Python (its templates cost ~0.12 ms an option).
FORM_RENDERER = "portal.forms_renderer.Renderer"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'onewindow.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)


def without_jit(database: dict) -> dict:
    """PostgreSQL without JIT compilation: at a million rows the planner's costs pass
    jit_above_cost for the counts of every queue, panel and dashboard, and each execution then
    spends 15-45 ms compiling (more in a new connection) to save nothing on reads of a few
    thousand rows."""
    if database["ENGINE"] == "django.db.backends.postgresql":
        database.setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    return database


without_jit(DATABASES["default"])
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share one file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 30, "transaction_mode": "IMMEDIATE"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "portal.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "portal.auth.UsernameOrMobileBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # the person's name in pinyin, or digits of their ID number (Zhang2026 for 张伟)
    {"NAME": "portal.passwords.PersonalDataValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploaded materials are private: never served by URL, only through views that check access.
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Spreadsheets read by the portal (portal.xlsx): refused before parsing when they would unpack
# to more than this, or hold more rows / cells in a row than this.
XLSX_MAX_UNCOMPRESSED_BYTES = env.int("XLSX_MAX_UNCOMPRESSED_MB", default=50) * 1024 * 1024
XLSX_MAX_ROWS = env.int("XLSX_MAX_ROWS", default=100_000)
XLSX_MAX_CELLS_PER_ROW = env.int("XLSX_MAX_CELLS_PER_ROW", default=200)
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
# Evidence photos (portal.photos): the largest file, the most pixels, how many per step, and
# the size of the EXIF-free thumbnail people see.
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_MB", default=15) * 1024 * 1024
PHOTO_MAX_PIXELS = env.int("PHOTO_MAX_PIXELS", default=60_000_000)
PHOTO_MAX_COUNT = env.int("PHOTO_MAX_COUNT", default=9)
PHOTO_THUMBNAIL_PX = env.int("PHOTO_THUMBNAIL_PX", default=640)

# Security headers and cookies (tightened further in production).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SAMESITE = "Lax"

# How many reverse proxies (nginx, a load balancer) stand in front of the web processes and
# append to X-Forwarded-For. portal.middleware.client_ip believes only those hops; 0 ignores
# the header (a client can write anything there). Every limit uses that one address.
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)

# django-axes: lock out after repeated failed log-ins.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "portal/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "portal.middleware.client_ip"
# 429 for pages (the template) and the API (JSON with the code "locked_out") alike.
AXES_LOCKOUT_CALLABLE = "portal.views.locked_out"

# API tokens (portal.tokens): days until a person's token expires, a system account's (the
# 12345 hotline), how long an old key keeps working after a rotation from the admin, and how
# many live tokens one account may hold (the oldest are revoked beyond it).
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=30)
API_TOKEN_SYSTEM_DAYS = env.int("API_TOKEN_SYSTEM_DAYS", default=365)
API_TOKEN_ROTATION_GRACE_HOURS = env.int("API_TOKEN_ROTATION_GRACE_HOURS", default=24)
API_TOKEN_MAX_PER_USER = env.int("API_TOKEN_MAX_PER_USER", default=10)
API_TOKEN_LAST_USED_PRECISION_SECONDS = 60

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "portal.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "portal.api_schema.OneWindowAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["portal.api_filters.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "portal.api_errors.exception_handler",
    # JSON nested beyond a bound is a 400, not a RecursionError (portal.api_fields).
    "DEFAULT_PARSER_CLASSES": [
        "portal.api_fields.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # DRF's own get_ident agrees with portal.middleware.client_ip (portal.throttles uses it).
    "NUM_PROXIES": TRUSTED_PROXIES,
    "DEFAULT_THROTTLE_RATES": {"status_lookup": env.str("STATUS_LOOKUP_RATE", default="10/min")},
}
# The public status lookup, on top of STATUS_LOOKUP_RATE per client address: after this many
# wrong tries for one application number in a day its lookup pauses until the next day
# (approvals.services.status_lookup; counted in the shared cache, CACHE_URL).
STATUS_LOOKUP_FAILURES_PER_NUMBER = env.int("STATUS_LOOKUP_FAILURES_PER_NUMBER", default=20)
SPECTACULAR_SETTINGS = {
    "TITLE": "OneWindow 一窗通办 API",
    "DESCRIPTION": "The township one-window portal: register, applications, hall, grid and enforcement.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "StateSetEnum": "approvals.openapi.StateSet",
        "ClockStatusSetEnum": "approvals.openapi.ClockStatusSet",
        "ApplicationChannelEnum": "approvals.openapi.ApplicationChannel",
        "ApplicationOutcomeEnum": "approvals.openapi.ApplicationOutcome",
        "ApplicationApplicantKindEnum": "approvals.openapi.ApplicationApplicantKind",
        "ApplicationReleaseMethodEnum": "approvals.openapi.ApplicationReleaseMethod",
        "ApplicationMaterialStatusEnum": "approvals.openapi.ApplicationMaterialStatus",
        "SuspensionKindEnum": "approvals.openapi.SuspensionKind",
        "ExtensionStatusEnum": "approvals.openapi.ExtensionStatus",
        "NoticeKindEnum": "approvals.openapi.NoticeKind",
        "MatterKindEnum": "approvals.openapi.MatterKind",
        "MatterDelegationModeEnum": "approvals.openapi.MatterDelegationMode",
        "MatterStatusEnum": "approvals.openapi.MatterStatus",
        "MaterialFormEnum": "approvals.openapi.MaterialForm",
        "DelegationInstrumentStatusEnum": "approvals.openapi.DelegationInstrumentStatus",
        "DelegationItemActionEnum": "approvals.openapi.DelegationItemAction",
        "RegisterImportJobStatusEnum": "approvals.openapi.RegisterImportJobStatus",
        "TicketStatusEnum": "approvals.openapi.TicketStatus",
        "TicketPriorityReasonEnum": "approvals.openapi.TicketPriorityReason",
        "TicketSourceEnum": "approvals.openapi.TicketSource",
        "TicketCallOutcomeEnum": "approvals.openapi.TicketCallOutcome",
        "HallDeviceKindEnum": "approvals.openapi.HallDeviceKind",
        "AppointmentStatusEnum": "approvals.openapi.AppointmentStatus",
        "RatingSetEnum": "approvals.openapi.RatingSet",
        "RectificationStatusEnum": "approvals.openapi.RectificationStatus",
        "CallbackMethodEnum": "approvals.openapi.CallbackMethod",
        "DispatchHandlerKindEnum": "grid.openapi.DispatchHandlerKind",
        "RoutingEvaluationStatusEnum": "grid.openapi.RoutingEvaluationStatus",
        "ClockItemKindEnum": "centre.openapi.ClockItemKind",
        "LeadStateSetEnum": "enforcement.openapi.LeadStateSet",
        "LeadSourceSetEnum": "enforcement.openapi.LeadSourceSet",
        "CaseStateSetEnum": "enforcement.openapi.CaseStateSet",
        "ProcedureSetEnum": "enforcement.openapi.ProcedureSet",
        "PenaltySetEnum": "enforcement.openapi.PenaltySet",
        "CircumstanceSetEnum": "enforcement.openapi.CircumstanceSet",
        "DecisionKindSetEnum": "enforcement.openapi.DecisionKindSet",
        "ServiceMethodSetEnum": "enforcement.openapi.ServiceMethodSet",
        "OfficerKindEnum": "enforcement.openapi.OfficerKind",
        "InvestigationRecordKindEnum": "enforcement.openapi.InvestigationRecordKind",
        "EvidenceKindEnum": "enforcement.openapi.EvidenceKind",
        "PaymentMethodEnum": "enforcement.openapi.PaymentMethod",
        "PaymentPlanKindEnum": "enforcement.openapi.PaymentPlanKind",
        "PreservationOutcomeEnum": "enforcement.openapi.PreservationOutcome",
        "CaseSuspensionKindEnum": "enforcement.openapi.CaseSuspensionKind",
        "DiscussionPurposeEnum": "enforcement.openapi.DiscussionPurpose",
        "DiscussionConclusionEnum": "enforcement.openapi.DiscussionConclusion",
        "LegalReviewOpinionEnum": "enforcement.openapi.LegalReviewOpinion",
        "DepartmentKindEnum": "portal.openapi.DepartmentKind",
        "WindowKindEnum": "portal.openapi.WindowKind",
        "ChannelChoicesEnum": "portal.openapi.ChannelChoices",
        "DeliveryStatusEnum": "portal.openapi.DeliveryStatus",
    },
}

CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://onewindow"),
}
# A cache every process shares (production: Redis, CACHE_URL). Only then may something that must
# stop at once when it is revoked be served from the cache: a session (cached_db: written through
# to the database, the signed-out session deleted from both) and what every page asks about the
# signed-in person (portal.user_state: role names and unread count, dropped by a new generation
# in the cache). A per-process memory cache would keep serving them in the other processes.
SHARED_CACHE = not CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache"))
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if SHARED_CACHE
    else "django.contrib.sessions.backends.db"
)
USER_STATE_CACHE = env.bool("USER_STATE_CACHE", default=SHARED_CACHE)
# API tokens (portal.tokens): a live token and its person read from the shared cache, under a
# generation of the token's own that every revocation, expiry change and change to the person
# moves at once and again at commit — only with a cache every process shares, like the above.
API_TOKEN_CACHE = env.bool("API_TOKEN_CACHE", default=SHARED_CACHE)

# The town's map (portal.areas, docs/grid.md). Each process checks the areas' change stamp at
# most this often before answering a point lookup from its in-memory index.
AREA_STAMP_CHECK_SECONDS = env.float("AREA_STAMP_CHECK_SECONDS", default=2.0)
# Change stamps of shared caches (portal.stamps, the centre's board): a process keeps a stamp it
# read for at most this long (a change shows at most this much later); the shared cache keeps
# its copy this long before the database is asked again.
CHANGE_STAMP_MEMO_SECONDS = env.float("CHANGE_STAMP_MEMO_SECONDS", default=1.0)
CHANGE_STAMP_CACHE_SECONDS = env.float("CHANGE_STAMP_CACHE_SECONDS", default=10.0)
# Overlaps between sibling areas, parts outside the parent and gaps smaller than this (m²) are
# drawing noise, not problems.
AREA_OVERLAP_TOLERANCE_M2 = env.float("AREA_OVERLAP_TOLERANCE_M2", default=20.0)
# The map's base layer: none by default (the map works with no internet). An XYZ/WMTS tile URL
# with {z}/{x}/{y} (and {s} for subdomains), e.g. 天地图's vec_w with the town's key; see
# docs/grid.md. MAP_TILE_LABELS_URL adds a label layer over it (天地图 cva_w).
MAP_TILE_URL = env.str("MAP_TILE_URL", default="")
MAP_TILE_LABELS_URL = env.str("MAP_TILE_LABELS_URL", default="")
MAP_TILE_SUBDOMAINS = env.str("MAP_TILE_SUBDOMAINS", default="")
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="")
MAP_TILE_MAX_ZOOM = env.int("MAP_TILE_MAX_ZOOM", default=18)

# Celery: Redis when REDIS_URL is set, else the file-system broker under var/ so that
# `make run` needs nothing but Python.
REDIS_URL = env.str("REDIS_URL", default="")
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fix-up closes the database connections around every task unless this is
# set; portal.celery closes them as Django closes a request's (CONN_MAX_AGE, health checks).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1_000_000)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The static beat schedule: every periodic job of the portal is listed here.
CELERY_BEAT_SCHEDULE = {
    "deemed-acceptance-sweep": {
        "task": "approvals.tasks.sweep_deemed_acceptances",
        "schedule": env.float("DEEMED_ACCEPTANCE_SWEEP_SECONDS", default=900.0),
    },
    "calendar-next-year-check": {
        "task": "portal.tasks.check_calendar_next_year",
        "schedule": crontab(
            minute=env.str("CALENDAR_CHECK_MINUTE", default="5"),
            hour=env.str("CALENDAR_CHECK_HOUR", default="8"),
        ),
    },
    # The hall: appointment no-shows after their slot, yesterday's leftover tickets.
    "hall-sweep": {
        "task": "approvals.tasks.hall_sweep",
        "schedule": env.float("HALL_SWEEP_SECONDS", default=300.0),
    },
}

# Queues: "celery" (sweeps and everything else) and NOTIFICATIONS_QUEUE (e-mail/SMS sends), so
# a slow mail server never delays a sweep. A worker started without -Q consumes both.
NOTIFICATIONS_QUEUE = env.str("NOTIFICATIONS_QUEUE", default="notifications")
CELERY_TASK_DEFAULT_QUEUE = "celery"
# A worker that consumes only the sweeps' queue (not the sends') lowers its CPU priority by this
# much when it starts (portal.celery): the sweeps and the 5-minute forecast (tens of seconds of
# CPU at full size) yield the cores to the web workers instead of stalling every request for
# their duration. 0 keeps the priority.
SWEEPS_WORKER_NICE = env.int("SWEEPS_WORKER_NICE", default=10)
# ... and asks PostgreSQL for no parallel workers (they run at normal priority: portal.background).
SWEEPS_SERIAL_QUERIES = env.bool("SWEEPS_SERIAL_QUERIES", default=True)
# The sends' worker (the notifications queue alone) yields too, less: a sweep's fan-out of
# hundreds of sends took a core from the web for seconds under load (issue 19). 0: no change.
SENDS_WORKER_NICE = env.int("SENDS_WORKER_NICE", default=5)
# The web process's garbage collector (portal.gc_tuning): young, middle and old thresholds,
# applied once the WSGI application is built. Python's defaults are 700, 10, 10.
try:
    WEB_GC_THRESHOLDS = tuple(env.list("WEB_GC_THRESHOLDS", cast=int, default=[50_000, 20, 100]))
except ValueError:
    WEB_GC_THRESHOLDS = ()
if len(WEB_GC_THRESHOLDS) != 3 or min(WEB_GC_THRESHOLDS) < 1:
    raise ImproperlyConfigured("WEB_GC_THRESHOLDS: three positive integers, e.g. 50000,20,100")
# Heavy periodic jobs (the reminder sweep, the forecast) one at a time (portal.background): one
# that finds another running waits this long for it, then leaves its turn to the next period.
HEAVY_SLOT_WAIT_SECONDS = env.float("HEAVY_SLOT_WAIT_SECONDS", default=120)
HEAVY_SLOT_POLL_SECONDS = env.float("HEAVY_SLOT_POLL_SECONDS", default=1)
# Each queue its own direct exchange and routing key: a bare Queue(name) would be bound to the
# "celery" exchange with key "celery" and receive a copy of every default-queue message.
CELERY_TASK_QUEUES = tuple(
    Queue(name, Exchange(name, type="direct"), routing_key=name)
    for name in dict.fromkeys(["celery", NOTIFICATIONS_QUEUE])
)
CELERY_TASK_ROUTES = {
    "portal.tasks.send_delivery": {"queue": NOTIFICATIONS_QUEUE},
    "portal.tasks.send_deliveries": {"queue": NOTIFICATIONS_QUEUE},
    "portal.tasks.fan_out_deliveries": {"queue": NOTIFICATIONS_QUEUE},
}

# Reminders and the notification outbox (portal.reminders, portal.notifications;
# docs/operations.md). The reminder sweep runs every registered rule (including the
# calendar's "next year missing" check); the outbox sweep re-enqueues what the broker lost.
REMINDER_SWEEP_MINUTES = env.float("REMINDER_SWEEP_MINUTES", default=5)
REMINDER_SWEEP_CHUNK = env.int("REMINDER_SWEEP_CHUNK", default=1000)
REMINDER_SWEEP_LIMIT = env.int("REMINDER_SWEEP_LIMIT", default=20000)
# A sweep keeps to its time (well under sweep_reminders' soft time limit, 240 s): each rule stops
# after REMINDER_RULE_SECONDS, no rule starts after REMINDER_SWEEP_SECONDS; the next sweep
# resumes where they stopped.
REMINDER_RULE_SECONDS = env.float("REMINDER_RULE_SECONDS", default=30)
REMINDER_SWEEP_SECONDS = env.float("REMINDER_SWEEP_SECONDS", default=150)
REMINDER_OUTBOX_SWEEP_SECONDS = env.float("REMINDER_OUTBOX_SWEEP_SECONDS", default=60)
REMINDER_OUTBOX_GRACE_SECONDS = env.float("REMINDER_OUTBOX_GRACE_SECONDS", default=60)
REMINDER_OUTBOX_REQUEUE_AFTER_SECONDS = env.float(
    "REMINDER_OUTBOX_REQUEUE_AFTER_SECONDS", default=900
)
REMINDER_OUTBOX_BATCH = env.int("REMINDER_OUTBOX_BATCH", default=2000)
REMINDER_FANOUT_THRESHOLD = env.int("REMINDER_FANOUT_THRESHOLD", default=50)
REMINDER_FANOUT_CHUNK = env.int("REMINDER_FANOUT_CHUNK", default=1000)
# Rows are sent this many to a task (portal.tasks.send_deliveries: one claim, one mail
# connection, sent rows marked every REMINDER_SEND_MARK_EVERY rows or second — what a worker
# dying mid-batch can send twice); a task gives back what it has not tried after
# REMINDER_SEND_BATCH_SECONDS. A task per row cost a sweep's ~2,500 sends ~0.3 of a core for
# 45 s under load (issue 19). 1: one task per row.
REMINDER_SEND_BATCH = env.int("REMINDER_SEND_BATCH", default=50)
REMINDER_SEND_MARK_EVERY = env.int("REMINDER_SEND_MARK_EVERY", default=10)
REMINDER_SEND_BATCH_SECONDS = env.float("REMINDER_SEND_BATCH_SECONDS", default=60)
REMINDER_SEND_MAX_ATTEMPTS = env.int("REMINDER_SEND_MAX_ATTEMPTS", default=5)
REMINDER_SEND_BACKOFF_SECONDS = env.float("REMINDER_SEND_BACKOFF_SECONDS", default=60)
REMINDER_SEND_BACKOFF_MAX_SECONDS = env.float("REMINDER_SEND_BACKOFF_MAX_SECONDS", default=1800)
# A row claimed ("sending") longer than this belongs to a dead worker and is sent again.
REMINDER_SEND_LEASE_SECONDS = env.float(
    "REMINDER_SEND_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 60
)
CELERY_BEAT_SCHEDULE.update(
    {
        "reminder-sweep": {
            "task": "portal.tasks.sweep_reminders",
            "schedule": timedelta(minutes=REMINDER_SWEEP_MINUTES),
            # A sweep that could not start before the next one is due is dropped, not stacked.
            "options": {"expires": max(REMINDER_SWEEP_MINUTES * 60 - 10, 10)},
        },
        "outbox-sweep": {
            "task": "portal.tasks.sweep_outbox",
            "schedule": timedelta(seconds=REMINDER_OUTBOX_SWEEP_SECONDS),
            "options": {"expires": max(REMINDER_OUTBOX_SWEEP_SECONDS - 5, 5)},
        },
    }
)

# SMS gateway (portal.sms): console locally; "http" with SMS_URL/SMS_KEY in production.
# SMS_TEMPLATE_IDS maps a message kind to the gateway's approved template ("*" = default):
# SMS_TEMPLATE_IDS=calendar.next_year_missing=SMS_0001,*=SMS_0000
SMS_BACKEND = env.str("SMS_BACKEND", default="console")
SMS_URL = env.str("SMS_URL", default="")
SMS_KEY = env.str("SMS_KEY", default="")
SMS_TEMPLATE_IDS = env.dict("SMS_TEMPLATE_IDS", default={})
SMS_TIMEOUT = env.float("SMS_TIMEOUT", default=10)
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(VAR_DIR / "sms.jsonl"))

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="onewindow@localhost")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))

# The one public base URL of the site (issue 16): notices' QR codes and links, links in e-mail
# and SMS (portal.site.site_url). `make run` sets it from its port; docker compose passes it
# from the environment; production refuses to start without an https one. PUBLIC_BASE_URL is
# the old name, still read.
SITE_URL = env.str("SITE_URL", default=env.str("PUBLIC_BASE_URL", default="")).rstrip("/")
SITE_URL_CONFIGURED = bool(SITE_URL)
SITE_URL = SITE_URL or "http://127.0.0.1:8000"

# The town this installation serves.
ONEWINDOW = {
    "TOWN_NAME": env.str("TOWN_NAME", default="下埠镇"),
    "TOWN_NAME_EN": env.str("TOWN_NAME_EN", default="Xiabu Town"),
    # The hall (便民服务中心) as the home page and the guide show it.
    "HALL_ADDRESS": env.str("HALL_ADDRESS", default="下埠镇人民路88号便民服务中心一楼"),
    "HALL_ADDRESS_EN": env.str(
        "HALL_ADDRESS_EN", default="Service Centre, ground floor, 88 Renmin Road, Xiabu Town"
    ),
    "HALL_HOURS": env.str(
        "HALL_HOURS", default="周一至周五 8:30–12:00，14:30–17:30（法定节假日除外）"
    ),
    "HALL_HOURS_EN": env.str(
        "HALL_HOURS_EN",
        default="Monday to Friday 8:30–12:00 and 14:30–17:30 (closed on public holidays)",
    ),
    "HALL_PHONE": env.str("HALL_PHONE", default="0799-3721234"),
    "COMPLAINT_PHONE": env.str("COMPLAINT_PHONE", default="12345"),
    "TOWN_CODE": env.str("TOWN_CODE", default="360313"),
    "PUBLIC_BASE_URL": SITE_URL,  # the old name of SITE_URL, kept for code that reads it
    # Calendar years are checked from this month on for next year's data.
    "CALENDAR_CHECK_FROM_MONTH": env.int("CALENDAR_CHECK_FROM_MONTH", default=11),
    # A bad rating (不满意/非常不满意) must be rectified within this many working days.
    "RECTIFICATION_DAYS": env.int("RECTIFICATION_DAYS", default=15),
    # Dashboards (issue 8): rollups of the last N days are rebuilt by the beat task; the
    # big-screen mode refreshes itself every N seconds; an export holds at most N rows.
    "DASHBOARD_ROLLUP_LOOKBACK_DAYS": env.int("DASHBOARD_ROLLUP_LOOKBACK_DAYS", default=31),
    "DASHBOARD_REFRESH_SECONDS": env.int("DASHBOARD_REFRESH_SECONDS", default=60),
    "DASHBOARD_EXPORT_MAX_ROWS": env.int("DASHBOARD_EXPORT_MAX_ROWS", default=50000),
    # Register imports (issue 16): retiring more than this share of the matters in force needs
    # the number typed in; an import's retirements can be undone for this many days.
    "REGISTER_RETIRE_CONFIRM_SHARE": env.float("REGISTER_RETIRE_CONFIRM_SHARE", default=0.2),
    "REGISTER_IMPORT_UNDO_DAYS": env.int("REGISTER_IMPORT_UNDO_DAYS", default=30),
    # Incidents (issue 12): a reporter may reopen a closed incident within N days.
    "INCIDENT_REOPEN_DAYS": env.int("INCIDENT_REOPEN_DAYS", default=7),
}

# Enforcement (issue 14): the bureau's configurable rules. Law-fixed periods live in
# enforcement/legal.py; what a bureau may set is here.
ENFORCEMENT = {
    # Document numbers per kind and year: {town} short town name, {kind} the kind's mark,
    # {year}, {n} the sequence (e.g. "{town}综执{kind}字〔{year}〕第{n}号").
    "DOCUMENT_NUMBER_FORMAT": env.str(
        "ENFORCEMENT_DOCUMENT_NUMBER_FORMAT", default="{town}综执{kind}字〔{year}〕{n}号"
    ),
    "CASE_NUMBER_FORMAT": env.str(
        "ENFORCEMENT_CASE_NUMBER_FORMAT", default="{town_code}ZF{year}{seq:06d}"
    ),
    "LEAD_NUMBER_FORMAT": env.str(
        "ENFORCEMENT_LEAD_NUMBER_FORMAT", default="{town_code}XS{year}{seq:06d}"
    ),
    # The statement (陈述申辩) period after the notice, in working days.
    "STATEMENT_DAYS": env.int("ENFORCEMENT_STATEMENT_DAYS", default=5),
    # Major cases (法制审核 art. 58): fines from these amounts (yuan), licence revocation,
    # closure, every hearing case, any fine outside the benchmark.
    "MAJOR_FINE_PERSON": env.int("ENFORCEMENT_MAJOR_FINE_PERSON", default=10_000),
    "MAJOR_FINE_ORGANISATION": env.int("ENFORCEMENT_MAJOR_FINE_ORGANISATION", default=100_000),
    "MAJOR_PENALTIES": env.list(
        "ENFORCEMENT_MAJOR_PENALTIES", default=["licence_revocation", "closure"]
    ),
    # Collective discussion (集体讨论, art. 57): fines from these amounts and these penalties.
    "DISCUSSION_FINE_PERSON": env.int("ENFORCEMENT_DISCUSSION_FINE_PERSON", default=10_000),
    "DISCUSSION_FINE_ORGANISATION": env.int(
        "ENFORCEMENT_DISCUSSION_FINE_ORGANISATION", default=100_000
    ),
    "DISCUSSION_PENALTIES": env.list(
        "ENFORCEMENT_DISCUSSION_PENALTIES", default=["licence_revocation", "closure"]
    ),
    # Hearing rights (art. 63): "larger" fines and the heavier penalties.
    "HEARING_FINE_PERSON": env.int("ENFORCEMENT_HEARING_FINE_PERSON", default=10_000),
    "HEARING_FINE_ORGANISATION": env.int("ENFORCEMENT_HEARING_FINE_ORGANISATION", default=100_000),
    "HEARING_PENALTIES": env.list(
        "ENFORCEMENT_HEARING_PENALTIES",
        default=["licence_suspension", "licence_revocation", "production_suspension", "closure"],
    ),
    # The first extension of the 90-day decision limit (by the bureau head), in days.
    "DECISION_EXTENSION_DAYS": env.int("ENFORCEMENT_DECISION_EXTENSION_DAYS", default=30),
    # Publication (执法公示): within N working days of the decision; taken down after N years.
    "PUBLICATION_DAYS": env.int("ENFORCEMENT_PUBLICATION_DAYS", default=7),
    "PUBLICATION_YEARS_ORGANISATION": env.int("ENFORCEMENT_PUBLICATION_YEARS_ORG", default=5),
    "PUBLICATION_YEARS_PERSON": env.int("ENFORCEMENT_PUBLICATION_YEARS_PERSON", default=2),
    "PUBLICATION_REMINDER_DAYS": env.int("ENFORCEMENT_PUBLICATION_REMINDER_DAYS", default=30),
    # Certificates are reminded this many days before they expire.
    "CERTIFICATE_REMINDER_DAYS": env.int("ENFORCEMENT_CERTIFICATE_REMINDER_DAYS", default=30),
}
# The rating link sent to a reporter or hotline caller when an incident closes stays valid
# this many days.
INCIDENT_RATING_LINK_DAYS = env.int("INCIDENT_RATING_LINK_DAYS", default=30)

CELERY_BEAT_SCHEDULE["enforcement-sweep"] = {
    "task": "enforcement.tasks.sweep",
    "schedule": timedelta(minutes=env.float("ENFORCEMENT_SWEEP_MINUTES", default=30)),
    "options": {"expires": 600},
}

# Office hours of the town's departments on working days (portal.workdays.is_working_time):
# routing rules tell "working hours" from "nights and holidays" by them. "HH:MM-HH:MM", several
# separated by commas (e.g. "08:30-12:00,14:30-17:30").
WORKING_HOURS = env.str("WORKING_HOURS", default="08:30-17:30")

# Dispatch (issue 13): work orders to departments, their sign-for limit and escalation.
DISPATCH = {
    # Sign for (签收) an urgent order within N minutes (the centre never sleeps) …
    "SIGN_FOR_URGENT_MINUTES": env.int("DISPATCH_SIGN_FOR_URGENT_MINUTES", default=30),
    # … any other within N working days. Not signed by then: the department is reminded; one
    # more such period: its head; one more: the centre presses (督办).
    "SIGN_FOR_WORKING_DAYS": env.int("DISPATCH_SIGN_FOR_WORKING_DAYS", default=1),
    # A 12345 hotline order may be returned only within N working days, with the legal basis.
    "HOTLINE_RETURN_WORKING_DAYS": env.int("DISPATCH_HOTLINE_RETURN_WORKING_DAYS", default=1),
}
CELERY_BEAT_SCHEDULE["dispatch-lead-outcomes"] = {
    "task": "grid.tasks.sync_lead_outcomes",
    "schedule": timedelta(minutes=env.float("DISPATCH_LEAD_SYNC_MINUTES", default=60)),
    "options": {"expires": 600},
}

# Dashboards (issue 8): the daily rollups of recent days are rebuilt every few minutes.
DASHBOARD_ROLLUP_MINUTES = env.float("DASHBOARD_ROLLUP_MINUTES", default=10)
CELERY_BEAT_SCHEDULE["dashboard-rollup"] = {
    "task": "approvals.tasks.dashboard_rollup_recent",
    "schedule": timedelta(minutes=DASHBOARD_ROLLUP_MINUTES),
    "options": {"expires": max(DASHBOARD_ROLLUP_MINUTES * 60 - 10, 10)},
}

# Call-outs (出动, 1-2-3-45; enforcement/models/callouts.py, docs/centre.md): minutes from the
# call to respond, accept, set out and be on site; the radius (m) within which the phone's
# position must lie for "on site"; how often the sweep escalates missed steps (seconds).
CALLOUTS = {
    "RESPOND_MINUTES": env.int("CALLOUT_RESPOND_MINUTES", default=1),
    "ACCEPT_MINUTES": env.int("CALLOUT_ACCEPT_MINUTES", default=2),
    "SET_OUT_MINUTES": env.int("CALLOUT_SET_OUT_MINUTES", default=3),
    "ON_SITE_MINUTES": env.int("CALLOUT_ON_SITE_MINUTES", default=45),
    "RADIUS_M": env.int("CALLOUT_RADIUS_M", default=500),
    # Escalations only for call-outs of the last N hours (history loaded later is not told).
    "ESCALATE_WITHIN_HOURS": env.int("CALLOUT_ESCALATE_WITHIN_HOURS", default=12),
}
CALLOUT_SWEEP_SECONDS = env.float("CALLOUT_SWEEP_SECONDS", default=15.0)
CELERY_BEAT_SCHEDULE["callout-sweep"] = {
    "task": "enforcement.tasks.callout_sweep",
    "schedule": timedelta(seconds=CALLOUT_SWEEP_SECONDS),
    "options": {"expires": max(CALLOUT_SWEEP_SECONDS - 2, 2)},
}

# The command centre (centre/, docs/centre.md): the board's pages poll this often (seconds);
# the board's figures are recomputed at least every TICK seconds even when nothing was written
# (clocks turn yellow and red by themselves); the dispatchers' shifts as "name=HH:MM-HH:MM".
CENTRE = {
    "POLL_SECONDS": env.int("CENTRE_POLL_SECONDS", default=3),
    "TICK_SECONDS": env.int("CENTRE_TICK_SECONDS", default=15),
    # A board panel whose data moved is computed again at most this often (its previous version
    # is shown meanwhile): a new report shows within this long plus a poll, and a busy day's
    # stream of reports costs one computation per panel per interval, not one per poll.
    "PANEL_MIN_SECONDS": env.int("CENTRE_PANEL_MIN_SECONDS", default=10),
    "SHIFTS": env.list("CENTRE_SHIFTS", default=["day=08:00-20:00", "night=20:00-08:00"]),
    "LATE_LIST": env.int("CENTRE_LATE_LIST", default=20),
    # The map draws each open incident as a pin up to this many; beyond, the urgent ones stay
    # pins and the others come as one cluster per grid (grid.selectors.overview.map_layer).
    "MAP_PINS": env.int("CENTRE_MAP_PINS", default=3000),
    # The forecast: completions of the last N working days give each holder's pace.
    "FORECAST_WINDOW_DAYS": env.int("CENTRE_FORECAST_WINDOW_DAYS", default=20),
    "FORECAST_CACHE_SECONDS": env.int("CENTRE_FORECAST_CACHE_SECONDS", default=300),
}
CELERY_BEAT_SCHEDULE["centre-forecast"] = {
    "task": "centre.tasks.forecast_refresh",
    "schedule": timedelta(seconds=CENTRE["FORECAST_CACHE_SECONDS"]),
    "options": {"expires": max(CENTRE["FORECAST_CACHE_SECONDS"] - 10, 10)},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
