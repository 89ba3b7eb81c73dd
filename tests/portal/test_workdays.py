from datetime import date

import pytest
from django.core.management import call_command

from portal import workdays
from portal.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "day, expected",
    [
        (date(2026, 2, 14), True),  # Saturday, make-up working day before Spring Festival
        (date(2026, 2, 16), False),  # Spring Festival holiday, a Monday
        (date(2026, 2, 24), True),  # first working day after it
        (date(2026, 10, 1), False),  # National Day
        (date(2026, 10, 10), True),  # make-up Saturday after National Day
        (date(2026, 10, 11), False),  # ordinary Sunday
        (date(2025, 1, 26), True),  # Sunday, make-up working day before Spring Festival 2025
        (date(2025, 2, 8), True),  # Saturday, make-up working day after it
        (date(2025, 1, 29), False),  # Spring Festival 2025 (Wednesday)
        (date(2025, 10, 8), False),  # National Day + Mid-autumn 2025 run to 8 October
        (date(2025, 10, 11), True),  # make-up Saturday 2025
    ],
)
def test_working_days_across_real_holidays(day, expected):
    assert workdays.is_working_day(day) is expected


@pytest.mark.parametrize(
    "start, n, expected",
    [
        (date(2026, 2, 13), 2, date(2026, 2, 24)),  # the example: Sat 14th counts
        (date(2026, 9, 24), 5, date(2026, 10, 9)),  # Mid-autumn 25th and National Day skipped
        (date(2025, 9, 26), 3, date(2025, 9, 30)),  # 28 Sep (Sun) make-up counts
        (date(2025, 9, 26), 4, date(2025, 10, 9)),  # 1–8 October 2025 off
        (date(2025, 1, 24), 3, date(2025, 2, 5)),  # 26 Jan (Sun) counts, festival skipped
        (date(2026, 3, 2), 0, date(2026, 3, 2)),
        (date(2026, 3, 2), 1, date(2026, 3, 3)),  # start day not counted
        (date(2026, 3, 6), 1, date(2026, 3, 9)),  # Friday + 1 -> Monday
    ],
)
def test_add_working_days(start, n, expected):
    assert workdays.add_working_days(start, n) == expected
    assert workdays.working_days_between(start, expected) == n


def test_between_is_consistent_with_add_over_years():
    start = date(2024, 12, 20)
    for n in (1, 7, 20, 45, 260, 500):
        end = workdays.add_working_days(start, n)
        assert workdays.working_days_between(start, end) == n
        assert workdays.working_days_between(end, start) == -n


def test_unconfirmed_year_is_plain_monday_to_friday_and_flagged():
    assert not workdays.is_confirmed(2027)
    assert workdays.is_confirmed(date(2026, 5, 1))
    # 2027-01-01 is a Friday: plain Mon–Fri counting, no crash
    assert workdays.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 1)
    assert workdays.unconfirmed_between(date(2026, 12, 1), date(2027, 1, 5)) == [2027]


def test_admin_entered_year_takes_effect_at_once():
    assert workdays.is_working_day(date(2027, 2, 8))  # a Monday, plain
    CalendarYear.objects.create(year=2027, confirmed=True, source="国办发明电〔2026〕")
    CalendarDay.objects.create(date=date(2027, 2, 8), is_working_day=False, name="春节")
    assert not workdays.is_working_day(date(2027, 2, 8))
    assert workdays.is_confirmed(2027)


def test_negative_days_refused():
    with pytest.raises(ValueError):
        workdays.add_working_days(date(2026, 1, 5), -1)


def test_command_add_between_status(capsys):
    call_command("workdays", "add", "2026-02-13", "2")
    assert capsys.readouterr().out.strip() == "2026-02-24"
    call_command("workdays", "add", "2026-09-24", "5")
    assert capsys.readouterr().out.strip() == "2026-10-09"
    call_command("workdays", "between", "2026-09-30", "2026-10-09")
    assert capsys.readouterr().out.strip() == "2"
    call_command("workdays", "add", "2027-03-01", "1")
    captured = capsys.readouterr()
    assert captured.out.strip() == "2027-03-02"
    assert "not confirmed for 2027" in captured.err
    call_command("workdays", "status")
    out = capsys.readouterr().out
    assert "2026  confirmed" in out
    assert "2027  UNCONFIRMED" in out


def test_workdays_api(client):
    response = client.get("/api/v1/workdays/", {"start": "2026-02-13", "days": 2})
    assert response.status_code == 200
    assert response.json()["date"] == "2026-02-24"
    response = client.get("/api/v1/workdays/", {"start": "2026-13-01", "days": 2})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_date" and "start" in body["fields"]
