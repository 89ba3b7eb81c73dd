"""Local running: the embedded defaults that `make run` uses (SQLite, file-system broker).

`make run` shows the product as its users see it: friendly error pages, no debug page.
A developer who wants Django's debug page asks for it: `DEBUG=1 make run`."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = env.bool("DEBUG", default=False)
VAR_DIR.mkdir(parents=True, exist_ok=True)
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Static files straight from static/ (no stale copy after an edit), with or without DEBUG.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
