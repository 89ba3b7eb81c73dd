"""The board's change stamps (centre.selectors.stamp over portal.stamps): each app's own stamp
moves with what the board shows of it — not with an audited act elsewhere — only the panels of
the data that changed are computed again, the stamp is read without a query when it is fresh,
and the map gathers many incidents per grid without leaving any out."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from rest_framework.test import APIClient

from centre.selectors import board, stamp
from centre.selectors import map as map_sel
from grid import stamps as grid_stamps
from portal import audit, stamps
from portal.models import ChangeStamp
from tests.centre.town import NOW, TODAY, at, travel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_memo():
    stamps.forget()
    yield
    stamps.forget()


def test_an_audited_act_elsewhere_leaves_the_board_alone_and_a_report_moves_it(
    ctown, django_capture_on_commit_callbacks
):
    api = APIClient()
    api.force_authenticate(ctown.dispatcher)
    with travel(NOW):
        first = api.get("/api/v1/centre/board/")
        etag = first["ETag"]
        keys = stamp.panel_keys(NOW)
        # a resident viewing personal data, a matter edited: audited, not on the board
        with django_capture_on_commit_callbacks(execute=True):
            audit.record(actor=ctown.dispatcher, action="portal.personal_data_viewed")
        same = api.get("/api/v1/centre/board/", HTTP_IF_NONE_MATCH=etag)
        assert same.status_code == 304
        assert stamp.panel_keys(NOW) == keys
        # a new report: on the board
        with django_capture_on_commit_callbacks(execute=True):
            ctown._report(ctown.grid.citizen, "ORD", ctown.grid.V2G1, NOW.replace(minute=0))
        changed = api.get("/api/v1/centre/board/", HTTP_IF_NONE_MATCH=etag)
        assert changed.status_code == 200 and changed["ETag"] != etag
        assert changed.json()["new_reports"]["total"] == first.json()["new_reports"]["total"] + 1
    moved = {p for p, k in stamp.panel_keys(NOW).items() if k != keys[p]}
    assert moved == {"new_reports", "incidents", "dispatch", "late"}


def test_only_the_panels_whose_stamp_moved_are_computed_again(
    ctown, monkeypatch, django_capture_on_commit_callbacks
):
    with travel(NOW):
        _stamp, before = board.board(NOW)
    computed = []
    for name, fn in list(board.PANELS.items()):
        monkeypatch.setitem(
            board.PANELS, name, lambda now, fn=fn, name=name: computed.append(name) or fn(now)
        )
    with django_capture_on_commit_callbacks(execute=True):
        ctown._report(ctown.grid.citizen, "ORD", ctown.grid.V2G1, NOW.replace(minute=0))
    with travel(NOW):
        _stamp, after = board.board(NOW)
    assert sorted(computed) == ["dispatch", "incidents", "late", "new_reports"]
    assert after["incidents"]["totals"]["open"] == before["incidents"]["totals"]["open"] + 1
    assert after["cases"] == before["cases"] and after["applications"] == before["applications"]


def test_a_change_in_a_transaction_rolled_back_moves_nothing(
    ctown, django_capture_on_commit_callbacks
):
    before = stamps.read_many([grid_stamps.INCIDENTS])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                ctown._report(ctown.grid.citizen, "ORD", ctown.grid.V2G1, NOW.replace(minute=0))
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert not callbacks
    assert stamps.read_many([grid_stamps.INCIDENTS]) == before


def test_a_stamp_moves_once_per_transaction_whatever_it_saves(
    ctown, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            stamps.bump_on_commit(grid_stamps.INCIDENTS)
            stamps.bump_on_commit(grid_stamps.INCIDENTS, grid_stamps.DISPATCH)
    assert [getattr(c, "stamp_key", None) for c in callbacks] == [
        grid_stamps.INCIDENTS,
        grid_stamps.DISPATCH,
    ]
    values = stamps.read_many([grid_stamps.INCIDENTS, grid_stamps.DISPATCH])
    stored = dict(ChangeStamp.objects.values_list("key", "value"))
    assert values[grid_stamps.INCIDENTS] == stored[grid_stamps.INCIDENTS] != 0


def test_the_stamp_is_read_from_the_cache_and_memo_without_a_query(
    ctown, settings, django_assert_num_queries
):
    settings.CHANGE_STAMP_MEMO_SECONDS = 1.0
    settings.CHANGE_STAMP_CACHE_SECONDS = 10.0
    stamps._apply(grid_stamps.INCIDENTS)  # what the commit of a change does
    with travel(NOW):
        first = stamp.change_stamp(NOW)
        with django_assert_num_queries(0):
            assert stamp.change_stamp(NOW) == first  # the memo
        stamps.forget()
        with django_assert_num_queries(0):
            assert stamp.change_stamp(NOW) == first  # the cache
        stamps.forget()
        cache.clear()
        with django_assert_num_queries(1):
            assert stamp.change_stamp(NOW) == first  # a cold cache: the database, once


def test_the_applications_cards_move_with_the_day_not_the_tick(ctown):
    with travel(NOW):
        keys = stamp.panel_keys(NOW)
        later = stamp.panel_keys(NOW.replace(minute=30))
    assert later["applications"] == keys["applications"]
    assert later["incidents"] != keys["incidents"]
    tomorrow = at(TODAY.replace(day=TODAY.day + 1), 10)
    assert stamp.panel_keys(tomorrow)["applications"] != keys["applications"]


def test_many_incidents_on_the_map_are_gathered_per_grid_and_none_is_left_out(ctown, settings):
    from collections import Counter

    from grid.models import Incident
    from grid.models.incidents import OPEN_STATES

    with travel(NOW):
        every = map_sel.compute(NOW)
        placed = every["placed"]
        assert every["clusters"] == [] and len(every["pins"]) == placed >= 4
        settings.CENTRE = {**settings.CENTRE, "MAP_PINS": len(every["pins"]) - 1}
        layer = map_sel.compute(NOW)
    urgent = [p for p in every["pins"] if p[3] == "urgent"]
    assert len(urgent) >= 2 and sorted(layer["pins"]) == sorted(urgent)
    assert layer["placed"] == placed
    assert len(layer["pins"]) + sum(c[3] for c in layer["clusters"]) == placed
    expected = Counter(
        Incident.objects.filter(state__in=OPEN_STATES, lat__isnull=False)
        .exclude(urgency="urgent")
        .values_list("grid__code", flat=True)
    )
    assert {c[0]: c[3] for c in layer["clusters"]} == dict(expected)
    late = {p[0] for p in every["pins"] if p[4] == "overdue" and p[3] != "urgent"}
    assert sum(c[4] for c in layer["clusters"]) == len(late)
    assert sum(c[6] for c in layer["clusters"]) == 0
    # more urgent ones than the map draws one by one: every incident in its grid's cluster
    settings.CENTRE = {**settings.CENTRE, "MAP_PINS": len(urgent) - 1}
    with travel(NOW):
        crowded = map_sel.compute(NOW)
    assert crowded["pins"] == []
    assert sum(c[3] for c in crowded["clusters"]) == placed
    assert sum(c[6] for c in crowded["clusters"]) == len(urgent)


def test_the_map_answers_304_while_its_stamp_holds(ctown):
    api = APIClient()
    api.force_authenticate(ctown.dispatcher)
    with travel(NOW):
        first = api.get("/api/v1/centre/map/")
        assert first.status_code == 200 and "clusters" in first.json()
        again = api.get("/api/v1/centre/map/", HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304


def test_while_one_process_computes_a_moved_panel_the_others_show_its_previous_version(
    ctown, monkeypatch, django_capture_on_commit_callbacks
):
    api = APIClient()
    api.force_authenticate(ctown.dispatcher)
    with travel(NOW):
        first = api.get("/api/v1/centre/board/")
    with django_capture_on_commit_callbacks(execute=True):
        ctown._report(ctown.grid.citizen, "ORD", ctown.grid.V2G1, NOW.replace(minute=0))
    keys = stamp.panel_keys(NOW)
    moving = f"centre:panel:incidents:{keys['incidents']}"
    cache.add(f"centre:computing:{moving}", 1, 60)  # another worker is computing it
    computed = []
    for name, fn in list(board.PANELS.items()):
        monkeypatch.setitem(
            board.PANELS, name, lambda now, fn=fn, name=name: computed.append(name) or fn(now)
        )
    with travel(NOW):
        meanwhile = api.get("/api/v1/centre/board/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert meanwhile.status_code == 200
    assert "incidents" not in computed and {"new_reports", "late"} <= set(computed)
    body = meanwhile.json()
    assert body["incidents"] == first.json()["incidents"]  # the previous version
    assert body["new_reports"]["total"] == first.json()["new_reports"]["total"] + 1
    assert meanwhile["ETag"] not in (first["ETag"], f'"{stamp.board_stamp(keys)}"')

    cache.delete(f"centre:computing:{moving}")  # that worker is done (or died)
    with travel(NOW):
        fresh = api.get("/api/v1/centre/board/", HTTP_IF_NONE_MATCH=meanwhile["ETag"])
        again = api.get("/api/v1/centre/board/", HTTP_IF_NONE_MATCH=fresh["ETag"])
    assert fresh.status_code == 200 and fresh["ETag"] == f'"{stamp.board_stamp(keys)}"'
    assert fresh.json()["incidents"]["totals"]["open"] == (
        first.json()["incidents"]["totals"]["open"] + 1
    )
    assert again.status_code == 304


def test_a_process_that_computes_without_the_lock_leaves_the_holders_lock(ctown):
    keys = stamp.panel_keys(NOW)
    key = f"centre:panel:duty:{keys['duty']}"
    cache.delete("centre:panel:duty:zh-hans:previous")
    cache.delete("centre:panel:duty:en:previous")
    cache.add(f"centre:computing:{key}", 1, 60)  # another worker holds it, nothing shown yet
    with travel(NOW):
        board.board(NOW)
    assert cache.get(f"centre:computing:{key}") == 1


def test_a_moved_panel_is_computed_at_most_once_per_interval(
    ctown, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """Reports arriving faster than the board polls: within CENTRE["PANEL_MIN_SECONDS"] of a
    panel's last computation its previous version is shown (not cached as current); after it,
    the next poll computes the panel with every report since."""
    settings.CENTRE = {**settings.CENTRE, "PANEL_MIN_SECONDS": 10}
    api = APIClient()
    api.force_authenticate(ctown.dispatcher)
    with travel(NOW):
        first = api.get("/api/v1/centre/board/")
    computed = []
    for name, fn in list(board.PANELS.items()):
        monkeypatch.setitem(
            board.PANELS, name, lambda now, fn=fn, name=name: computed.append(name) or fn(now)
        )
    for seconds in (2, 5):
        with django_capture_on_commit_callbacks(execute=True):
            ctown._report(ctown.grid.citizen, "ORD", ctown.grid.V2G1, NOW.replace(minute=0))
        with travel(NOW + timedelta(seconds=seconds)):
            soon = api.get("/api/v1/centre/board/", HTTP_IF_NONE_MATCH=first["ETag"])
        assert soon.status_code == 200 and computed == []
        assert soon.json()["new_reports"] == first.json()["new_reports"]
        assert soon["ETag"].strip('"').endswith("-previous")
    with travel(NOW + timedelta(seconds=11)):
        later = api.get("/api/v1/centre/board/")
        again = api.get("/api/v1/centre/board/", HTTP_IF_NONE_MATCH=later["ETag"])
    assert {"new_reports", "incidents", "dispatch", "late"} <= set(computed)
    assert later.json()["new_reports"]["total"] == first.json()["new_reports"]["total"] + 2
    assert not later["ETag"].strip('"').endswith("-previous")
    assert again.status_code == 304
