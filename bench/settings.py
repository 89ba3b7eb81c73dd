"""Settings of the benchmarks: production-like (DEBUG off, persistent database connections as
with CONN_MAX_AGE or pgbouncer in production), on the database named by DATABASE_URL, with
bench.urls adding the bare Django JSON view that serves as the framework's floor."""

import os

if not os.environ.get("DATABASE_URL"):
    raise SystemExit("Set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/bench).")

from portal.settings.test import *  # noqa: E402, F403
from portal.settings.test import DATABASES  # noqa: E402

DEBUG = False
ROOT_URLCONF = "bench.urls"
DATABASES["default"]["CONN_MAX_AGE"] = 600
AXES_ENABLED = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
# Production's default (the test settings check the areas' change stamp before every lookup).
AREA_STAMP_CHECK_SECONDS = 2.0
CHANGE_STAMP_MEMO_SECONDS = 1.0
CHANGE_STAMP_CACHE_SECONDS = 10.0
