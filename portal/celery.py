import os

from celery import Celery
from celery.signals import celeryd_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def queues_of(option) -> set[str]:
    """The queues a worker's -Q names (a comma-separated string or a list); empty: all."""
    if not option:
        return set()
    names = option.split(",") if isinstance(option, str) else list(option)
    return {n.strip() for n in names if n.strip()}


def sweeps_only(queues: set[str], notifications_queue: str) -> bool:
    return bool(queues) and notifications_queue not in queues


@celeryd_init.connect
def _lower_the_sweeps_priority(sender=None, instance=None, conf=None, options=None, **kwargs):
    """Before the pool forks: a worker of the sweeps' queue alone runs at a lower CPU priority
    (SWEEPS_WORKER_NICE), inherited by its pool's processes, and its queries use no parallel
    workers of PostgreSQL (portal.background.serial_queries)."""
    from django.conf import settings

    if not sweeps_only(queues_of((options or {}).get("queues")), settings.NOTIFICATIONS_QUEUE):
        return
    step = int(getattr(settings, "SWEEPS_WORKER_NICE", 0) or 0)
    if step > 0:
        os.nice(step)
    if settings.SWEEPS_SERIAL_QUERIES:
        from portal import background

        background.serial_queries()
