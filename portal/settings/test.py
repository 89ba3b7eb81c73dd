"""Test settings. The database is chosen in this order: DATABASE_URL; PostgreSQL on
127.0.0.1:5432 when it answers; SQLite (with a notice printed by tests/conftest.py)."""

import hashlib
import os
import socket
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR, REDIS_URL, env, without_jit

CHECKOUT_ID = hashlib.sha1(str(BASE_DIR).encode()).hexdigest()[:6]


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


if os.environ.get("DATABASE_URL"):
    DATABASE_CHOICE = "DATABASE_URL"
    DATABASES = {"default": env.db("DATABASE_URL")}
elif _answers("127.0.0.1", 5432):
    # One database per checkout, so two checkouts testing at once never share test_<name>.
    DATABASE_CHOICE = "postgresql-local"
    DATABASES = {
        "default": env.db_url_config(f"postgres://postgres@127.0.0.1:5432/onewindow_{CHECKOUT_ID}")
    }
else:
    DATABASE_CHOICE = "sqlite"
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
without_jit(DATABASES["default"])

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A worker process started by an integration test may be given a file-based (or failing)
# e-mail/SMS backend through the environment; the test process itself uses memory.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
SMS_BACKEND = env.str("SMS_BACKEND", default="locmem")
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="onewindow-test-media-"))
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="onewindow-test-static-"))
WHITENOISE_AUTOREFRESH = True
CELERY_TASK_ALWAYS_EAGER = False
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
LANGUAGE_CODE = "zh-hans"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
AREA_STAMP_CHECK_SECONDS = 0.0
# Tests see a change stamp at once (no memo, no cached copy: several processes in the journeys).
CHANGE_STAMP_MEMO_SECONDS = 0.0
CHANGE_STAMP_CACHE_SECONDS = 0.0
# One process (and its live server's threads) share the memory cache: cache what production
# caches in Redis, so the tests see its invalidation.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
USER_STATE_CACHE = env.bool("USER_STATE_CACHE", default=True)
API_TOKEN_CACHE = env.bool("API_TOKEN_CACHE", default=True)
# The board computes a moved panel on the next poll (a test that wants the interval sets it).
CENTRE = {**CENTRE, "PANEL_MIN_SECONDS": 0}  # noqa: F405

# Without REDIS_URL, a local Redis (when it answers) serves the tests on a database of this
# checkout's own, so the test process and the workers it starts use the same broker.
if not REDIS_URL and _answers("127.0.0.1", 6379):
    REDIS_URL = f"redis://127.0.0.1:6379/{1 + int(CHECKOUT_ID, 16) % 15}"
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
