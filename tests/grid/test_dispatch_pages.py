"""Dispatch pages: the centre's desk and the routing page, a department's queue and work
order (its own only), rules with why a rule cannot match, the tester, .xlsx import (every
problem at once) and export, the manage.py command, figures and their export."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from grid.models.dispatch import RoutingRule, WorkOrder
from grid.services import dispatch as svc
from portal import xlsx
from tests.grid.dispatch_fixtures import DispatchWorld, at, jpeg

pytestmark = pytest.mark.django_db
MON = at(2026, 9, 14, 10, 0)


@pytest.fixture
def w(db):
    return DispatchWorld()


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_desk_lists_what_waits_and_the_routing_page_dispatches(
    w, django_assert_max_num_queries
):
    rule = w.rule(
        10, "道路破损", category_code="DSP", handler_kind="department", department_code="GHJSB"
    )
    incidents = [w.to_route(when=MON) for _ in range(3)]
    page = login(w.dispatcher)
    with django_assert_max_num_queries(30):
        response = page.get(reverse("grid:dispatch-home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert incidents[0].number in body and "道路破损" in body
    route = page.get(reverse("grid:dispatch-incident", args=[incidents[0].number]))
    text = route.content.decode()
    assert "规则 #10“道路破损”（第1版）" in text and "规划建设办公室" in text
    done = page.post(
        reverse("grid:dispatch-incident", args=[incidents[0].number]),
        {"seen_state": "accepted", "seen_dispatches": "0", "follow": "rule"},
    )
    assert done.status_code == 302
    order = WorkOrder.objects.get(incident=incidents[0])
    assert order.rule_id == rule.pk
    # The same form again (a second dispatcher who saw the old page): told, nothing written.
    again = page.post(
        reverse("grid:dispatch-incident", args=[incidents[0].number]),
        {"seen_state": "accepted", "seen_dispatches": "0", "follow": "rule"},
        follow=True,
    )
    assert "已被他人处理" in again.content.decode()
    assert WorkOrder.objects.filter(incident=incidents[0]).count() == 1
    # By hand without a reason: the field is named.
    manual = page.post(
        reverse("grid:dispatch-incident", args=[incidents[1].number]),
        {
            "seen_state": "accepted",
            "seen_dispatches": "0",
            "follow": "manual",
            "kind": "department",
            "department": "SHSWB",
        },
    )
    assert manual.status_code == 400 and "请说明为何不按规则派遣" in manual.content.decode()
    # The incident page shows where it went and why.
    detail = login(w.head1).get(reverse("grid:incident-detail", args=[incidents[0].number]))
    assert "匹配规则 #10“道路破损”（第1版）" in detail.content.decode()


def test_a_department_sees_its_own_queue_and_signs_for_and_answers(
    w, django_assert_max_num_queries
):
    w.rule(10, "道路破损", category_code="DSP", handler_kind="department", department_code="GHJSB")
    orders = []
    for _ in range(4):
        incident = w.to_route(when=MON)
        orders.append(
            svc.incident_dispatch(actor=w.dispatcher, incident=incident).work_orders.get()
        )
    page = login(w.roads_staff)
    with django_assert_max_num_queries(14):
        queue = page.get(reverse("grid:work-orders"))
    assert queue.status_code == 200
    assert all(o.number in queue.content.decode() for o in orders)
    assert (
        login(w.social_staff).get(reverse("grid:work-order", args=[orders[0].pk])).status_code
        == 404
    )
    assert (
        orders[0].number
        not in login(w.social_staff).get(reverse("grid:work-orders")).content.decode()
    )
    response = page.post(
        reverse("grid:work-order-action", args=[orders[0].pk, "sign_for"]), {"seen_state": "sent"}
    )
    assert response.status_code == 302
    import uuid

    from django.core.files.uploadedfile import SimpleUploadedFile

    response = page.post(
        reverse("grid:work-order-action", args=[orders[0].pk, "feedback"]),
        {
            "seen_state": "signed",
            "client_uuid": str(uuid.uuid4()),
            "note": "已修复。",
            "photos": [SimpleUploadedFile("a.jpg", jpeg(), content_type="image/jpeg")],
        },
    )
    assert response.status_code == 302
    order = WorkOrder.objects.get(pk=orders[0].pk)
    assert order.state == "done" and order.photos.count() == 1
    # A return with no reason: the field says so.
    response = page.post(
        reverse("grid:work-order-action", args=[orders[1].pk, "return"]),
        {"seen_state": "sent", "return-reason": ""},
    )
    assert response.status_code == 400 and "必填" in response.content.decode()


def test_rules_page_shows_why_a_rule_does_not_match(w):
    w.rule(10, "规划建设", handler_kind="department", department_code="GHJSB")
    w.roads.is_active = False
    w.roads.save()
    body = login(w.supervisor).get(reverse("grid:routing-rules")).content.decode()
    assert "不参与匹配" in body and "规划建设办公室”已停用" in body
    assert login(w.roads_staff).get(reverse("grid:routing-rules")).status_code == 403


def test_the_tester_page(w):
    w.rule(10, "城管类", category_code="CSGL", handler_kind="department", department_code="GHJSB")
    body = (
        login(w.dispatcher)
        .get(
            reverse("grid:routing-test"),
            {"category": "DSP", "area": "V1G1", "at": "2026-10-01T10:00"},
        )
        .content.decode()
    )
    assert "规则 #10“城管类”（第1版）" in body and "夜间或节假日" in body


def _book(rows) -> bytes:
    from grid.routing_io import COLUMNS

    return xlsx.write_xlsx([("分拨规则", COLUMNS, rows)])


def test_import_reports_every_problem_at_once_and_writes_nothing(w, tmp_path):
    bad = _book(
        [
            ["", "x", "", "也许", "NOPE", "NOWHERE", "下午", "", "部门", "ZZZ", "", "", ""],
            [
                "R9",
                20,
                "好规则",
                "是",
                "CSGL",
                "",
                "工作时间",
                "",
                "镇职能部门",
                "GHJSB",
                "SHSWB",
                "",
                "",
            ],
            ["R9", 30, "重复编码", "是", "", "", "", "", "区级部门", "GHJSB", "", "", ""],
        ]
    )
    path = tmp_path / "bad.xlsx"
    path.write_bytes(bad)
    with pytest.raises(CommandError) as err:
        call_command("routing", "import", str(path))
    assert "处问题" in str(err.value)
    from grid.routing_io import import_rules

    result = import_rules(bad, actor="test")
    columns = {(p.row, p.column) for p in result.problems}
    assert {
        (2, "顺序"),
        (2, "规则名称"),
        (2, "启用"),
        (2, "分类编码"),
        (2, "区域编码"),
        (2, "时段"),
        (2, "主办部门编码"),
        (4, "规则编码"),
        (4, "主办部门编码"),
    } <= columns
    assert not RoutingRule.objects.exists()


def test_export_then_import_changes_nothing_and_an_edit_is_a_new_version(w, tmp_path):
    w.rule(
        10,
        "城管类",
        category_code="CSGL",
        handler_kind="department",
        department_code="GHJSB",
        co_handler_codes=["SHSWB"],
    )
    path = tmp_path / "rules.xlsx"
    call_command("routing", "export", str(path))
    out = io.StringIO()
    call_command("routing", "import", str(path), "--dry-run", stdout=out)
    assert "无变化 1" in out.getvalue()
    book = xlsx.open_workbook(path.read_bytes())
    rows = [list(r) for r in xlsx.sheet_rows(book["分拨规则"])]
    rows[1][9] = "JJFZB"
    from grid.routing_io import COLUMNS

    path.write_bytes(xlsx.write_xlsx([("分拨规则", COLUMNS, rows[1:])]))
    out = io.StringIO()
    call_command("routing", "import", str(path), stdout=out)
    rule = RoutingRule.objects.get()
    assert rule.version == 2 and rule.department.code == "JJFZB"
    # The import page: preview first.
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = login(w.supervisor)
    response = page.post(
        reverse("grid:routing-import"),
        {"file": SimpleUploadedFile("r.xlsx", path.read_bytes())},
    )
    assert response.status_code == 200 and "与现行规则相同" in response.content.decode()


def test_figures_page_and_export(w):
    w.rule(10, "道路破损", category_code="DSP", handler_kind="department", department_code="GHJSB")
    incident = w.to_route(when=MON)
    order = svc.incident_dispatch(actor=w.dispatcher, incident=incident, now=MON).work_orders.get()
    svc.work_order_return(actor=w.roads_staff, work_order=order, reason="不是我们的", now=MON)
    page = login(w.dispatcher)
    body = page.get(
        reverse("grid:dispatch-figures"), {"from": "2026-09-01", "to": "2026-09-30"}
    ).content.decode()
    assert "规划建设办" in body and "不是我们的" in body
    export = page.get(
        reverse("grid:dispatch-figures-export"), {"from": "2026-09-01", "to": "2026-09-30"}
    )
    assert export.status_code == 200
    book = xlsx.open_workbook(export.content)
    rows = list(xlsx.sheet_rows(book["部门"]))
    assert rows[1][0] == "GHJSB" and rows[1][6] == 1
    assert login(w.roads_staff).get(reverse("grid:dispatch-figures")).status_code == 403
