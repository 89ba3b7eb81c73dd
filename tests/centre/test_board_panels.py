"""Each panel of the board against the hand-computed town (tests/centre/town.py) at Friday
9 October 2026, 10:00 — applications, incidents, cases and call-outs across National Day."""

import pytest

from centre.selectors import board
from tests.centre.town import NOW, travel

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(ctown):
    with travel(NOW):
        return board.compute(NOW)


def test_new_reports_waiting_to_be_verified_accepted_or_routed(ctown, data):
    panel = data["new_reports"]
    assert (panel["unverified"], panel["unaccepted"], panel["to_route"]) == (1, 1, 1)
    assert panel["total"] == 3
    assert panel["urgent"] == 1
    # IN2 was reported on Tue 29 Sep 10:00: ten days ago.
    assert panel["oldest_minutes"] == 10 * 24 * 60
    numbers = [i["number"] for i in panel["items"]]
    assert numbers[0] == ctown.in1.number  # urgent first
    assert set(numbers) == {ctown.in1.number, ctown.in2.number, ctown.in4.number}
    first = panel["items"][0]
    assert first["age_minutes"] == 90
    assert "state=reported" in panel["urls"]["unverified"]


def test_incidents_by_state_and_clock_per_village_and_grid(ctown, data):
    panel = data["incidents"]
    totals = panel["totals"]
    assert totals["open"] == 4
    assert totals["clock"] == {"overdue": 2, "warning": 1, "normal": 1, "paused": 0}
    villages = {v["code"]: v for v in panel["villages"]}
    v1 = villages[ctown.grid.town["V1G1"].village.code]
    assert v1["open"] == 3
    assert v1["clock"]["overdue"] == 2 and v1["clock"]["warning"] == 1
    assert v1["states"] == {"reported": 1, "verified": 1, "handling": 1}
    (grid,) = v1["grids"]
    assert grid["code"] == "V1G1" or grid["name"] == ctown.grid.town["V1G1"].name
    assert f"grid={ctown.grid.town['V1G1'].pk}" in grid["urls"]["overdue"]
    v2 = villages[ctown.grid.town["V2G1"].village.code]
    assert v2["open"] == 1 and v2["clock"]["normal"] == 1 and v2["states"] == {"accepted": 1}
    # the village with red incidents comes first
    assert panel["villages"][0]["code"] == v1["code"]


def test_callouts_in_progress_with_their_1_2_3_45_timings(ctown, data):
    panel = data["callouts"]
    assert panel["count"] == 1 and panel["missed"] == 1
    (item,) = panel["items"]
    assert item["number"] == ctown.co1.number
    steps = {s["step"]: s for s in item["steps"]}
    assert steps["respond"]["status"] == "on_time" and steps["respond"]["seconds"] == 40
    assert steps["accept"]["status"] == "late" and steps["accept"]["seconds"] == 150
    assert steps["set_out"]["status"] == "missed"
    assert steps["on_site"]["status"] == "running"
    assert item["missed"] == ["accept", "set_out"]


def test_cases_near_or_past_a_legal_deadline(ctown, data):
    panel = data["cases"]
    kinds = {k["kind"]: k for k in panel["kinds"]}
    assert (kinds["decision"]["red"], kinds["decision"]["yellow"]) == (1, 1)
    assert (kinds["filing"]["red"], kinds["filing"]["yellow"]) == (0, 1)
    assert (panel["red"], panel["yellow"]) == (1, 2)
    assert [i["number"] for i in panel["items"]] == [
        ctown.c1.number,
        ctown.l1.number,
        ctown.c2.number,
    ]


def test_application_red_and_yellow_cards(ctown, data):
    panel = data["applications"]
    assert (panel["red"], panel["yellow"]) == (1, 1)
    (dept,) = panel["departments"]
    assert (dept["red"], dept["yellow"]) == (1, 1)
    assert f"department={ctown.apps.dept.pk}" in dept["red_url"]


def test_the_duty_panel_names_the_squads_on_duty(ctown, data):
    squads = {s["squad"]: s for s in data["duty"]["squads"]}
    assert [o["name"] for o in squads["ZD1"]["officers"]] == ["队员一"]
    assert data["duty"]["shift"]["name"] == "day"


def test_dispatch_panels_with_no_work_orders_in_the_town(data):
    # The town routes nothing (work orders are measured in tests/grid/test_dispatch_centre.py):
    # the panels are there, and empty, not missing.
    assert data["work_orders"]["late_sign_for"] == 0
    assert data["work_orders"]["departments"] == []
    assert data["returned"]["count"] == 0
    assert data["whistles"]["waiting"] == 0
