"""The one clock: applications, incidents, work orders and cases ranked together by how late
they are, with the holder and the lateness in the unit of each one's limit."""

from datetime import date, datetime

import pytest
from rest_framework.test import APIClient

from centre.selectors import late
from tests.centre.town import NOW, SHANGHAI, travel

pytestmark = pytest.mark.django_db


def test_the_order_most_late_first_then_the_yellow_ones(ctown):
    with travel(NOW):
        rows = late.late_list(now=NOW, limit=20)
    got = [(r.item.kind, r.item.number) for r in rows]
    assert got == [
        ("case", ctown.c1.number),
        ("work_order", ctown.wo1.number),
        ("application", ctown.ap1.number),
        ("incident", ctown.iy.number),
        ("incident", ctown.in2.number),
        ("work_order", ctown.wo3.number),
        ("incident", ctown.in3.number),
        ("incident", ctown.in1.number),
        ("incident", ctown.ix.number),
        ("application", ctown.ap2.number),
        ("case", ctown.l1.number),
        ("case", ctown.c2.number),
    ]
    late_by = [(r.late_by.amount, r.late_by.unit) if r.late_by else None for r in rows]
    assert late_by == [
        (3, "working_days"),  # C1: 30 Sep, 8 and 9 Oct (National Day does not count)
        (2, "working_days"),  # WO1: to sign for by 30 Sep; 8 and 9 Oct
        (1, "working_days"),  # AP1
        (1, "working_days"),  # IY
        (1, "working_days"),  # IN2
        (1, "working_days"),  # WO3: to finish by 8 Oct
        (1, "hours"),  # IN3: 30 minutes late, an hour begun
        None,
        None,
        None,
        None,
        None,
    ]


def test_the_holder_of_each(ctown):
    with travel(NOW):
        rows = {r.item.number: r.item for r in late.late_list(now=NOW, limit=20)}
    assert rows[ctown.ap1.number].holder == ctown.apps.reviewer.display_name
    assert rows[ctown.ap2.number].holder.endswith("待认领")
    assert rows[ctown.in2.number].holder.endswith(ctown.grid.head1.display_name)
    assert rows[ctown.in3.number].holder == ctown.grid.member2.display_name
    assert rows[ctown.in3.number].holder_ids == (ctown.grid.member2.pk,)
    assert rows[ctown.c1.number].holder.startswith("第一中队")
    assert rows[ctown.l1.number].holder == "第一中队"
    # a work order is held by its department, whoever of its staff may act
    assert rows[ctown.wo1.number].holder == "规划建设办"
    assert rows[ctown.wo1.number].holder_ids == (ctown.roads_staff.pk,)
    assert rows[ctown.wo3.number].title.endswith("（办理）")
    assert rows[ctown.wo1.number].title.endswith("（签收）")


def test_a_limit_cuts_the_merged_list_not_each_kind(ctown):
    with travel(NOW):
        rows = late.late_list(now=NOW, limit=3)
        overdue = late.late_list(now=NOW, limit=20, overdue_only=True)
    assert [r.item.number for r in rows] == [
        ctown.c1.number,
        ctown.wo1.number,
        ctown.ap1.number,
    ]
    assert len(overdue) == 7 and all(r.late_by for r in overdue)


def test_the_api_interface(ctown):
    client = APIClient()
    client.force_authenticate(ctown.dispatcher)
    with travel(NOW):
        answer = client.get("/api/v1/centre/late/?limit=5")
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 5
    first = body["results"][0]
    assert first["kind"] == "case" and first["number"] == ctown.c1.number
    assert first["holder"].startswith("第一中队")
    due = datetime.fromisoformat(first["due"].replace("Z", "+00:00")).astimezone(SHANGHAI)
    assert (due.date(), due.hour, due.minute) == (date(2026, 9, 29), 23, 59)
    assert first["late_by"]["amount"] == 3 and first["late_by"]["unit"] == "working_days"
    second = body["results"][1]
    assert (second["kind"], second["number"]) == ("work_order", ctown.wo1.number)
    assert second["holder"] == "规划建设办"
    assert (second["late_by"]["amount"], second["late_by"]["unit"]) == (2, "working_days")
    with travel(NOW):
        only = client.get("/api/v1/centre/late/?limit=50&status=overdue&kind=incident").json()
        orders = client.get("/api/v1/centre/late/?limit=50&kind=work_order").json()
    assert [r["number"] for r in only["results"]] == [
        ctown.iy.number,
        ctown.in2.number,
        ctown.in3.number,
    ]
    assert [r["number"] for r in orders["results"]] == [ctown.wo1.number, ctown.wo3.number]


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "limit=abc", "status=late", "kind=x"])
def test_bad_parameters_name_the_field(ctown, query):
    client = APIClient()
    client.force_authenticate(ctown.dispatcher)
    answer = client.get(f"/api/v1/centre/late/?{query}")
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "invalid" and list(body["fields"]) == [query.split("=")[0]]


def test_the_cases_on_the_clock_are_read_in_a_fixed_number_of_queries(
    ctown, django_assert_num_queries
):
    # Case and Lead are FSM models: a deferred state would be fetched row by row.
    from enforcement.selectors import clock as case_clock
    from portal.reminders import working_days_before

    with travel(NOW):
        # the keys of cases and of leads (off their indexes), then those cases, those leads and
        # the cases' officers
        with django_assert_num_queries(5):
            items = case_clock.late_items(now=NOW, limit=20)
        assert len(items) == 3
        since = working_days_before(NOW.date(), 20)
        with django_assert_num_queries(7):  # squads, cases, leads, officers, 3 counts
            case_clock.workload(since=since, now=NOW)
