"""Reads by key planned with their joins as written (portal.planner, issue 19): the setting
holds for the statement it is sent with and for nothing else, and the wide reads of the
application's pages and API run under it."""

import re

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from approvals.models import Application
from portal.planner import joins_as_written
from tests.approvals.app_fixtures import World
from tests.approvals.staff_fixtures import submitted

WIDE_APPLICATION_READ = re.compile(r'^SELECT .* FROM "approvals_application" (.*JOIN){5}', re.S)


def _limit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s)", ["join_collapse_limit"])
        return cursor.fetchone()[0]


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL planner setting")


def test_the_setting_holds_for_each_select_inside_and_nothing_else(transactional_db, postgres):
    default = _limit()
    assert default != "1"
    with joins_as_written():
        assert _limit() == "1"
        assert _limit() == "1"  # each statement carries it
        with transaction.atomic():
            assert _limit() == default  # it would outlast the statement: not sent
        with connection.cursor() as cursor:
            cursor.execute("SHOW join_collapse_limit")  # not a SELECT: sent as it is
            assert cursor.fetchone()[0] == default
        World()
        ids = list(Application.objects.order_by("pk").values_list("pk", flat=True))
        # a server-side cursor (DECLARE takes one statement) is left alone
        assert (
            list(
                Application.objects.order_by("pk")
                .values_list("pk", flat=True)
                .iterator(chunk_size=2)
            )
            == ids
        )
    assert _limit() == default


def test_a_decorated_function_gets_it_on_every_call(transactional_db, postgres):
    @joins_as_written()
    def read():
        return _limit()

    assert [read(), read(), _limit()] == ["1", "1", _limit()]


def test_params_with_percent_and_semicolons_pass_through(transactional_db, postgres):
    with joins_as_written(), connection.cursor() as cursor:
        cursor.execute("SELECT %s, %s", ["50%; DROP TABLE x; --", "'"])
        assert cursor.fetchone() == ("50%; DROP TABLE x; --", "'")


def _under_planner(fn):
    """Each wide read of an application made by ``fn()``: was ``joins_as_written`` active?"""
    seen = []

    def record(execute, sql, params, many, context):
        if WIDE_APPLICATION_READ.match(sql):
            seen.append(
                any(
                    getattr(w, "__qualname__", "") == "joins_as_written.<locals>.prefixed"
                    for w in connection.execute_wrappers
                )
            )
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = fn()
    return response, seen


def test_the_application_pages_and_api_read_it_under_the_setting(db):
    world = World()
    app = submitted(world)
    staff = Client()
    staff.force_login(world.clerk)
    resident = Client()
    resident.force_login(world.citizen)
    api = APIClient()
    api.force_authenticate(world.clerk)
    for i, fn in enumerate(
        (
            lambda: staff.get(reverse("approvals:staff-application", args=[app.number])),
            lambda: resident.get(reverse("approvals:application-detail", args=[app.number])),
            lambda: api.get(f"/api/v1/applications/{app.number}/"),
        )
    ):
        response, seen = _under_planner(fn)
        assert response.status_code == 200, response.content[:300]
        assert seen and all(seen), (i, seen)


def test_the_pages_render_with_it_sent(transactional_db, postgres):
    world = World()
    app = submitted(world)
    staff = Client()
    staff.force_login(world.clerk)
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = staff.get(reverse("approvals:staff-application", args=[app.number]))
    assert response.status_code == 200
    assert app.number in response.content.decode()
    api = APIClient()
    api.force_authenticate(world.clerk)
    body = api.get(f"/api/v1/applications/{app.number}/").json()
    assert body["number"] == app.number
    assert len(body["materials"]) == app.materials.count()
