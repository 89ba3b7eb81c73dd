import os

from celery import Celery
from celery.signals import celeryd_init, task_postrun, task_prerun

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


def sends_only(queues: set[str], notifications_queue: str) -> bool:
    return queues == {notifications_queue}


@celeryd_init.connect
def _lower_the_sweeps_priority(sender=None, instance=None, conf=None, options=None, **kwargs):
    """Before the pool forks: a worker of the sweeps' queue alone runs at a lower CPU priority
    (SWEEPS_WORKER_NICE), inherited by its pool's processes, and its queries use no parallel
    workers of PostgreSQL (portal.background.serial_queries); a worker of the sends' queue alone
    yields a little less (SENDS_WORKER_NICE): a sweep's hundreds of e-mails and SMS otherwise
    took a core from the web for the seconds they were sent."""
    from django.conf import settings

    queues = queues_of((options or {}).get("queues"))
    if sends_only(queues, settings.NOTIFICATIONS_QUEUE):
        step = int(getattr(settings, "SENDS_WORKER_NICE", 0) or 0)
        if step > 0:
            os.nice(step)
        return
    if not sweeps_only(queues, settings.NOTIFICATIONS_QUEUE):
        return
    step = int(getattr(settings, "SWEEPS_WORKER_NICE", 0) or 0)
    if step > 0:
        os.nice(step)
    if settings.SWEEPS_SERIAL_QUERIES:
        from portal import background

        background.serial_queries()


@task_prerun.connect
@task_postrun.connect
def _keep_database_connections(sender=None, **kwargs):
    """A task's database connections live as a request's do (CONN_MAX_AGE, health checks):
    Celery's own Django fix-up closes every connection before and after each task unless
    CELERY_DB_REUSE_MAX is set (settings: set, so that it does not), and one task per e-mail or
    SMS then opened a new PostgreSQL connection each — ~5 ms of the worker's CPU and 9–15 ms of
    PostgreSQL's per send (bench/sends.py, issue 19). Eager tasks (tests) run inside the
    caller's transaction: left alone, as Celery leaves them."""
    request = getattr(sender, "request", None)
    if getattr(request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
