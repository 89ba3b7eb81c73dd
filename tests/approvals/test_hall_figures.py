"""Waiting and service figures: SQL aggregates per category, window, clerk and hour."""

import pytest
from django.db import connection

from approvals.selectors.hall import hall_figures
from approvals.services import hall as services
from tests.approvals.hall_helpers import at, make_hall, take

pytestmark = pytest.mark.django_db


def serve(hall, window, clerk, taken, called, finished, category=None, outcome="finish"):
    ticket = take(category or hall.a, at(taken))
    called_ticket = services.ticket_call_next(window=window, clerk=clerk, now=at(called))
    assert called_ticket == ticket
    if outcome == "finish":
        services.ticket_finish(ticket=ticket, clerk=clerk, now=at(finished))
    else:
        services.ticket_no_show(ticket=ticket, clerk=clerk, now=at(finished))
    return ticket


def test_figures_per_category_window_clerk_and_hour(hall_figures_data):
    hall, figures = hall_figures_data
    overall = figures["overall"]
    assert overall["tickets"] == 5
    assert overall["calls"] == 4
    assert overall["finished"] == 3
    assert overall["no_shows"] == 1
    assert overall["still_waiting"] == 1
    # waits: 10, 20, 30 min (A) and 4 min (B) -> average 16 min
    assert overall["wait_avg"] == 16 * 60
    assert overall["wait_max"] == 30 * 60
    # services of finished calls only: 5, 15 min (A) and 6 min (B)
    assert overall["service_avg"] == pytest.approx((5 + 15 + 6) * 60 / 3)
    assert overall["service_max"] == 15 * 60

    by_category = {row["prefix"]: row for row in figures["by_category"]}
    assert by_category["A"]["calls"] == 3 and by_category["A"]["wait_avg"] == 20 * 60
    assert by_category["A"]["service_avg"] == 10 * 60
    assert by_category["B"]["wait_avg"] == 4 * 60
    assert by_category["B"]["name"] == "市场准入"

    by_window = {row["number"]: row for row in figures["by_window"]}
    assert by_window[1]["calls"] == 2 and by_window[2]["calls"] == 2
    assert by_window[1]["no_shows"] == 1

    by_clerk = {row["clerk_id"]: row for row in figures["by_clerk"]}
    assert by_clerk[hall.clerk1.pk]["finished"] == 1
    assert by_clerk[hall.clerk2.pk]["finished"] == 2

    by_hour = {row["hour"]: row["calls"] for row in figures["by_hour"]}
    assert by_hour == {9: 3, 10: 1}  # local hours of the calls

    if connection.vendor == "postgresql":
        assert figures["percentiles"] is True
        assert by_category["A"]["wait_p50"] == 20 * 60
        assert overall["service_p50"] == 6 * 60


@pytest.fixture
def hall_figures_data():
    hall = make_hall()
    # window 1 (clerk1): A, waited 10 min, served 5; A, waited 20, no-show
    serve(hall, hall.w1, hall.clerk1, "2026-10-12 09:00", "2026-10-12 09:10", "2026-10-12 09:15")
    serve(
        hall,
        hall.w1,
        hall.clerk1,
        "2026-10-12 09:00",
        "2026-10-12 09:20",
        "2026-10-12 09:22",
        outcome="no_show",
    )
    # window 2 (clerk2): B waited 4 served 6; A waited 30 served 15
    serve(
        hall,
        hall.w2,
        hall.clerk2,
        "2026-10-12 09:26",
        "2026-10-12 09:30",
        "2026-10-12 09:36",
        category=hall.b,
    )
    serve(hall, hall.w2, hall.clerk2, "2026-10-12 09:40", "2026-10-12 10:10", "2026-10-12 10:25")
    take(hall.a, at("2026-10-12 11:00"))  # still waiting
    take(hall.a, at("2026-10-13 09:00"))  # another day: outside the range
    figures = hall_figures(start=at("2026-10-12 00:00").date(), end=at("2026-10-12 00:00").date())
    return hall, figures


def test_figures_take_a_handful_of_queries_whatever_the_rows(django_assert_max_num_queries):
    hall = make_hall()
    for minute in range(0, 40, 2):
        ticket = take(hall.a, at(f"2026-10-12 09:{minute:02d}"))
        services.ticket_call_next(
            window=hall.w1, clerk=hall.clerk1, now=at(f"2026-10-12 09:{minute:02d}")
        )
        services.ticket_finish(
            ticket=ticket, clerk=hall.clerk1, now=at(f"2026-10-12 09:{minute + 1:02d}")
        )
    day = at("2026-10-12 00:00").date()
    with django_assert_max_num_queries(6):
        figures = hall_figures(start=day, end=day)
    assert figures["overall"]["finished"] == 20


def test_figures_filter_by_category_and_window():
    hall = make_hall()
    serve(hall, hall.w2, hall.clerk2, "2026-10-12 09:00", "2026-10-12 09:05", "2026-10-12 09:10")
    serve(
        hall,
        hall.w2,
        hall.clerk2,
        "2026-10-12 09:00",
        "2026-10-12 09:15",
        "2026-10-12 09:20",
        category=hall.b,
    )
    day = at("2026-10-12 00:00").date()
    assert hall_figures(start=day, end=day, category=hall.b)["overall"]["calls"] == 1
    assert hall_figures(start=day, end=day, window=hall.w1)["overall"]["calls"] == 0
    empty = hall_figures(start=day, end=day, window=hall.w1)["overall"]
    assert empty["wait_avg"] is None
