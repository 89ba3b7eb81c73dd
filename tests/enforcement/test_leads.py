"""Leads: receiving (idempotent on the client's UUID), the filing clock, the decision (file,
not file, transfer), the extension once, and the outcome signal sent on commit."""

import uuid
from datetime import date, datetime

import pytest
from django.db import transaction
from django.utils import timezone

from enforcement.models import Case, Lead, LeadExtension, LeadState
from enforcement.selectors import leads as lead_sel
from enforcement.services import leads as svc
from enforcement.signals import lead_outcome
from portal.errors import ActionError, Conflict, Forbidden
from portal.models import AuditEntry, Notification
from tests.enforcement.world import jpeg

JPEG = jpeg()

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def at(day: date, hour=10):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def outcomes():
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    lead_outcome.connect(receiver, dispatch_uid="test-outcomes")
    yield received
    lead_outcome.disconnect(dispatch_uid="test-outcomes")


def receive(world, **extra):
    params = {
        "source": "grid_incident",
        "source_ref": "SJ2026000001",
        "description": "占道经营，摊位堵塞人行道",
        "lat": "27.65",
        "lng": "113.72",
        "area_code": "XB-01-01",
        "reporter": world.gridmember,
        "photos": [("现场.jpg", JPEG)],
        "matter_code": "XB-CF-001",
        "actor": world.dispatcher,
        "squad": world.squad,
        "client_uuid": uuid.uuid4(),
    }
    params.update(extra)
    return svc.lead_receive(**params)


def test_receive_stores_photos_with_sha256_and_starts_the_filing_clock(world):
    lead = receive(world, received_at=at(date(2026, 3, 2)))
    assert lead.state == LeadState.RECEIVED
    assert lead.squad == world.squad and lead.matter == world.matter
    # 15 working days from Monday 2 March 2026 (start day not counted): Monday 23 March
    assert lead.filing_due == date(2026, 3, 23)
    photo = lead.photos.get().photo
    assert len(photo.sha256) == 64 and photo.original.read() == JPEG
    assert Notification.objects.filter(
        recipient=world.leader.user, kind="enforcement.lead_received"
    ).exists()
    assert (
        AuditEntry.objects.filter(action="enforcement.lead_receive", object_id=str(lead.pk)).count()
        == 1
    )


def test_filing_clock_runs_across_national_day_2026(world):
    # Received Monday 28 September 2026; 1–7 October are holidays, 10 October (Sat) a make-up
    # working day. 15 working days: 29, 30 Sep; 8, 9, 10(Sat), 12–16, 19–23 Oct → 23 October.
    lead = receive(world, received_at=at(date(2026, 9, 28)))
    assert lead.filing_due == date(2026, 10, 23)
    assert lead_sel.lead_get(world.head, lead.number).filing_due == date(2026, 10, 23)


def test_a_resend_with_the_same_uuid_never_duplicates(world):
    key = uuid.uuid4()
    first = receive(world, client_uuid=key)
    again = receive(world, client_uuid=key, description="重发")
    assert again.pk == first.pk and Lead.objects.count() == 1
    assert again.description == "占道经营，摊位堵塞人行道"


def test_receive_refuses_bad_input_naming_the_field(world):
    with pytest.raises(ActionError) as exc:
        receive(world, description=" ", source="nowhere")
    assert set(exc.value.fields) == {"description", "source"}
    with pytest.raises(ActionError) as exc:
        receive(world, photos=[("x.exe", b"MZ\x90\x00")])
    assert "photos" in exc.value.fields
    with pytest.raises(ActionError) as exc:
        receive(world, lat="91")
    assert "lat" in exc.value.fields
    with pytest.raises(ActionError) as exc:
        receive(world, matter_code="NOPE")
    assert "matter_code" in exc.value.fields
    with pytest.raises(Forbidden):
        receive(world, actor=world.citizen)
    assert Lead.objects.count() == 0


def test_a_citizen_cannot_see_leads_and_squads_see_only_theirs(world):
    lead = receive(world)
    assert lead_sel.visible_leads(world.officer1.user).filter(pk=lead.pk).exists()
    assert not lead_sel.visible_leads(world.officer3.user).filter(pk=lead.pk).exists()
    assert not lead_sel.visible_leads(world.citizen).exists()
    assert lead_sel.visible_leads(world.head).filter(pk=lead.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_filing_opens_a_case_and_signals_filed_after_commit(outcomes):
    from tests.enforcement.world import World

    world = World()
    lead = receive(world)
    lead = svc.lead_propose_filing(
        lead=lead,
        actor=world.officer1.user,
        matter_code="XB-CF-001",
        officers=world.pair,
        facts="当事人在人行道上摆摊经营。",
        party=world.party(),
        today=date(2026, 3, 3),
    )
    assert lead.state == LeadState.FILING_PROPOSED
    with transaction.atomic():
        case = svc.lead_approve_filing(lead=lead, actor=world.head, today=date(2026, 3, 4))
        assert outcomes == []  # not before commit
    assert len(outcomes) == 1
    sent = outcomes[0]
    assert sent["outcome"] == "filed" and sent["case_number"] == case.number
    assert sent["source_ref"] == "SJ2026000001" and sent["source"] == "grid_incident"
    assert case.state == "investigating" and case.filed_on == date(2026, 3, 4)
    assert case.decision_due == date(2026, 6, 2)  # 90 calendar days after 4 March
    assert [a.officer for a in case.assignments.order_by("id")] == world.pair
    assert case.history.get().action == "file"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_decision_sends_nothing(outcomes):
    from tests.enforcement.world import World

    world = World()
    lead = receive(world)
    with pytest.raises(RuntimeError), transaction.atomic():
        svc.lead_not_file(lead=lead, actor=world.leader.user, reason="不属于违法行为")
        raise RuntimeError("later failure")
    assert outcomes == []
    lead.refresh_from_db()
    assert lead.state == LeadState.RECEIVED


def test_filing_proposal_needs_two_valid_certificates(world):
    lead = receive(world)
    with pytest.raises(ActionError) as exc:
        svc.lead_propose_filing(
            lead=lead,
            actor=world.officer1.user,
            matter_code="XB-CF-001",
            officers=[world.officer1, world.auxiliary],
            facts="事实",
            party=world.party(),
            today=date(2026, 3, 3),
        )
    assert "协管员" in exc.value.message and exc.value.code == "certificates_required"
    with pytest.raises(ActionError) as exc:
        svc.lead_propose_filing(
            lead=lead,
            actor=world.officer1.user,
            matter_code="XB-CF-001",
            officers=[world.officer1, world.expired],
            facts="事实",
            party=world.party(),
            today=date(2026, 3, 3),
        )
    assert "已于2025-12-31过期" in exc.value.message
    lead.refresh_from_db()
    assert lead.state == LeadState.RECEIVED


def test_not_filing_tells_the_reporter_and_signals(
    world, outcomes, django_capture_on_commit_callbacks
):
    lead = receive(world, source="complaint", reporter=world.citizen, squad=world.squad)
    with django_capture_on_commit_callbacks(execute=True):
        lead = svc.lead_not_file(lead=lead, actor=world.leader.user, reason="经核查不存在违法行为")
    assert lead.state == LeadState.NOT_FILED and lead.source_told_at is not None
    assert Notification.objects.filter(
        recipient=world.citizen, kind="enforcement.lead_not_filed"
    ).exists()
    assert outcomes[0]["outcome"] == "not_filed" and outcomes[0]["reason"] == "经核查不存在违法行为"


def test_only_the_squads_leader_or_the_head_decides(world):
    lead = receive(world)
    with pytest.raises(Forbidden):
        svc.lead_not_file(lead=lead, actor=world.officer1.user, reason="x")
    with pytest.raises(Forbidden):
        svc.lead_not_file(lead=lead, actor=world.leader2.user, reason="x")
    with pytest.raises(Forbidden):
        svc.lead_approve_filing(lead=lead, actor=world.leader.user)


def test_transfer_is_tracked_until_the_receipt(world, outcomes, django_capture_on_commit_callbacks):
    lead = receive(world)
    with django_capture_on_commit_callbacks(execute=True):
        lead = svc.lead_transfer(
            lead=lead,
            actor=world.leader.user,
            reason="涉嫌无证行医，属卫健部门管辖",
            body_name="湘东区卫生健康委员会",
            sent_on=date(2026, 3, 5),
        )
    assert lead.state == LeadState.TRANSFERRED and outcomes[0]["outcome"] == "transferred"
    letter = lead.documents.get()
    assert (
        letter.kind == "transfer_letter" and "湘东区卫生健康委员会" in letter.context["addressee"]
    )
    with pytest.raises(ActionError):
        svc.lead_record_transfer_receipt(
            lead=lead, actor=world.leader.user, received_on=date(2026, 3, 1)
        )
    lead = svc.lead_record_transfer_receipt(
        lead=lead, actor=world.leader.user, received_on=date(2026, 3, 9)
    )
    assert lead.transfer_receipt_on == date(2026, 3, 9)
    with pytest.raises(Conflict):
        svc.lead_record_transfer_receipt(
            lead=lead, actor=world.leader.user, received_on=date(2026, 3, 9)
        )


def test_the_filing_period_is_extended_once_by_15_working_days(world):
    lead = receive(world, received_at=at(date(2026, 3, 2)))
    extension = svc.lead_request_extension(
        lead=lead, actor=world.officer1.user, reason="需调取监控"
    )
    with pytest.raises(ActionError):
        svc.lead_request_extension(lead=lead, actor=world.officer1.user, reason="再延")
    with pytest.raises(Forbidden):
        svc.lead_decide_extension(extension=extension, actor=world.leader.user, approve=True)
    svc.lead_decide_extension(extension=extension, actor=world.head, approve=True)
    lead.refresh_from_db()
    assert lead.filing_due == date(2026, 4, 14)  # 30 working days (Qingming 6 April off)
    extension.refresh_from_db()
    assert extension.status == LeadExtension.Status.APPROVED
    with pytest.raises(Conflict):
        svc.lead_decide_extension(extension=extension, actor=world.head, approve=False)


def test_a_decision_on_a_stale_view_is_a_conflict(world):
    lead = receive(world)
    stale = Lead.objects.get(pk=lead.pk)
    svc.lead_not_file(lead=lead, actor=world.leader.user, reason="不构成违法")
    with pytest.raises(Conflict):
        svc.lead_transfer(lead=stale, actor=world.leader.user, reason="x", body_name="区城管局")


def test_unassigned_leads_wait_for_the_head(world):
    lead = receive(world, squad=None)
    assert lead.squad is None
    assert not lead_sel.visible_leads(world.leader.user).filter(pk=lead.pk).exists()
    with pytest.raises(Forbidden):
        svc.lead_assign(lead=lead, squad=world.squad, actor=world.leader.user)
    lead = svc.lead_assign(lead=lead, squad=world.squad2, actor=world.head)
    assert lead.squad == world.squad2
    assert Case.objects.count() == 0


def test_outcome_for_a_missed_signal(world):
    lead = receive(world)
    svc.lead_not_file(lead=lead, actor=world.leader.user, reason="不构成违法")
    found = lead_sel.lead_outcome_for("grid_incident", "SJ2026000001")
    assert found["outcome"] == "not_filed" and found["lead_number"] == lead.number
