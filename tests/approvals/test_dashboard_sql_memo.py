"""The live panels' statements compiled once per panel, filters and day (approvals.selectors.
dashboard._values, issue 19): the rows are those of the querysets themselves, for every filter
and day, kept or not, and a change to the applications shows on the next read (only the SQL text
is kept, never a row)."""

from datetime import timedelta

import pytest

from approvals.models import Application
from approvals.selectors import dashboard as sel
from tests.approvals.dashboard_data import TODAY, Town

pytestmark = pytest.mark.django_db


@pytest.fixture
def town(world):
    return Town(world)


def now(**kwargs):
    return sel.Filters(start=TODAY, end=TODAY, **kwargs)


def orm_position(filters, today):
    from django.db.models import Count

    return sorted(
        (r["state"], r["clock_status"], r["n"])
        for r in sel._open(filters)
        .with_clock_status(today)
        .order_by()
        .values("state", "clock_status")
        .annotate(n=Count("id"))
    )


def memo_position(filters, today):
    from django.db.models import Count

    rows = sel._values(
        ("open_position", filters.live_key(), today),
        lambda: (
            sel._open(filters)
            .with_clock_status(today)
            .order_by()
            .values("state", "clock_status")
            .annotate(n=Count("id"))
        ),
    )
    return sorted((r["state"], r["clock_status"], r["n"]) for r in rows)


def key(row):
    return repr(tuple((k, row[k]) for k in sorted(row)))


def all_filters(world):
    return [
        now(),
        now(window=world.window),
        now(department=world.dept),
        now(department=world.dept, window=world.window, kind="licensing"),
        now(channel="hall"),
        now(channel="online"),
        now(kind="payment"),
    ]


def test_the_kept_statements_read_what_the_querysets_read(town, world):
    sel._SQL_MEMO.clear()
    for day in (TODAY, TODAY - timedelta(days=20), TODAY + timedelta(days=3)):
        for filters in all_filters(world):
            for _ in range(2):  # compiled, then kept
                assert memo_position(filters, day) == orm_position(filters, day)
                kept = sel._values(
                    ("cards", filters.live_key(), day), lambda f=filters, d=day: sel._cards_qs(f, d)
                )
                assert sorted(map(key, kept)) == sorted(map(key, sel._cards_qs(filters, day)))
    assert len(sel._SQL_MEMO) == 3 * 7 * 2


def test_the_panels_are_the_same_kept_or_not(town, world):
    for filters in all_filters(world):
        sel._SQL_MEMO.clear()
        first = (sel.open_position(filters, TODAY), sel.cards(filters, TODAY))
        again = (sel.open_position(filters, TODAY), sel.cards(filters, TODAY))
        assert first == again


def test_a_change_shows_on_the_next_read(town, world):
    filters = now()
    before = sel.cards(filters, TODAY)
    assert (before["red"], before["yellow"]) == (2, 1)
    # G (warning) becomes overdue; F (overdue) leaves for a later due date
    Application.objects.filter(pk=town.g.pk).update(due_date=TODAY - timedelta(days=1))
    Application.objects.filter(pk=town.f.pk).update(
        due_date=TODAY + timedelta(days=30), warning_date=TODAY + timedelta(days=29)
    )
    after = sel.cards(filters, TODAY)
    assert (after["red"], after["yellow"]) == (2, 0)
    position = sel.open_position(filters, TODAY)
    assert position["totals"]["warning"] == 0 and position["totals"]["normal"] == 2
