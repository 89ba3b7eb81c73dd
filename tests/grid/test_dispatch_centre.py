"""What the command centre reads from dispatch: work orders on the one clock (late items with
their unit and the department that holds them, counts, workloads), the board's dispatch panels
and the report's figures."""

from datetime import timedelta

import pytest

from grid.selectors import dispatch_board, dispatch_figures, work_order_clock
from grid.services import dispatch as svc
from tests.grid.dispatch_fixtures import DispatchWorld, at

pytestmark = pytest.mark.django_db
MON = at(2026, 9, 14, 10, 0)


@pytest.fixture
def w(db):
    return DispatchWorld()


def test_work_orders_on_the_one_clock(w):
    w.rule(10, "道路破损", category_code="DSP", handler_kind="department", department_code="GHJSB")
    w.rule(5, "井盖", category_code="URG", handler_kind="department", department_code="SHSWB")
    urgent = svc.incident_dispatch(
        actor=w.dispatcher, incident=w.to_route(category=w.urgent, when=MON), now=MON
    ).work_orders.get()
    ordinary = svc.incident_dispatch(
        actor=w.dispatcher, incident=w.to_route(when=MON), now=MON
    ).work_orders.get()
    svc.work_order_sign_for(actor=w.roads_staff, work_order=ordinary, now=MON)
    now = MON + timedelta(hours=2)  # the urgent sign-for (30 min) is late, the other runs
    items = work_order_clock.late_items(now=now)
    assert [i.number for i in items] == [urgent.number]
    first = items[0]
    assert first.kind == "work_order" and first.status == "overdue" and first.unit == "hours"
    assert first.holder == "社会事务办" and first.holder_ids == (w.social_staff.pk,)
    assert first.late_by(now).amount == 2
    assert work_order_clock.counts(now=now) == {"red": 1, "yellow": 0}
    assert work_order_clock.item(ordinary.number, now=now).status == "normal"
    loads = {x.key: x for x in work_order_clock.workload(since=MON.date(), now=now)}
    assert list(loads) == [f"department:{w.roads.pk}"]


def test_the_boards_dispatch_panels_and_the_report(w):
    w.rule(10, "道路破损", category_code="DSP", handler_kind="department", department_code="GHJSB")
    order = svc.incident_dispatch(
        actor=w.dispatcher, incident=w.to_route(when=MON), now=MON
    ).work_orders.get()
    svc.work_order_return(actor=w.roads_staff, work_order=order, reason="不归我们管", now=MON)
    again = svc.incident_dispatch(
        actor=w.dispatcher, incident=w.to_route(when=MON), now=MON
    ).work_orders.get()
    panels = dispatch_board.centre_panels(now=MON + timedelta(days=3))
    assert panels["returned"]["count"] == 1
    assert panels["returned"]["items"][0]["reason"] == "不归我们管"
    orders = panels["work_orders"]
    assert orders["late_sign_for"] == 1 and orders["departments"][0]["code"] == "GHJSB"
    assert orders["export"]["rows"][0][:3] == ["GHJSB", "规划建设办", 1]
    assert panels["whistles"]["waiting"] == 0
    report = dispatch_figures.centre_figures(at(2026, 9, 1), at(2026, 10, 1), now=MON)
    assert report["received"] == 2 and report["returned"] == 1
    assert report["departments"][0]["name"] == "规划建设办"
    assert again.number != order.number
