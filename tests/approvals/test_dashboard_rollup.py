"""The daily rollups and the history figures, against hand-computed values (see dashboard_data:
every number below is worked out there, across Mid-Autumn, National Day and the make-up
Saturday of 2026)."""

import io
from datetime import date

import pytest

from approvals.models import ApplicationDayStat, HallDayStat, RollupRun
from approvals.selectors import dashboard as sel
from approvals.services import dashboard as rollups
from tests.approvals.dashboard_data import OCTOBER, TODAY, Town, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def town(world):
    from django.core.cache import cache

    cache.clear()  # the public figures are cached
    town = Town(world)
    town.rollup()
    return town


def october(**kwargs):
    return sel.Filters(start=OCTOBER[0], end=OCTOBER[1], **kwargs)


def test_the_working_day_ordinal_follows_the_portal_calendar():
    from portal import workdays

    rows = dict(rollups.working_day_ordinals(date(2026, 9, 20), date(2026, 10, 31)))
    for a, b in [
        (date(2026, 9, 24), date(2026, 10, 16)),
        (date(2026, 9, 30), date(2026, 10, 12)),
        (date(2026, 9, 20), date(2026, 10, 10)),
    ]:
        assert rows[b] - rows[a] == workdays.working_days_between(a, b)
    assert rows[date(2026, 10, 12)] - rows[date(2026, 9, 30)] == 4  # 8, 9, 10 (Sat), 12 Oct


def test_october_totals_match_the_hand_computed_figures(town):
    totals = sel.history(october())["totals"]
    assert totals["accepted"] == 4
    assert totals["deemed_accepted"] == 1
    assert totals["decided"] == 4
    assert totals["decided_on_time"] == 3
    assert totals["on_time_rate"] == 0.75
    assert totals["late"] == 1
    # real handling in working days across Mid-Autumn, National Day and the make-up Saturday
    assert totals["handling_days"] == 4 + 11 + 3 + 9
    assert totals["avg_handling_days"] == 6.75
    assert totals["committed_days"] == 20
    assert totals["statutory_days"] == 80
    assert totals["limit_days"] == 25
    assert totals["handling_vs_committed"] == pytest.approx(27 / 20, abs=0.001)
    assert totals["handling_vs_statutory"] == pytest.approx(27 / 80, abs=0.001)
    assert totals["overdue_days"] == 6
    assert totals["completed"] == 3
    assert totals["suspensions"] == 1
    assert totals["extensions"] == 1
    assert totals["extension_days"] == 5
    assert totals["rating_5"] == 1 and totals["rating_1"] == 1
    assert totals["ratings"] == 2 and totals["bad_ratings"] == 1
    assert totals["satisfaction_rate"] == 0.5
    assert totals["rectifications"] == 1


def test_each_figure_lands_on_the_day_it_happened(town):
    series = {row["day"]: row for row in sel.history(october())["series"]}
    assert len(series) == 31
    assert series[date(2026, 10, 12)]["decided"] == 1  # A
    assert series[date(2026, 10, 12)]["accepted"] == 3  # C, D and E (deemed, dated back)
    assert series[date(2026, 10, 12)]["deemed_accepted"] == 1
    assert series[date(2026, 10, 16)]["decided"] == 1  # B, late
    assert series[date(2026, 10, 16)]["decided_on_time"] == 0
    assert series[date(2026, 10, 16)]["handling_days"] == 11
    assert series[date(2026, 10, 16)]["on_time_rate"] == 0.0
    assert series[date(2026, 10, 20)]["handling_days"] == 3  # C: 6 minus 3 paused
    assert series[date(2026, 10, 13)]["suspensions"] == 1
    assert series[date(2026, 10, 14)]["extensions"] == 1
    assert series[date(2026, 10, 15)]["rating_5"] == 1
    assert series[date(2026, 10, 20)]["rating_1"] == 1
    assert series[date(2026, 10, 26)]["completed"] == 1  # D
    assert series[date(2026, 10, 1)]["decided"] == 0
    assert series[date(2026, 10, 1)]["on_time_rate"] is None


def test_per_department_and_per_matter(town):
    data = sel.history(october())
    [dept] = data["departments"]
    assert dept["label"] == "行政审批局"
    assert dept["decided"] == 4 and dept["handling_days"] == 27
    [matter] = data["matters"]
    assert matter["code"] == town.world.matter.code
    assert matter["committed"] == 5 and matter["statutory"] == 20
    assert matter["avg_handling_days"] == 6.75
    assert matter["on_time_pct"] == 75.0


def test_a_range_through_september_counts_a_and_b_acceptances(town):
    totals = sel.history(sel.Filters(start=date(2026, 9, 1), end=date(2026, 9, 30)))["totals"]
    assert totals["accepted"] == 2  # B on 24 Sep, A on 30 Sep
    assert totals["decided"] == 0
    assert totals["avg_handling_days"] is None


def test_filters_apply_to_the_rollups(town, world):
    from tests.factories import DepartmentFactory

    other = DepartmentFactory(code="SHSWB", name="社会事务办")
    assert sel.history(october(department=other))["totals"]["decided"] == 0
    assert sel.history(october(department=world.dept))["totals"]["decided"] == 4
    assert sel.history(october(kind="payment"))["totals"]["decided"] == 0
    assert sel.history(october(kind="licensing"))["totals"]["decided"] == 4
    assert sel.history(october(channel="hall"))["totals"]["decided"] == 0
    assert sel.history(october(channel="online"))["totals"]["decided"] == 4
    assert sel.history(october(window=world.window))["totals"]["accepted"] == 0


def test_hall_waiting_and_service_times(town, world):
    hall = sel.hall(october())
    total = hall["total"]
    assert total["calls"] == 3 and total["finished"] == 2 and total["no_shows"] == 1
    assert total["wait_avg_min"] == round((10 + 20 + 5) / 3, 1)  # 11.7
    assert total["wait_max_min"] == 20.0
    assert total["service_avg_min"] == 20.0  # (10 + 30) / 2, finished calls only
    assert total["service_max_min"] == 30.0
    hours = {row["key"]: row for row in hall["by_hour"]}
    assert hours[9]["calls"] == 2 and hours[9]["wait_avg_min"] == 15.0
    assert hours[14]["calls"] == 1 and hours[14]["service_avg_min"] is None
    [window] = hall["by_window"]
    assert window["key"] == world.window.pk and window["calls"] == 3
    [category] = hall["by_category"]
    assert category["label"] == "A · 综合受理"
    assert sel.hall(october(window=world.release_window))["total"]["calls"] == 0


def test_rectifications_open_and_overdue(town):
    data = sel.rectifications(october(), TODAY)
    assert data["open"] == 1 and data["opened"] == 1 and data["closed"] == 0
    assert data["overdue"] == 0  # opened 20 Oct, due 15 working days later: 10 Nov
    later = sel.rectifications(october(), date(2026, 11, 11))
    assert later["overdue"] == 1


def test_a_refresh_is_idempotent_and_picks_up_changes(town, world):
    before = list(ApplicationDayStat.objects.order_by("day", "id").values_list(
        "day", "decided", "handling_days", "accepted"
    ))  # fmt: skip
    town.rollup()
    after = list(ApplicationDayStat.objects.order_by("day", "id").values_list(
        "day", "decided", "handling_days", "accepted"
    ))  # fmt: skip
    assert before == after
    assert RollupRun.objects.count() == 2
    # H is decided today: only a refresh of today shows it
    from approvals.services import applications as svc

    with at(TODAY, 15):
        svc.application_decide(
            application=town.h, actor=world.reviewer, outcome="grant", today=TODAY
        )
    today_only = sel.Filters(start=TODAY, end=TODAY)
    assert sel.history(today_only)["totals"]["decided"] == 0
    with at(TODAY, 16):
        run = rollups.rollup_recent(today=TODAY, days=3)
    assert (run.start_day, run.end_day) == (date(2026, 11, 6), TODAY)
    assert sel.history(today_only)["totals"]["decided"] == 1
    assert sel.history(october())["totals"]["decided"] == 4  # untouched
    assert HallDayStat.objects.filter(day=date(2026, 10, 12)).count() == 1


def test_the_beat_task_refreshes_recent_days(town, settings):
    from approvals import tasks

    assert "dashboard-rollup" in settings.CELERY_BEAT_SCHEDULE
    assert (
        settings.CELERY_BEAT_SCHEDULE["dashboard-rollup"]["task"]
        == "approvals.tasks.dashboard_rollup_recent"
    )
    with at(TODAY, 18):
        pk = tasks.dashboard_rollup_recent()
    run = RollupRun.objects.get(pk=pk)
    assert run.end_day == TODAY
    assert (TODAY - run.start_day).days == 31


def test_the_public_figures_of_a_matter(town, world):
    figures = sel.matter_performance(world.matter.code, date(2026, 10, 31), days=31)
    assert figures["decided"] == 4
    assert figures["on_time_rate"] == 0.75
    assert figures["avg_handling_days"] == 6.75
    assert figures["committed_days"] == 5 and figures["statutory_days"] == 20
    assert "applicant" not in str(figures)
    assert sel.matter_performance("NO-SUCH", TODAY) is None


def test_the_history_reads_the_rollups_in_two_queries(town, django_assert_num_queries):
    lookup = sel.names()
    with django_assert_num_queries(2):  # the rollups, the names of the matters shown
        sel.history(october(), lookup)
    with django_assert_num_queries(2):  # the hall rollup, the categories
        sel.hall(october(), lookup)


def test_the_backfill_command(town):
    from django.core.management import CommandError, call_command

    ApplicationDayStat.objects.all().delete()
    assert sel.history(october())["totals"]["decided"] == 0
    out = io.StringIO()
    call_command("dashboard_rollup", "--start", "2026-09-01", "--end", "2026-11-09", stdout=out)
    assert "2026-09-01 – 2026-11-09" in out.getvalue()
    assert sel.history(october())["totals"]["handling_days"] == 27
    with pytest.raises(CommandError, match="before"):
        call_command("dashboard_rollup", "--start", "2026-11-09", "--end", "2026-09-01")
    with pytest.raises(CommandError, match="both"):
        call_command("dashboard_rollup", "--start", "2026-11-09")


def test_a_long_range_is_shown_per_month(town):
    filters = sel.Filters(start=date(2026, 9, 1), end=date(2026, 12, 31))
    data = sel.time_limits(filters, TODAY)
    series = data["history"]["series"]
    assert [row["day"] for row in series] == [
        date(2026, 9, 1),
        date(2026, 10, 1),
        date(2026, 11, 1),
        date(2026, 12, 1),
    ]
    assert all(row["month"] for row in series)
    assert series[1]["decided"] == 4 and series[1]["handling_days"] == 27
    assert series[0]["accepted"] == 2  # A and B, in September
    short = sel.time_limits(october(), TODAY)["history"]["series"]
    assert len(short) == 31 and not short[0]["month"]


def test_the_ordinal_span_starts_at_the_earliest_acceptance_of_the_decisions(town):
    """Grouped by decision day (an ungrouped MIN walked the acceptance index at scale): the
    span still starts at the earliest acceptance among all the range's decisions."""
    from django.db.models import Min

    from approvals.models import Application

    earliest = Application.objects.filter(
        decided_on__gte=OCTOBER[0], decided_on__lte=OCTOBER[1]
    ).aggregate(first=Min("accepted_on"))["first"]
    assert earliest is not None and earliest < OCTOBER[0]
    assert rollups._ordinal_span(*OCTOBER) == (earliest, OCTOBER[1])
    quiet = date(2026, 8, 3)  # nothing decided: the range itself
    assert rollups._ordinal_span(quiet, quiet) == (quiet, quiet)
