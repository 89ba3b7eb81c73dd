"""A department that does not sign for in time: reminded, then its head, then the centre
presses (督办) — once each, whatever the number of sweeps. Handling warning and overdue, and a
whistle nobody answered, once each too. And the enforcement lead: handed over with its photos,
the outcome signal closing the incident's loop."""

from datetime import timedelta

import pytest

from grid.models import Incident
from grid.models.dispatch import Dispatch, WorkOrder
from grid.models.incidents import State
from grid.services import dispatch as svc
from grid.services import incidents as incident_svc
from portal import reminders, roles
from portal.models import Notification
from tests.grid.dispatch_fixtures import DispatchWorld, at, user

pytestmark = pytest.mark.django_db

MON = at(2026, 9, 14, 10, 0)


@pytest.fixture
def w(db):
    return DispatchWorld()


def sweep(when):
    return reminders.run_sweep(
        now=when,
        kinds=[
            "grid.work_order_unsigned",
            "grid.work_order_unsigned_head",
            "grid.work_order_unsigned_centre",
            "grid.work_order_warning",
            "grid.work_order_overdue",
            "grid.whistle_absent",
        ],
    )


def kinds_for(person) -> list[str]:
    return sorted(
        Notification.objects.filter(
            recipient=person, kind__startswith="grid.work_order_"
        ).values_list("kind", flat=True)
    )


def test_late_sign_for_escalates_to_the_department_then_its_head_then_the_centre_once_each(w):
    w.rule(10, "井盖", category_code="URG", handler_kind="department", department_code="GHJSB")
    incident = w.to_route(category=w.urgent, when=MON)
    dispatch = svc.incident_dispatch(actor=w.dispatcher, incident=incident, now=MON)
    order = dispatch.work_orders.get()
    Notification.objects.all().delete()
    # 30 minutes to sign for; then 30 more: the head; 30 more: the centre.
    assert sweep(MON + timedelta(minutes=20))["grid.work_order_unsigned"] == 0
    assert sweep(MON + timedelta(minutes=31))["grid.work_order_unsigned"] == 1
    assert kinds_for(w.roads_staff) == ["grid.work_order_unsigned"]
    assert kinds_for(w.roads_head) == ["grid.work_order_unsigned"]  # the head is staff too
    issued = sweep(MON + timedelta(minutes=61))
    assert (issued["grid.work_order_unsigned"], issued["grid.work_order_unsigned_head"]) == (0, 1)
    assert kinds_for(w.roads_head) == ["grid.work_order_unsigned", "grid.work_order_unsigned_head"]
    assert kinds_for(w.roads_staff) == ["grid.work_order_unsigned"]
    issued = sweep(MON + timedelta(minutes=91))
    assert issued["grid.work_order_unsigned_centre"] == 1
    assert kinds_for(w.dispatcher) == ["grid.work_order_unsigned_centre"]
    order.refresh_from_db()
    assert order.pressed == 1
    assert order.history.filter(action="press_auto").count() == 1
    # Sweeps go on: nothing more.
    for minutes in (95, 120, 600):
        issued = sweep(MON + timedelta(minutes=minutes))
        assert not any(issued[k] for k in issued if "unsigned" in k)
    order.refresh_from_db()
    assert order.pressed == 1
    assert Notification.objects.filter(kind__startswith="grid.work_order_unsigned").count() == 4


def test_a_signed_order_is_not_escalated_and_its_handling_clock_is_reminded_once(w):
    w.rule(10, "井盖", category_code="URG", handler_kind="department", department_code="GHJSB")
    incident = w.to_route(category=w.urgent, when=MON)
    order = svc.incident_dispatch(actor=w.dispatcher, incident=incident, now=MON).work_orders.get()
    svc.work_order_sign_for(actor=w.roads_staff, work_order=order, now=MON + timedelta(minutes=10))
    Notification.objects.all().delete()
    assert not any(sweep(MON + timedelta(hours=2)).values())
    # 24 hours to handle; yellow 5 hours before (20 %), red after.
    assert sweep(MON + timedelta(hours=20))["grid.work_order_warning"] == 1
    assert sweep(MON + timedelta(hours=21))["grid.work_order_warning"] == 0
    assert sweep(MON + timedelta(hours=25))["grid.work_order_overdue"] == 1
    assert sweep(MON + timedelta(hours=30))["grid.work_order_overdue"] == 0
    assert kinds_for(w.roads_staff) == ["grid.work_order_overdue", "grid.work_order_warning"]


def test_whistle_nobody_answered_is_reported_once(w):
    w.rule(10, "道路", category_code="DSP", handler_kind="department", department_code="GHJSB")
    incident = w.to_route(when=MON)
    whistle = svc.whistle_blow(
        actor=w.dispatcher,
        incident=incident,
        departments=[w.roads, w.social],
        meet_at=MON + timedelta(hours=1),
        place="村委会",
        now=MON,
    )
    call = whistle.calls.get(department=w.roads)
    svc.whistle_report(actor=w.roads_staff, call=call, now=MON + timedelta(minutes=30))
    assert sweep(MON + timedelta(minutes=50))["grid.whistle_absent"] == 0
    assert sweep(MON + timedelta(hours=2))["grid.whistle_absent"] == 1
    assert sweep(MON + timedelta(hours=3))["grid.whistle_absent"] == 0
    note = Notification.objects.get(recipient=w.dispatcher, kind="grid.whistle_absent")
    assert "社会事务办公室" in note.body and "规划建设办公室" not in note.body


def test_the_enforcement_lead_and_its_outcome_close_the_incidents_loop(
    w, django_capture_on_commit_callbacks
):
    from enforcement.models import Lead
    from enforcement.services.leads import lead_not_file

    bureau = user(roles.BUREAU_HEAD)
    w.rule(10, "违章搭建", category_code="DSP", handler_kind="squad")
    incident = w.to_route(when=MON)
    dispatch = svc.incident_dispatch(actor=w.dispatcher, incident=incident, now=MON)
    assert dispatch.kind == "squad" and dispatch.lead_number
    lead = Lead.objects.get(number=dispatch.lead_number)
    assert (lead.source, lead.source_ref) == ("grid_incident", incident.number)
    assert lead.photos.count() == 1  # the report photo went with it
    assert Incident.objects.get(pk=incident.pk).state == State.DISPATCHED
    # A resend (the same dispatch) is the same lead.
    assert Lead.objects.filter(source_ref=incident.number).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        lead_not_file(lead=lead, actor=bureau, reason="经核查，搭建物为临时设施，不构成违法。")
    incident = Incident.objects.get(pk=incident.pk)
    assert incident.state == State.FEEDBACK
    assert "不予立案" in incident.feedback_note and "临时设施" in incident.feedback_note
    dispatch.refresh_from_db()
    assert (dispatch.state, dispatch.lead_outcome) == ("done", "not_filed")
    # The same outcome again (a resend, or the hourly check) changes nothing.
    svc.lead_outcome_record(client_uuid=str(dispatch.lead_client_uuid), outcome="not_filed")
    assert incident.history.filter(action="dispatch_done").count() == 1
    assert svc.sync_lead_outcomes() == 0
    # The grid checks the place and closes it with an outcome.
    closed = incident_svc.incident_close(
        actor=w.head1,
        incident=incident,
        outcome="not_responsible",
        outcome_reason="临时设施，已提醒当事人按期拆除。",
        now=MON + timedelta(days=2),
    )
    assert closed.state == State.CLOSED


def test_a_missed_signal_is_picked_up_by_the_hourly_check(w):
    from enforcement.models import Lead
    from enforcement.services.leads import lead_not_file

    bureau = user(roles.BUREAU_HEAD)
    w.rule(10, "违章搭建", category_code="DSP", handler_kind="squad")
    incident = w.to_route(when=MON)
    dispatch = svc.incident_dispatch(actor=w.dispatcher, incident=incident, now=MON)
    lead = Lead.objects.get(number=dispatch.lead_number)
    lead_not_file(lead=lead, actor=bureau, reason="不构成违法。")  # on_commit never runs here
    assert Incident.objects.get(pk=incident.pk).state == State.DISPATCHED
    assert svc.sync_lead_outcomes() == 1
    assert Incident.objects.get(pk=incident.pk).state == State.FEEDBACK
    assert Dispatch.objects.get(pk=dispatch.pk).lead_outcome == "not_filed"


def test_a_grid_head_hands_a_violation_to_enforcement(w):
    incident = w.to_route(when=MON)
    dispatch = svc.incident_to_enforcement(
        actor=w.head1, incident=incident, note="占用耕地建房，属违法行为。", now=MON
    )
    assert dispatch.via == "grid_head" and dispatch.kind == "squad" and dispatch.lead_number
    assert not WorkOrder.objects.filter(dispatch=dispatch).exists()
    other = w.to_route(when=MON)
    from portal.errors import Forbidden

    with pytest.raises(Forbidden):
        svc.incident_to_enforcement(actor=w.head2, incident=other, note="违法", now=MON)
