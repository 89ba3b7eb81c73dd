"""The live panels (open work, red and yellow cards, the overdue list) and the drill-down list,
against the hand-computed town of dashboard_data on Monday 9 November 2026."""

import pytest

from approvals.selectors import dashboard as sel
from tests.approvals.dashboard_data import TODAY, Town

pytestmark = pytest.mark.django_db


@pytest.fixture
def town(world):
    return Town(world)


def now(**kwargs):
    return sel.Filters(start=TODAY, end=TODAY, **kwargs)


def test_open_work_by_state_and_clock_status(town):
    position = sel.open_position(now(), TODAY)
    states = {row["state"]: row["counts"] for row in position["states"]}
    assert states["accepted"]["overdue"] == 1  # E, deemed accepted 12 Oct
    assert states["in_review"] == {
        "normal": 1,
        "warning": 1,
        "overdue": 1,
        "paused": 0,
        "not_started": 0,
        "stopped": 0,
    }
    assert states["suspended"]["paused"] == 1  # J
    assert states["ready_for_release"]["stopped"] == 1  # C
    assert states["submitted"]["not_started"] == 1  # I
    assert position["totals"] == {
        "normal": 1,
        "warning": 1,
        "overdue": 2,
        "paused": 1,
        "not_started": 1,
        "stopped": 1,
    }
    assert position["total"] == 7


def test_red_and_yellow_cards_by_department_window_and_reviewer(town, world):
    cards = sel.cards(now(), TODAY)
    assert (cards["red"], cards["yellow"]) == (2, 1)
    [dept] = cards["department"]
    assert (dept["key"], dept["red"], dept["yellow"]) == (world.dept.pk, 2, 1)
    windows = {row["key"]: (row["red"], row["yellow"]) for row in cards["window"]}
    assert windows == {None: (2, 0), world.window.pk: (0, 1)}  # E, F online; G at window 1
    handlers = {row["key"]: (row["red"], row["yellow"]) for row in cards["handler"]}
    assert handlers == {None: (1, 0), world.reviewer.pk: (1, 1)}  # E unclaimed
    labels = {row["key"]: row["label"] for row in cards["handler"]}
    assert labels[None] == "待认领"
    assert labels[world.reviewer.pk] == world.reviewer.real_name
    # the command centre's cards: the same departments' rows and totals, from one GROUP BY
    for filters in (now(), now(window=world.window), now(channel="hall")):
        full, centre = sel.cards(filters, TODAY), sel.department_cards(filters, TODAY)
        assert centre == {k: full[k] for k in ("department", "red", "yellow")}


def test_the_overdue_list_says_who_holds_it_and_for_how_long(town, world):
    rows = sel.overdue_list(now(), TODAY)
    assert [r["number"] for r in rows] == [town.e.number, town.f.number]
    assert rows[0]["days_overdue"] == 15  # (19 Oct, 9 Nov]
    assert rows[0]["holder"] == "行政审批局 待认领"
    assert rows[1]["days_overdue"] == 5  # (2 Nov, 9 Nov]
    assert rows[1]["holder"] == world.reviewer.display_name


def test_filters_narrow_the_live_panels(town, world):
    at_window = now(window=world.window)
    assert sel.open_position(at_window, TODAY)["total"] == 1
    assert (sel.cards(at_window, TODAY)["red"], sel.cards(at_window, TODAY)["yellow"]) == (0, 1)
    hall = now(channel="hall")
    assert sel.cards(hall, TODAY)["yellow"] == 1
    assert sel.open_position(now(kind="payment"), TODAY)["total"] == 0
    assert sel.open_position(now(kind="licensing"), TODAY)["total"] == 7


def test_the_drill_down_list_and_its_keyset_pages(town, world):
    red = sel.drilldown(now(), sel.Drill(status="overdue"), TODAY)
    assert [a.number for a in red] == [town.e.number, town.f.number]
    assert {a.clock_status for a in red} == {"overdue"}
    page, following = sel.drilldown_page(red, after=None, size=1)
    assert [a.number for a in page] == [town.e.number]
    assert following == (town.e.due_date, town.e.pk)
    page, following = sel.drilldown_page(red, after=following, size=1)
    assert [a.number for a in page] == [town.f.number]
    assert following is None
    mine = sel.drilldown(now(), sel.Drill(status="overdue", handler_id=world.reviewer.pk), TODAY)
    assert [a.number for a in mine] == [town.f.number]
    unclaimed = sel.drilldown(now(), sel.Drill(status="overdue", unclaimed=True), TODAY)
    assert [a.number for a in unclaimed] == [town.e.number]
    yellow = sel.drilldown(now(), sel.Drill(status="warning"), TODAY)
    assert [a.number for a in yellow] == [town.g.number]
    paused = sel.drilldown(now(), sel.Drill(status="paused"), TODAY)
    assert [a.number for a in paused] == [town.j.number]
    normal = sel.drilldown(now(), sel.Drill(status="normal"), TODAY)
    assert [a.number for a in normal] == [town.h.number]
    everything = sel.drilldown(now(), sel.Drill(status="open"), TODAY)
    assert everything.count() == 7
    page, following = sel.drilldown_page(everything, after=None, size=6)
    rest, _ = sel.drilldown_page(everything, after=following, size=6)
    assert len(page) == 6 and len(rest) == 1 and rest[0].due_date is None  # I, not accepted


def test_the_live_panels_are_a_query_each_whatever_the_filters(
    town, world, django_assert_num_queries
):
    lookup = sel.names()
    for filters, overdue_rows in (
        (now(), 2),
        (now(department=world.dept, window=world.window, kind="licensing"), 0),
    ):
        with django_assert_num_queries(1):
            sel.open_position(filters, TODAY)
        with django_assert_num_queries(1):
            sel.cards(filters, TODAY, lookup)
        # the keys of the overdue list, then (if any) their rows
        with django_assert_num_queries(2 if overdue_rows else 1):
            assert len(sel.overdue_list(filters, TODAY, lookup=lookup)) == overdue_rows
