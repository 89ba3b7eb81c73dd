"""Issue 16: the dashboards are right from the first minute after `make run`. Today's figures are
computed live (the day's rollup is never waited for), the demo seeding runs the rollup for the
history it creates, the quality dashboard counts the ratings /evaluations/ lists, the .xlsx
export's 部门 and 事项 sheets are filled whenever the page shows figures, and every bar of the
"在办办件：状态与时效" chart is labelled."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from approvals.models import ApplicationDayStat, Evaluation, RollupRun
from approvals.selectors import dashboard as sel
from approvals.services import applications as svc
from approvals.services import dashboard as rollups
from approvals.services import evaluations as eval_svc
from approvals.views.dashboard import chart_data
from tests.approvals.staff_fixtures import in_review

pytestmark = pytest.mark.django_db


def _last_30_days():
    today = timezone.localdate()
    return sel.Filters(start=today - timedelta(days=29), end=today)


def _completed_and_rated_today(world, rating=2):
    app = in_review(world)
    app = svc.application_decide(application=app, actor=world.reviewer, outcome="grant")
    app = svc.application_release(application=app, actor=world.release_clerk, method="hand")
    eval_svc.evaluation_create(application=app, actor=world.citizen, rating=rating, comment="慢")
    return app


# --- today is live -----------------------------------------------------------------------------


def test_todays_figures_are_computed_live_without_any_rollup(world):
    _completed_and_rated_today(world)
    assert not RollupRun.objects.exists() and not ApplicationDayStat.objects.exists()
    totals = sel.history(_last_30_days())["totals"]
    assert (totals["accepted"], totals["decided"], totals["completed"]) == (1, 1, 1)
    assert totals["on_time_pct"] == 100.0
    assert (totals["ratings"], totals["bad_ratings"]) == (1, 1)
    [department] = sel.history(_last_30_days())["departments"]
    assert department["decided"] == 1


def test_a_rating_given_after_the_last_rollup_counts_at_once_and_only_once(world):
    app = in_review(world)
    app = svc.application_decide(application=app, actor=world.reviewer, outcome="grant")
    app = svc.application_release(application=app, actor=world.release_clerk, method="hand")
    rollups.rollup_recent()  # the beat ran: today's rows are stored
    assert sel.history(_last_30_days())["totals"]["completed"] == 1  # not 2
    eval_svc.evaluation_create(application=app, actor=world.citizen, rating=1, comment="差")
    quality = sel.service_quality(_last_30_days(), timezone.localdate())
    assert quality["ratings"]["totals"]["ratings"] == 1
    assert quality["ratings"]["totals"]["bad_ratings"] == 1


def test_the_hall_of_today_is_live_too(world):
    from approvals.models import BusinessCategory, Ticket
    from approvals.services import hall as hall_svc

    category = BusinessCategory.objects.create(code="ZH", name="综合", ticket_prefix="Z")
    category.windows.add(world.window)
    hall_svc.ticket_take(category=category, source=Ticket.Source.KIOSK)
    ticket = hall_svc.ticket_call_next(window=world.window, clerk=world.clerk)
    hall_svc.ticket_finish(ticket=ticket, clerk=world.clerk)
    hall = sel.hall(_last_30_days())
    assert (hall["total"]["calls"], hall["total"]["finished"]) == (1, 1)


def test_a_range_that_ends_before_today_reads_the_rollups_only(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _completed_and_rated_today(world)
    yesterday = timezone.localdate() - timedelta(days=1)
    filters = sel.Filters(start=yesterday - timedelta(days=29), end=yesterday)
    with CaptureQueriesContext(connection) as before_today:
        assert sel.history(filters)["totals"]["decided"] == 0
    assert not any('"approvals_application"' in q["sql"] for q in before_today.captured_queries)
    with CaptureQueriesContext(connection) as with_today:
        assert sel.history(_last_30_days())["totals"]["decided"] == 1
    assert any('"approvals_application"' in q["sql"] for q in with_today.captured_queries)


# --- make run: the demo is seeded with its rollup -------------------------------------------------


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


def test_seed_demo_runs_the_rollup_for_the_history_it_creates(demo):
    run = RollupRun.objects.order_by("-finished_at").first()
    assert run is not None
    first_acceptance = (
        ApplicationDayStat.objects.filter(accepted__gt=0).order_by("day").values_list("day")
    ).first()
    assert first_acceptance is not None
    assert run.start_day <= first_acceptance[0]


def test_the_supervisors_dashboard_has_figures_from_the_first_minute(demo, client):
    from portal.models import User

    client.force_login(User.objects.get(username="supervisor"))
    page = client.get(reverse("approvals:dashboard"))
    text = page.content.decode()
    assert "期间统计尚未生成" not in text and "尚未汇总" not in text
    assert "今日的期间数字为实时计算" in text
    totals = page.context["history"]["totals"]
    assert totals["completed"] > 0 and totals["on_time_pct"] is not None


def test_the_quality_dashboard_counts_the_ratings_evaluations_lists(demo, client):
    from portal.models import User

    supervisor = User.objects.get(username="supervisor")
    client.force_login(supervisor)
    listed = client.get(reverse("approvals:evaluations"))
    assert listed.status_code == 200
    count = Evaluation.objects.count()
    bad = Evaluation.objects.filter(rating__lte=2).count()
    assert count >= 3 and bad >= 2
    page = client.get(reverse("approvals:dashboard-quality"))
    totals = page.context["ratings"]["totals"]
    assert (totals["ratings"], totals["bad_ratings"]) == (count, bad)


def _sheet_rows(content: bytes, name: str) -> list[tuple]:
    wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [r for r in wb[name].iter_rows(min_row=2, values_only=True) if any(r)]


def test_the_export_fills_the_department_and_matter_sheets(demo, client):
    from portal.models import User

    client.force_login(User.objects.get(username="supervisor"))
    response = client.get(reverse("approvals:dashboard-export"))
    assert response.status_code == 200
    departments = _sheet_rows(response.content, "部门")
    matters = _sheet_rows(response.content, "事项")
    assert departments and matters
    assert any("行政审批局" in str(row[0]) for row in departments)
    assert any(row[0] == "XB-XK-001" for row in matters)


def test_the_export_of_today_alone_is_filled_without_a_rollup(world, client):
    _completed_and_rated_today(world)
    client.force_login(world.supervisor)
    today = timezone.localdate().isoformat()
    response = client.get(reverse("approvals:dashboard-export"), {"start": today, "end": today})
    assert _sheet_rows(response.content, "部门") and _sheet_rows(response.content, "事项")


# --- every bar labelled ------------------------------------------------------------------------


def test_every_bar_of_the_open_work_chart_has_its_label(world):
    in_review(world)
    data = sel.time_limits(_last_30_days(), timezone.localdate())
    spec = chart_data("time_limits", data)["position"]
    assert len(spec["categories"]) == len(data["position"]["states"]) == 7
    assert all(spec["categories"])
    # drawn with the states down the side, each bar with its own label (all_labels: the chart
    # script sets interval 0, so ECharts hides none)
    assert spec["horizontal"] is True and spec["all_labels"] is True


def test_the_stored_sums_are_cached_under_the_last_refresh_and_today_stays_live(world):
    """The time-limit page's rollup (selectors.dashboard._grouped with the last refresh): the
    stored days' sums come from the cache until a refresh records a new run, today's are added
    live on every request — the same figures as reading everything, every time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def both(filters):
        cached = sel.history(filters, run=sel.freshness())
        assert cached == sel.history(filters)  # the uncached read agrees
        return cached

    older = in_review(world)
    older = svc.application_decide(application=older, actor=world.reviewer, outcome="grant")
    yesterday = timezone.localdate() - timedelta(days=1)
    ApplicationDayStat.objects.all().delete()
    rollups.rollup_recent()
    # yesterday's stored figures (moved back a day, as a refresh of yesterday would have left)
    ApplicationDayStat.objects.update(day=yesterday)
    rollups_run = RollupRun.objects.create(
        started_at=timezone.now(),
        finished_at=timezone.now(),
        start_day=yesterday,
        end_day=yesterday,
        application_rows=1,
        hall_rows=0,
        milliseconds=1,
    )
    past = sel.Filters(start=yesterday - timedelta(days=29), end=yesterday)
    assert both(past)["totals"]["decided"] == 1
    with CaptureQueriesContext(connection) as queries:
        sel.history(past, run=rollups_run)
    assert not any("approvals_applicationdaystat" in q["sql"] for q in queries.captured_queries)

    # the stored day (cached) and the same decision live today (its real day)
    assert both(_last_30_days())["totals"]["decided"] == 2
    _completed_and_rated_today(world)  # another decision today: live, added to the cached sums
    totals = both(_last_30_days())["totals"]
    assert (totals["decided"], totals["completed"], totals["ratings"]) == (3, 1, 1)
    rollups.rollup_recent()  # a refresh (yesterday rebuilt: empty): a new run, a new key
    totals = both(_last_30_days())["totals"]
    assert (totals["decided"], totals["completed"], totals["ratings"]) == (2, 1, 1)
