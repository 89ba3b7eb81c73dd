"""Dispatch services: the matched rule recorded, the no-match queue, work orders and their
clock, returns within and after the limit (hotline: 1 working day and the legal basis),
co-handlers all answering before verification, extensions, whistles, the enforcement lead and
its outcome closing the incident's loop."""

from datetime import date, timedelta

import pytest

from grid.models import Incident, IncidentStep
from grid.models.dispatch import Dispatch, WorkOrder
from grid.models.incidents import State
from grid.selectors import dispatch as sel
from grid.selectors import dispatch_figures as figures
from grid.selectors import routing
from grid.services import dispatch as svc
from grid.services import incidents as incident_svc
from portal.errors import ActionError, Conflict, Forbidden
from tests.grid.dispatch_fixtures import DispatchWorld, at, jpeg

pytestmark = pytest.mark.django_db

MON = at(2026, 9, 14, 10, 0)  # Monday, office hours


@pytest.fixture
def w(db):
    return DispatchWorld()


def roads_rule(w, **extra):
    return w.rule(
        10,
        "道路破损",
        category_code="DSP",
        handler_kind="department",
        department_code="GHJSB",
        **extra,
    )


def dispatched(w, *, when=MON, co=(), **kwargs):
    rule = roads_rule(w, co_handler_codes=list(co))
    incident = w.to_route(when=when, **kwargs)
    dispatch = svc.incident_dispatch(actor=w.dispatcher, incident=incident, now=when)
    orders = {o.department.code: o for o in dispatch.work_orders.select_related("department")}
    return rule, Incident.objects.get(pk=incident.pk), dispatch, orders


def test_dispatch_records_the_matched_rule_and_sends_work_orders(w):
    rule, incident, dispatch, orders = dispatched(w, co=["SHSWB"])
    assert incident.state == State.DISPATCHED
    assert (dispatch.rule_id, dispatch.rule_version, dispatch.followed_rule) == (rule.pk, 1, True)
    assert dispatch.rule_snapshot["department"]["code"] == "GHJSB"
    assert {e["status"] for e in dispatch.evaluated} == {"matched"}
    step = incident.history.get(action="dispatch")
    assert step.data["rule"] == rule.pk and step.data["rule_version"] == 1
    assert "道路破损" in step.note and "第1版" in step.note
    lead, co = orders["GHJSB"], orders["SHSWB"]
    assert (lead.role, co.role) == ("lead", "co")
    assert lead.rule_id == rule.pk and lead.state == "sent"
    # Ordinary category: sign for within 1 working day, handle within 3 working days.
    assert lead.sign_for_due_at == at(2026, 9, 15, 23, 59, 59, 999999)
    assert lead.due_at == at(2026, 9, 17, 23, 59, 59, 999999)
    assert lead.step_due_at == lead.sign_for_due_at
    assert lead.clock_status(MON) == "normal"
    # The rule changes afterwards: the dispatch still says what it followed.
    from grid.services import routing_rules as rules_svc

    data = rules_svc.as_data(rule)
    data.department_code = "JJFZB"
    rules_svc.rule_change(actor=w.supervisor, rule=rule, data=data)
    dispatch.refresh_from_db()
    assert dispatch.rule_version == 1 and dispatch.rule_snapshot["department"]["code"] == "GHJSB"


def test_urgent_orders_sign_for_in_30_minutes_across_the_night(w):
    roads_rule(w)
    incident = w.to_route(category=w.urgent, when=at(2026, 9, 14, 23, 50))
    w.rule(5, "井盖", category_code="URG", handler_kind="department", department_code="GHJSB")
    dispatch = svc.incident_dispatch(
        actor=w.dispatcher, incident=incident, now=at(2026, 9, 14, 23, 50)
    )
    order = dispatch.work_orders.get()
    assert order.sign_for_due_at == at(2026, 9, 15, 0, 20)
    assert order.due_at == at(2026, 9, 15, 23, 50)  # 24 calendar hours
    assert order.escalate_head_at == at(2026, 9, 15, 0, 50)
    assert order.escalate_centre_at == at(2026, 9, 15, 1, 20)


def test_no_match_waits_in_the_to_route_queue_and_is_routed_by_hand(w):
    incident = w.to_route(when=MON)
    waiting = list(sel.to_route(now=MON))
    assert [i.pk for i in waiting] == [incident.pk]
    assert sel.why_waiting(waiting[0]) == "网格不能自行处置"
    with pytest.raises(ActionError) as err:
        svc.incident_dispatch(actor=w.dispatcher, incident=incident, now=MON)
    assert err.value.code == "no_rule"
    choice = routing.Choice(kind="department", department="SHSWB")
    with pytest.raises(ActionError) as err:
        svc.incident_dispatch(actor=w.dispatcher, incident=incident, choice=choice, now=MON)
    assert err.value.code == "reason_required"
    dispatch = svc.incident_dispatch(
        actor=w.dispatcher, incident=incident, choice=choice, note="涉及困难群众。", now=MON
    )
    assert dispatch.rule_id is None and not dispatch.followed_rule
    assert "无匹配规则" in Incident.objects.get(pk=incident.pk).history.get(action="dispatch").note
    assert list(sel.to_route(now=MON)) == []


def test_overriding_the_rule_keeps_the_suggestion_on_record(w):
    rule = roads_rule(w)
    incident = w.to_route(when=MON)
    dispatch = svc.incident_dispatch(
        actor=w.dispatcher,
        incident=incident,
        choice=routing.Choice(kind="department", department="JJFZB"),
        note="涉及安全隐患。",
        now=MON,
    )
    assert dispatch.rule_id == rule.pk and not dispatch.followed_rule
    assert dispatch.department.code == "JJFZB"
    assert "人工派遣" in Incident.objects.get(pk=incident.pk).history.get(action="dispatch").note


def test_only_the_centre_dispatches_and_a_grid_member_cannot(w):
    roads_rule(w)
    incident = w.to_route(when=MON)
    with pytest.raises(Forbidden):
        svc.incident_dispatch(actor=w.member1, incident=incident, now=MON)


def test_return_within_the_sign_for_limit_goes_back_to_be_routed_again(w):
    rule, incident, dispatch, orders = dispatched(w, co=["SHSWB"])
    lead = orders["GHJSB"]
    svc.work_order_return(
        actor=w.roads_staff,
        work_order=lead,
        reason="不属于本部门职责。",
        now=MON + timedelta(hours=2),
    )
    lead.refresh_from_db()
    assert lead.state == "returned" and lead.rule_id == rule.pk
    assert WorkOrder.objects.get(pk=orders["SHSWB"].pk).state == "cancelled"
    incident.refresh_from_db()
    assert incident.state == State.ACCEPTED
    dispatch.refresh_from_db()
    assert dispatch.state == "recalled"
    waiting = list(sel.to_route(now=MON + timedelta(hours=3)))
    assert [i.pk for i in waiting] == [incident.pk]
    assert sel.why_waiting(waiting[0]) == "退单或收回，待重新派遣"
    # Counted with the rule that missed.
    period = figures.Period.days(date(2026, 9, 1), date(2026, 9, 30))
    by_rule = {f.key: f for f in figures.rule_figures(period, now=MON)}
    assert by_rule[rule.code].returned == 1
    assert by_rule[rule.code].return_reasons == [("不属于本部门职责。", 1)]
    # Routed again: a second dispatch.
    again = svc.incident_dispatch(
        actor=w.dispatcher,
        incident=incident,
        choice=routing.Choice(kind="department", department="SHSWB"),
        note="改派社会事务办。",
        now=MON + timedelta(hours=4),
    )
    assert again.seq == 2


def test_return_after_the_sign_for_limit_is_refused(w):
    _rule, _incident, _dispatch, orders = dispatched(w)
    with pytest.raises(ActionError) as err:
        svc.work_order_return(
            actor=w.roads_staff,
            work_order=orders["GHJSB"],
            reason="不属于本部门职责。",
            now=at(2026, 9, 16, 9, 0),
        )
    assert err.value.code == "return_window_over"


def test_another_department_cannot_act_on_an_order(w):
    _rule, _incident, _dispatch, orders = dispatched(w)
    with pytest.raises(Forbidden):
        svc.work_order_sign_for(actor=w.social_staff, work_order=orders["GHJSB"], now=MON)


def hotline_incident(w, when):
    reported = incident_svc.incident_report(
        actor=w.hotline,
        source="hotline",
        category_code="URG",
        description="井盖缺失。",
        lat=w.V1G1[0],
        lng=w.V1G1[1],
        external_number="12345-2026-0001",
        reporter_name="王先生",
        reporter_mobile="13900000000",
        now=when,
    )
    incident = incident_svc.incident_verify(actor=w.member1, incident=reported.incident, now=when)
    return incident_svc.incident_accept(actor=w.head1, incident=incident, now=when)


def test_hotline_order_returns_within_one_working_day_and_with_the_legal_basis(w):
    w.rule(5, "井盖", category_code="URG", handler_kind="department", department_code="GHJSB")
    incident = hotline_incident(w, MON)
    dispatch = svc.incident_dispatch(actor=w.dispatcher, incident=incident, now=MON)
    order = dispatch.work_orders.get()
    assert order.is_hotline
    assert order.sign_for_due_at == MON + timedelta(minutes=30)
    later = MON + timedelta(hours=5)  # past the 30 minutes, inside 1 working day
    with pytest.raises(ActionError) as err:
        svc.work_order_return(
            actor=w.roads_staff, work_order=order, reason="非本部门职责", now=later
        )
    assert err.value.fields == {"basis": ["必填。"]}
    svc.work_order_return(
        actor=w.roads_staff,
        work_order=order,
        reason="非本部门职责",
        basis="《城市道路管理条例》第三十条：检查井由产权单位负责。",
        now=later,
    )
    order.refresh_from_db()
    assert order.state == "returned" and "第三十条" in order.return_basis
    # One working day later: no longer.
    incident = Incident.objects.get(pk=incident.pk)
    dispatch = svc.incident_dispatch(
        actor=w.dispatcher,
        incident=incident,
        choice=routing.Choice(kind="department", department="SHSWB"),
        note="改派",
        now=MON + timedelta(hours=6),
    )
    second = dispatch.work_orders.get()
    with pytest.raises(ActionError) as err:
        svc.work_order_return(
            actor=w.social_staff,
            work_order=second,
            reason="非本部门职责",
            basis="依据",
            now=at(2026, 9, 16, 9, 0),
        )
    assert err.value.code == "return_window_over"


def test_verification_waits_for_every_co_handler(w):
    _rule, incident, dispatch, orders = dispatched(w, co=["SHSWB", "JJFZB"])
    lead, social, safety = orders["GHJSB"], orders["SHSWB"], orders["JJFZB"]
    t = MON + timedelta(hours=1)
    for order, person in (
        (lead, w.roads_staff),
        (social, w.social_staff),
        (safety, w.safety_staff),
    ):
        svc.work_order_sign_for(actor=person, work_order=order, now=t)
    svc.work_order_feedback(
        actor=w.roads_staff,
        work_order=WorkOrder.objects.get(pk=lead.pk),
        note="已修复路面。",
        photo_files=[jpeg()],
        now=t + timedelta(hours=5),
    )
    assert Incident.objects.get(pk=incident.pk).state == State.DISPATCHED  # co-handlers pending
    svc.work_order_feedback(
        actor=w.social_staff,
        work_order=WorkOrder.objects.get(pk=social.pk),
        note="已走访周边住户。",
        now=t + timedelta(hours=6),
    )
    assert Incident.objects.get(pk=incident.pk).state == State.DISPATCHED
    # The last co-handler returns its order: the centre must decide before verification.
    svc.work_order_return(
        actor=w.safety_staff,
        work_order=WorkOrder.objects.get(pk=safety.pk),
        reason="无安全隐患。",
        now=t + timedelta(hours=6),
    )
    assert Incident.objects.get(pk=incident.pk).state == State.DISPATCHED
    assert [o.pk for o in sel.returned_waiting()] == [safety.pk]
    svc.work_order_drop(
        actor=w.dispatcher,
        work_order=WorkOrder.objects.get(pk=safety.pk),
        now=t + timedelta(hours=7),
    )
    incident = Incident.objects.get(pk=incident.pk)
    assert incident.state == State.FEEDBACK
    assert "已修复路面" in incident.feedback_note and "已走访" in incident.feedback_note
    assert incident.photos.filter(stage="result").count() == 1
    dispatch.refresh_from_db()
    assert dispatch.state == "done"
    # The grid member who reported it checks on site and closes it.
    closed = incident_svc.incident_close(
        actor=w.member1, incident=incident, outcome="solved", now=t + timedelta(hours=9)
    )
    assert closed.state == State.CLOSED


def test_feedback_is_idempotent_on_the_phones_uuid(w):
    import uuid

    _rule, _incident, _dispatch, orders = dispatched(w)
    order = svc.work_order_sign_for(actor=w.roads_staff, work_order=orders["GHJSB"], now=MON)
    key = uuid.uuid4()
    first = svc.work_order_feedback(
        actor=w.roads_staff, work_order=order, note="已修复。", client_uuid=key, now=MON
    )
    again = svc.work_order_feedback(
        actor=w.roads_staff, work_order=order, note="已修复。", client_uuid=key, now=MON
    )
    assert first.created and not again.created
    assert again.work_order.pk == order.pk
    assert order.history.filter(action="feed_back").count() == 1


def test_extension_approved_by_the_centre_moves_the_deadline(w):
    _rule, _incident, _dispatch, orders = dispatched(w)
    order = svc.work_order_sign_for(actor=w.roads_staff, work_order=orders["GHJSB"], now=MON)
    with (
        pytest.raises(ActionError) as err
    ):  # beyond 5 working days (the category maximum: Sunday 20 September, a make-up working day)
        svc.work_order_request_extension(
            actor=w.roads_staff,
            work_order=order,
            new_due_on=date(2026, 9, 25),
            reason="材料未到",
            now=MON,
        )
    assert err.value.code == "beyond_maximum"
    extension = svc.work_order_request_extension(
        actor=w.roads_staff,
        work_order=order,
        new_due_on=date(2026, 9, 18),
        reason="需等待材料。",
        now=MON,
    )
    with pytest.raises(Forbidden):
        svc.work_order_decide_extension(actor=w.roads_head, extension=extension, approve=True)
    svc.work_order_decide_extension(actor=w.dispatcher, extension=extension, approve=True, now=MON)
    order.refresh_from_db()
    assert order.due_at == at(2026, 9, 18, 23, 59, 59, 999999)
    assert order.step_due_at == order.due_at


def test_two_dispatchers_at_once_one_wins_the_other_conflicts_in_sequence(w):
    roads_rule(w)
    incident = w.to_route(when=MON)
    seen_by_2 = Incident.objects.get(pk=incident.pk)
    svc.incident_dispatch(actor=w.dispatcher, incident=incident, now=MON)
    with pytest.raises(Conflict):
        svc.incident_dispatch(actor=w.dispatcher, incident=seen_by_2, now=MON)
    assert Dispatch.objects.filter(incident=incident).count() == 1


def test_whistle_on_time_late_and_absent(w):
    _rule, incident, _dispatch, _orders = dispatched(w)
    whistle = svc.whistle_blow(
        actor=w.dispatcher,
        incident=incident,
        departments=[w.roads, w.social, w.safety, w.district],
        meet_at=MON + timedelta(hours=2),
        place="东村一网格路口",
        now=MON,
    )
    calls = {c.department.code: c for c in whistle.calls.select_related("department")}
    svc.whistle_report(actor=w.roads_staff, call=calls["GHJSB"], now=MON + timedelta(hours=1))
    svc.whistle_report(actor=w.social_staff, call=calls["SHSWB"], now=MON + timedelta(hours=3))
    with pytest.raises(Forbidden):  # the district does not log in: the centre records it
        svc.whistle_report(actor=w.roads_staff, call=calls["QCGJ"])
    svc.whistle_report(
        actor=w.dispatcher,
        call=calls["QCGJ"],
        at=MON + timedelta(minutes=90),
        now=MON + timedelta(hours=4),
    )
    with pytest.raises(Conflict):
        svc.whistle_report(actor=w.roads_staff, call=calls["GHJSB"], now=MON + timedelta(hours=4))
    result = {
        f.key: (f.on_time, f.late, f.absent)
        for f in figures.whistle_figures(
            figures.Period.days(date(2026, 9, 14), date(2026, 9, 14)), now=MON + timedelta(hours=5)
        )
    }
    assert result == {"GHJSB": (1, 0, 0), "SHSWB": (0, 1, 0), "JJFZB": (0, 0, 1), "QCGJ": (1, 0, 0)}
    assert incident.history.filter(action="whistle").count() == 1


def test_handing_back_to_the_grid(w):
    w.rule(10, "网格自办", category_code="ORD", handler_kind="grid")
    reported = incident_svc.incident_report(
        actor=w.member1,
        source="grid_member",
        category_code="ORD",
        description="占道经营",
        lat=w.V1G1[0],
        lng=w.V1G1[1],
        photo_files=[jpeg()],
        now=MON,
    )
    incident = incident_svc.incident_accept(actor=w.head1, incident=reported.incident, now=MON)
    svc.dispatch_request(actor=w.head1, incident=incident, reason="需要部门协助。", now=MON)
    assert [i.pk for i in sel.to_route(now=MON)] == [incident.pk]
    dispatch = svc.incident_dispatch(actor=w.dispatcher, incident=incident, now=MON)
    assert dispatch.kind == "grid" and dispatch.state == "handed_back"
    assert Incident.objects.get(pk=incident.pk).state == State.ACCEPTED
    assert list(sel.to_route(now=MON)) == []
    assert IncidentStep.objects.filter(incident=incident, action="dispatch_grid").exists()
