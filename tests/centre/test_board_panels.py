"""Each panel of the board against the hand-computed town (tests/centre/town.py) at Friday
9 October 2026, 10:00 — applications, incidents, work orders, cases and call-outs across
National Day."""

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
    # IN1–IN4 and the three routed ones (IY red, IX yellow, IZ normal)
    assert totals["open"] == 7
    assert totals["clock"] == {"overdue": 3, "warning": 2, "normal": 2, "paused": 0}
    villages = {v["code"]: v for v in panel["villages"]}
    v1 = villages[ctown.grid.town["V1G1"].village.code]
    assert v1["open"] == 6
    assert v1["clock"]["overdue"] == 3 and v1["clock"]["warning"] == 2
    assert v1["clock"]["normal"] == 1
    assert v1["states"] == {"reported": 1, "verified": 1, "handling": 1, "dispatched": 3}
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


def test_work_orders_late_to_sign_for_or_to_finish_by_department(ctown, data):
    panel = data["work_orders"]
    # WO1 (roads, not signed for since 29 Sep) and WO3 (roads, signed, due 8 Oct, not done)
    assert (panel["late_sign_for"], panel["late_handling"], panel["late_total"]) == (1, 1, 2)
    # only departments with something late; social holds WO4, open and on time
    (roads,) = panel["departments"]
    assert (roads["code"], roads["open"]) == ("GHJSB", 2)
    assert (roads["late_sign_for"], roads["late_handling"]) == (1, 1)
    assert "department=GHJSB" in roads["late_sign_for_url"]
    rows = {r[0]: r[2:] for r in panel["export"]["rows"]}
    assert rows == {"GHJSB": [2, 1, 1], "SHSWB": [1, 0, 0]}


def test_returned_work_orders_waiting_for_redispatch(ctown, data):
    panel = data["returned"]
    assert panel["count"] == 1
    (item,) = panel["items"]
    assert (item["number"], item["incident"]) == (ctown.wo2.number, ctown.ix.number)
    assert item["department"] == "社会事务办"
    assert item["reason"].startswith("不属于本办职责")
    assert data["whistles"]["waiting"] == 0


def test_the_work_orders_on_the_one_clock(ctown, data):
    rows = [i for i in data["late"]["items"] if i["kind"] == "work_order"]
    assert [i["number"] for i in rows] == [ctown.wo1.number, ctown.wo3.number]
