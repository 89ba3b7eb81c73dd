"""A task's database connections live as a request's do (portal.celery, issue 19): Celery's
fix-up no longer closes them around every task; CONN_MAX_AGE and errors decide."""

from types import SimpleNamespace

import pytest
from django.db import connection

from portal import celery as portal_celery


def _task(eager=False):
    return SimpleNamespace(request=SimpleNamespace(is_eager=eager))


def test_celery_is_told_not_to_close_connections_itself():
    assert portal_celery.app.conf.get("CELERY_DB_REUSE_MAX") >= 10_000


@pytest.mark.django_db(transaction=True)
def test_a_connection_outlives_a_task_within_conn_max_age(settings):
    connection.settings_dict["CONN_MAX_AGE"] = 60
    try:
        connection.close()
        connection.ensure_connection()
        portal_celery._keep_database_connections(sender=_task())  # the prerun
        raw = connection.connection
        portal_celery._keep_database_connections(sender=_task())  # the postrun
        portal_celery._keep_database_connections(sender=_task())  # the next task's prerun
        assert connection.connection is raw
        # An error on the connection: it is dropped at the end of the task, as after a request.
        connection.errors_occurred = True
        connection.close_at = 0  # and its age is up
        portal_celery._keep_database_connections(sender=_task())
        assert connection.connection is None
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = 0
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_without_conn_max_age_a_task_closes_its_connection():
    connection.ensure_connection()
    connection.close_at = 0
    portal_celery._keep_database_connections(sender=_task())
    assert connection.connection is None


@pytest.mark.django_db
def test_an_eager_task_leaves_the_callers_transaction_alone():
    connection.ensure_connection()
    raw = connection.connection
    portal_celery._keep_database_connections(sender=_task(eager=True))
    assert connection.connection is raw
