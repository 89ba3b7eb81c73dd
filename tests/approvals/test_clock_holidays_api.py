"""Issue 16: the clock's due dates across the 2025 and 2026 holidays, through the API, as an
outside check sees them: submit and accept through /api/v1/applications/ on the day (the server
clock set with time-machine), read the due dates and the clock back. Expected dates are written
out by hand from the State Council's notices (国办发明电〔2024〕12号 for 2025,
〔2025〕7号 for 2026): rest days on weekdays and make-up working days on weekends count as they
are announced, and the start day is never counted."""

from datetime import date

import pytest
import time_machine
from rest_framework.test import APIClient

from approvals.models import Application
from tests.approvals.app_fixtures import make_matter, pdf_upload

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _at(day: date, hour: int = 10):
    return time_machine.travel(f"{day.isoformat()} {hour:02d}:00 +0800", tick=False)


def _submit(world, matter, day: date) -> str:
    """Create, upload and submit online on ``day``; the application number."""
    with _at(day, 9):
        api = _api(world.citizen)
        created = api.post(
            "/api/v1/applications/",
            {"matter_code": matter.code, "channel": "online"},
            format="json",
        )
        assert created.status_code == 201, created.json()
        reference = created.json()["reference"]
        application = Application.objects.order_by("-id").first()
        for item in application.materials.all():
            response = api.post(
                f"/api/v1/applications/{reference}/materials/{item.pk}/files/",
                {"file": pdf_upload()},
                format="multipart",
            )
            assert response.status_code in (200, 201), response.json()
        api.patch(
            f"/api/v1/applications/{reference}/",
            {"declaration_accepted": True},
            format="json",
        )
        submitted = api.post(f"/api/v1/applications/{reference}/submit/", format="json")
        assert submitted.status_code == 200, submitted.json()
        return submitted.json()["number"]


def _accept(world, number: str, day: date) -> dict:
    with _at(day, 10):
        api = _api(world.clerk)
        detail = api.get(f"/api/v1/applications/{number}/").json()
        checks = [{"id": m["id"], "status": "received"} for m in detail["materials"]]
        response = api.post(
            f"/api/v1/applications/{number}/accept/",
            {"state": "submitted", "checks": checks},
            format="json",
        )
        assert response.status_code == 200, response.json()
        return response.json()


@pytest.fixture
def matters(world):
    return {
        (committed, statutory): make_matter(
            code=f"CLK-{committed}-{statutory}",
            department=world.dept,
            committed=committed,
            statutory=statutory,
        )
        for committed, statutory in [(5, 20), (10, 20), (3, 20)]
    }


@pytest.mark.parametrize(
    "accepted, committed, due, statutory_due",
    [
        # 2025 Spring Festival: 28 Jan - 4 Feb off, Sun 26 Jan and Sat 8 Feb worked
        (date(2025, 1, 24), 5, date(2025, 2, 7), date(2025, 2, 27)),
        # 2025 Labour Day: 1-5 May off, Sun 27 Apr worked
        (date(2025, 4, 25), 5, date(2025, 5, 6), date(2025, 5, 27)),
        # 2025 National Day and Mid-Autumn: 1-8 Oct off, Sun 28 Sep and Sat 11 Oct worked
        (date(2025, 9, 26), 10, date(2025, 10, 16), date(2025, 10, 30)),
        # New Year 2026: 1-3 Jan off, Sun 4 Jan worked
        (date(2025, 12, 30), 5, date(2026, 1, 7), date(2026, 1, 28)),
        # 2026 Spring Festival: 15-23 Feb off, Sat 14 Feb and Sat 28 Feb worked
        (date(2026, 2, 13), 5, date(2026, 2, 27), date(2026, 3, 19)),
        # 2026 Labour Day: 1-5 May off, Sat 9 May worked
        (date(2026, 4, 30), 3, date(2026, 5, 8), date(2026, 6, 1)),
        # 2026 National Day: 1-7 Oct off, Sat 10 Oct worked
        (date(2026, 9, 30), 5, date(2026, 10, 13), date(2026, 11, 3)),
    ],
)
def test_due_dates_across_the_holidays(world, matters, accepted, committed, due, statutory_due):
    matter = matters[(committed, 20)]
    number = _submit(world, matter, accepted)
    data = _accept(world, number, accepted)
    assert data["accepted_on"] == accepted.isoformat()
    assert data["due_date"] == due.isoformat()
    assert data["statutory_due_date"] == statutory_due.isoformat()
    assert data["clock"]["unconfirmed"] is False
    with _at(due):
        clock = _api(world.clerk).get(f"/api/v1/applications/{number}/").json()["clock"]
    assert (clock["status"], clock["days_left"]) == ("warning", 0)


def test_deemed_acceptance_and_the_red_card_across_labour_day_2026(world, matters):
    number = _submit(world, matters[(5, 20)], date(2026, 4, 29))
    with _at(date(2026, 4, 29)):
        data = _api(world.clerk).get(f"/api/v1/applications/{number}/").json()
    # five working days after Wed 29 Apr: 30 Apr, 6, 7, 8 May, Sat 9 May (worked)
    assert data["deemed_acceptance_on"] == "2026-05-09"
    accepted = _accept(world, number, date(2026, 4, 30))
    assert accepted["due_date"] == "2026-05-11"  # 6, 7, 8, 9 (Sat, worked), 11 May
    with _at(date(2026, 5, 11)):
        clock = _api(world.clerk).get(f"/api/v1/applications/{number}/").json()["clock"]
    assert clock["status"] == "warning"
    with _at(date(2026, 5, 12)):
        clock = _api(world.clerk).get(f"/api/v1/applications/{number}/").json()["clock"]
    assert (clock["status"], clock["days_left"]) == ("overdue", -1)


def test_a_due_date_in_a_year_without_a_calendar_is_flagged(world, matters):
    number = _submit(world, matters[(10, 20)], date(2026, 12, 24))
    data = _accept(world, number, date(2026, 12, 24))
    # 25, 28, 29, 30, 31 Dec 2026, then 2027 counted Mon-Fri: 1, 4, 5, 6, 7 Jan
    assert data["due_date"] == "2027-01-07"
    assert data["clock"]["unconfirmed"] is True


def test_the_workdays_endpoint_agrees(world):
    api = APIClient()
    for start, days, expected in [
        ("2025-01-24", 5, "2025-02-07"),
        ("2025-09-26", 10, "2025-10-16"),
        ("2025-12-30", 5, "2026-01-07"),
        ("2026-02-13", 2, "2026-02-24"),
        ("2026-09-30", 5, "2026-10-13"),
    ]:
        response = api.get("/api/v1/workdays/", {"start": start, "days": days}).json()
        assert response["date"] == expected, (start, days)
    span = api.get("/api/v1/workdays/", {"start": "2025-12-31", "end": "2026-01-05"}).json()
    assert span["working_days"] == 2  # Sun 4 Jan (worked) and Mon 5 Jan
