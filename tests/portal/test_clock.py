"""portal.clock: deadlines in hours, working days and calendar days, and the one meaning of
normal / warning / overdue, on fixed dates across National Day 2026 (1–7 October off, Saturday
10 October a make-up working day)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Q
from django.utils import translation

from portal import clock
from portal.clock import ClockStatus, Limit, Unit

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def test_hours_run_through_the_night():
    limit = Limit(4, Unit.HOURS)
    due = clock.due_at(at("2026-12-02 22:30"), limit)
    assert due == at("2026-12-03 02:30")
    # 20% of 4 hours is 0.8: rounded up to one hour
    assert clock.warn_at(due, limit) == at("2026-12-03 01:30")


def test_hours_over_a_holiday_are_not_stretched():
    due = clock.due_at(at("2026-10-01 09:00"), Limit(24, Unit.HOURS))
    assert due == at("2026-10-02 09:00")


def test_working_days_skip_national_day_and_end_at_the_end_of_the_day():
    due = clock.due_at(at("2026-09-30 16:00"), Limit(1, Unit.WORKING_DAYS))
    assert due.date() == date(2026, 10, 8)
    assert due.astimezone(TZ).hour == 23 and due.astimezone(TZ).minute == 59
    due5 = clock.due_at(at("2026-09-24 10:00"), Limit(5, Unit.WORKING_DAYS))
    assert clock.local_date(due5) == date(2026, 10, 9)


def test_the_start_day_never_counts_even_when_reported_on_a_day_off():
    # reported on a holiday: the first working day after it is day one
    due = clock.due_at(at("2026-10-03 11:00"), Limit(1, Unit.WORKING_DAYS))
    assert clock.local_date(due) == date(2026, 10, 8)
    # the make-up Saturday is a working day
    due = clock.due_at(at("2026-10-09 11:00"), Limit(1, Unit.WORKING_DAYS))
    assert clock.local_date(due) == date(2026, 10, 10)


def test_working_day_warning_is_the_applications_rule():
    limit = Limit(5, Unit.WORKING_DAYS)
    due = clock.due_at(at("2026-09-24 10:00"), limit)  # 9 October
    # 20% of 5 = 1 working day left: yellow from the working day before the due day
    assert clock.warn_at(due, limit) == at("2026-10-08 00:00")
    assert clock.warn_at(due, limit, warning=2) == at("2026-09-30 00:00")


def test_calendar_days_and_rolling_forward_past_a_holiday():
    start = at("2026-09-22 15:00")
    plain = clock.due_at(start, Limit(15, Unit.CALENDAR_DAYS))
    assert clock.local_date(plain) == date(2026, 10, 7)
    rolled = clock.due_at(start, Limit(15, Unit.CALENDAR_DAYS, roll_forward=True))
    assert clock.local_date(rolled) == date(2026, 10, 8)


def test_a_pause_moves_the_deadline():
    limit = Limit(8, Unit.HOURS)
    assert clock.due_at(at("2026-12-02 08:00"), limit, paused=timedelta(hours=3, minutes=30)) == at(
        "2026-12-02 19:30"
    )
    days = Limit(1, Unit.WORKING_DAYS)
    # a pause of a day and a bit counts two whole days for limits in days
    due = clock.due_at(at("2026-09-29 10:00"), days, paused=timedelta(days=1, hours=2))
    assert clock.local_date(due) == date(2026, 10, 8)


def test_status_red_yellow_and_the_rest():
    due, warn = at("2026-12-03 02:30"), at("2026-12-03 01:30")
    assert clock.status(now=at("2026-12-03 00:00"), due_at=due, warn_at=warn) == "normal"
    assert clock.status(now=at("2026-12-03 01:30"), due_at=due, warn_at=warn) == "warning"
    assert clock.status(now=at("2026-12-03 02:30"), due_at=due, warn_at=warn) == "warning"
    assert clock.status(now=at("2026-12-03 02:31"), due_at=due, warn_at=warn) == "overdue"
    assert clock.status(now=at("2026-12-04"), due_at=due, warn_at=warn, running=False) == (
        ClockStatus.STOPPED
    )
    assert clock.status(now=at("2026-12-04"), due_at=due, paused=True) == ClockStatus.PAUSED
    assert clock.status(now=at("2026-12-04"), due_at=None) == ClockStatus.NOT_STARTED


def test_late_by_in_the_unit_of_the_limit():
    due = at("2026-12-03 02:30")
    assert clock.late_by(now=at("2026-12-03 02:00"), due_at=due, unit=Unit.HOURS) is None
    late = clock.late_by(now=at("2026-12-03 05:00"), due_at=due, unit=Unit.HOURS)
    assert (late.amount, late.unit) == (3, Unit.HOURS)
    day_due = clock.end_of_day(date(2026, 9, 30))
    late = clock.late_by(now=at("2026-10-09 09:00"), due_at=day_due, unit=Unit.WORKING_DAYS)
    # 8 and 9 October are the first working days after the holiday
    assert (late.amount, late.unit) == (2, Unit.WORKING_DAYS)
    with translation.override("zh-hans"):
        assert str(late) == "超2个工作日"


def test_sql_status_and_rank_agree_with_python(make_user):
    from portal.models import User

    now = at("2026-12-03 12:00")
    rows = {
        "overdue": (at("2026-12-03 11:00"), at("2026-12-03 10:00"), True),
        "warning": (at("2026-12-03 13:00"), at("2026-12-03 11:00"), True),
        "normal": (at("2026-12-04 13:00"), at("2026-12-04 11:00"), True),
        "stopped": (at("2026-12-01 13:00"), at("2026-12-01 11:00"), False),
    }
    for name, (due, warn, running) in rows.items():
        user = make_user("citizen", username=f"clock-{name}")
        User.objects.filter(pk=user.pk).update(date_joined=due, last_login=warn, is_active=running)
    found = {
        u.username.removeprefix("clock-"): (u.s, u.r)
        for u in User.objects.filter(username__startswith="clock-").annotate(
            s=clock.status_case(
                now, due="date_joined", warn="last_login", running=Q(is_active=True)
            ),
            r=clock.rank_case(now, due="date_joined", warn="last_login", running=Q(is_active=True)),
        )
    }
    for name, (due, warn, running) in rows.items():
        expected = clock.status(now=now, due_at=due, warn_at=warn, running=running)
        assert found[name] == (expected.value, clock.RANK[expected]), name


def test_sql_status_filters_partition_rows_as_the_status_case(make_user):
    """Every row meets exactly one of ``status_filters``, the one ``status_case`` names — with
    no deadline, no warning moment, the clock paused or stopped, and now exactly on the
    deadline and on the warning moment (the bounds the CASE draws)."""
    from portal.models import User

    now = at("2026-12-03 12:00")
    # name → (deadline, warning moment, running, paused); the deadline may be missing in the
    # second half (last_login is the nullable column), the warning moment in the first.
    with_due = {
        "overdue": (at("2026-12-03 11:00"), at("2026-12-03 10:00"), True, False),
        "due-now": (now, at("2026-12-03 10:00"), True, False),
        "warning": (at("2026-12-03 13:00"), at("2026-12-03 11:00"), True, False),
        "warn-now": (at("2026-12-03 13:00"), now, True, False),
        "normal": (at("2026-12-04 13:00"), at("2026-12-04 11:00"), True, False),
        "no-warning": (at("2026-12-04 13:00"), None, True, False),
        "late-no-warning": (at("2026-12-02 13:00"), None, True, False),
        "stopped": (at("2026-12-01 13:00"), at("2026-12-01 11:00"), False, False),
        "paused-late": (at("2026-12-01 13:00"), at("2026-12-01 11:00"), True, True),
        "paused-stopped": (at("2026-12-04 13:00"), None, False, True),
    }
    without_due = {
        "not-started": (None, at("2026-12-01 11:00"), True, False),
        "not-started-stopped": (None, at("2026-12-04 11:00"), False, False),
        "paused-not-started": (None, at("2026-12-01 11:00"), True, True),
    }
    for prefix, rows, due, warn in (
        ("cd-", with_due, "date_joined", "last_login"),
        ("cw-", without_due, "last_login", "date_joined"),
    ):
        for name, (due_at, warn_at, running, paused) in rows.items():
            user = make_user("citizen", username=f"{prefix}{name}")
            User.objects.filter(pk=user.pk).update(
                **{due: due_at, warn: warn_at}, is_active=running, is_staff=paused
            )
        kwargs = {
            "due": due,
            "warn": warn,
            "running": Q(is_active=True),
            "paused": Q(is_staff=True),
        }
        qs = User.objects.filter(username__startswith=prefix)
        by_case = dict(qs.annotate(s=clock.status_case(now, **kwargs)).values_list("username", "s"))
        filters = clock.status_filters(now, **kwargs)
        assert set(filters) == {s.value for s in ClockStatus}
        for status, condition in filters.items():
            found = set(qs.filter(condition).values_list("username", flat=True))
            assert found == {u for u, s in by_case.items() if s == status}, (prefix, status)
        for name, (due_at, warn_at, running, paused) in rows.items():
            expected = clock.status(
                now=now, due_at=due_at, warn_at=warn_at, running=running, paused=paused
            )
            assert by_case[f"{prefix}{name}"] == expected.value, name


def test_lateness_in_working_days_says_one_day_or_several_in_english():
    from django.utils import translation

    from portal.clock import Lateness, Unit

    with translation.override("en"):
        assert str(Lateness(1, Unit.WORKING_DAYS)) == "1 working day over"
        assert str(Lateness(42, Unit.WORKING_DAYS)) == "42 working days over"
        assert str(Lateness(3, Unit.HOURS)) == "3 h overdue"
    assert str(Lateness(42, Unit.WORKING_DAYS)) == "超42个工作日"
