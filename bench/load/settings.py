"""The production settings (portal.settings.production: everything it refuses to start without
comes from the environment, as in docker-compose), plus bench.urls' floor views so that the same
gunicorn serves the bare Django view in the same run."""

from portal.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
