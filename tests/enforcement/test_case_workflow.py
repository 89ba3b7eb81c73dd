"""The general procedure from filing to closing: every transition and its guards."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from enforcement import chain
from enforcement.models import Case, CaseState, Publication
from enforcement.services import cases as svc
from enforcement.services import execution, publication, records
from enforcement.signals import lead_outcome
from portal.errors import ActionError, Conflict, Forbidden
from tests.enforcement.world import jpeg, open_case

D = date


def at(day, hour=10):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def propose(world, case, fine="1500", circumstance="ordinary", **extra):
    return svc.case_set_proposal(
        case=case,
        actor=world.officer1.user,
        penalties=extra.pop("penalties", ["fine"]),
        fine=fine,
        circumstance=circumstance,
        **extra,
    )


def test_the_whole_general_procedure(world, django_capture_on_commit_callbacks):
    received = []
    lead_outcome.connect(lambda sender, **kw: received.append(kw), weak=False, dispatch_uid="wf")
    try:
        case = open_case(world, on=D(2026, 3, 2))
        assert case.decision_due == D(2026, 5, 31)
        assert case.documents.get().kind == "filing_approval"
        case = propose(world, case)
        assert case.major_reasons == [] and not case.hearing_right
        assert case.benchmark["circumstance"] == "ordinary"
        case = svc.case_notify(case=case, actor=world.officer1.user, on=D(2026, 3, 10))
        assert case.state == CaseState.NOTIFIED
        assert case.statement_due == D(2026, 3, 17)  # 5 working days
        with pytest.raises(ActionError) as exc:
            svc.case_decide(case=case, actor=world.head, kind="penalty", on=D(2026, 3, 12))
        assert exc.value.code == "statement_period_running"
        svc.case_record_statement(
            case=case, actor=world.officer1.user, received_on=D(2026, 3, 11), waived=True
        )
        case = svc.case_decide(case=case, actor=world.head, kind="penalty", on=D(2026, 3, 12))
        assert case.state == CaseState.DECIDED and case.service_due == D(2026, 3, 23)
        assert case.publication_due == D(2026, 3, 23)
        assert case.publication.status == Publication.Status.PENDING
        case = svc.case_serve(
            case=case,
            actor=world.officer1.user,
            method="hand",
            served_on=D(2026, 3, 13),
            recipient="李某某",
        )
        assert case.state == CaseState.EXECUTING and case.payment_due == D(2026, 3, 30)
        with pytest.raises(ActionError) as exc:
            svc.case_close(case=case, actor=world.head, report="结案")
        assert exc.value.code == "cannot_close"
        execution.case_record_payment(
            case=case,
            actor=world.officer1.user,
            amount="1500",
            paid_on=D(2026, 3, 20),
            method="bank",
            receipt_number="JK001",
        )
        case.refresh_from_db()
        assert case.paid_on == D(2026, 3, 20)
        publication.publication_publish(
            publication=case.publication, actor=world.head, on=D(2026, 3, 16)
        )
        with django_capture_on_commit_callbacks(execute=True):
            case = svc.case_close(
                case=case, actor=world.head, report="罚款已缴清。", on=D(2026, 3, 25)
            )
        assert case.state == CaseState.CLOSED
        assert received[-1]["outcome"] == "closed"
        assert received[-1]["result"]["fine"] == "1500.00"
        kinds = list(case.documents.order_by("id").values_list("kind", flat=True))
        assert kinds == [
            "filing_approval",
            "penalty_notice",
            "penalty_decision",
            "service_receipt",
            "closing_approval",
        ]
        actions = list(case.history.values_list("action", flat=True))
        assert actions[0] == "file" and actions[-1] == "close" and "payment" in actions
        assert chain.verify(case) is None
    finally:
        lead_outcome.disconnect(dispatch_uid="wf")


def test_a_major_case_goes_through_review_discussion_and_hearing(world):
    case = open_case(world, on=D(2026, 3, 2), matter_code="XB-CF-002")
    case = propose(
        world,
        case,
        fine="20000",
        circumstance="heavier",
        outside_benchmark_reason="多次违法，情节严重",
    )
    assert set(case.major_reasons) == {"large_fine", "outside_benchmark"}
    assert case.discussion_required and case.hearing_right
    with pytest.raises(ActionError) as exc:
        svc.case_notify(case=case, actor=world.officer1.user, on=D(2026, 3, 10))
    assert exc.value.code == "review_required"
    review = svc.case_submit_review(case=case, actor=world.officer1.user, today=D(2026, 3, 10))
    assert review.due_on == D(2026, 3, 24)  # 10 working days
    case.refresh_from_db()
    with pytest.raises(Forbidden):
        svc.case_review(case=case, actor=world.officer2.user, opinion="agree")
    with pytest.raises(ActionError):
        svc.case_review(case=case, actor=world.reviewer, opinion="amend")
    case = svc.case_review(case=case, actor=world.reviewer, opinion="agree", comments="同意")
    assert case.state == CaseState.DISCUSSION
    with pytest.raises(ActionError) as exc:
        svc.case_record_discussion(
            case=case,
            actor=world.head,
            held_at=None,
            chair="局长",
            participants="局长、副局长",
            opinion="同意",
            conclusion="agree",
        )
    assert "participants" in exc.value.fields
    svc.case_record_discussion(
        case=case,
        actor=world.head,
        held_at=None,
        chair="局长",
        participants="局长、副局长甲、副局长乙、法制员",
        opinion="同意",
        conclusion="agree",
    )
    case.refresh_from_db()
    assert case.state == CaseState.REVIEWED
    case = svc.case_notify(case=case, actor=world.officer1.user, on=D(2026, 3, 25))
    assert case.hearing_request_due == D(2026, 4, 1)
    assert set(case.documents.values_list("kind", flat=True)) >= {
        "penalty_notice",
        "hearing_notice",
    }
    with pytest.raises(ActionError) as exc:
        svc.case_request_hearing(case=case, actor=world.officer1.user, requested_on=D(2026, 4, 2))
    assert exc.value.code == "hearing_request_late"
    case = svc.case_request_hearing(
        case=case, actor=world.officer1.user, requested_on=D(2026, 4, 1)
    )
    assert case.state == CaseState.HEARING and case.clock_paused
    with pytest.raises(ActionError) as exc:
        svc.case_schedule_hearing(
            case=case,
            actor=world.leader.user,
            notice_on=D(2026, 4, 1),
            scheduled_on=D(2026, 4, 10),
            place="执法局会议室",
            host="王主持",
        )
    assert (
        "scheduled_on" in exc.value.fields and "2026-04-13" in exc.value.fields["scheduled_on"][0]
    )
    with pytest.raises(ActionError) as exc:
        svc.case_schedule_hearing(
            case=case,
            actor=world.leader.user,
            notice_on=D(2026, 4, 1),
            scheduled_on=D(2026, 4, 13),
            place="执法局会议室",
            host="队员一",
        )
    assert "host" in exc.value.fields
    svc.case_schedule_hearing(
        case=case,
        actor=world.leader.user,
        notice_on=D(2026, 4, 1),
        scheduled_on=D(2026, 4, 13),
        place="执法局会议室",
        host="王主持",
    )
    svc.case_record_hearing(
        case=case, actor=world.leader.user, held_on=D(2026, 4, 21), record="当事人陈述了经营困难。"
    )
    case.refresh_from_db()
    assert case.state == CaseState.LEGAL_REVIEW and not case.clock_paused
    # filed 2 March: 90 days + 20 days of hearing (1 → 21 April) not counted
    assert case.excluded_days == 20 and case.decision_due == D(2026, 6, 20)
    case = svc.case_review(case=case, actor=world.reviewer, opinion="agree")
    assert case.state == CaseState.DISCUSSION  # a hearing case is discussed again
    svc.case_record_discussion(
        case=case,
        actor=world.head,
        held_at=None,
        chair="局长",
        participants=["局长", "副局长甲", "副局长乙"],
        opinion="维持",
        conclusion="agree",
    )
    case.refresh_from_db()
    case = svc.case_decide(case=case, actor=world.head, kind="penalty", on=D(2026, 4, 24))
    assert case.state == CaseState.DECIDED
    assert chain.verify(case) is None


def test_review_disagreement_returns_the_case_and_a_new_proposal_needs_a_new_review(world):
    case = open_case(world, matter_code="XB-CF-002")
    case = propose(
        world, case, fine="20000", circumstance="heavier", outside_benchmark_reason="情节严重"
    )
    svc.case_submit_review(case=case, actor=world.officer1.user)
    case.refresh_from_db()
    case = svc.case_review(case=case, actor=world.reviewer, opinion="disagree", comments="证据不足")
    assert case.state == CaseState.INVESTIGATING
    stale = Case.objects.get(pk=case.pk)
    case = propose(world, case, fine="8000", circumstance="lighter")
    assert case.major_reasons == [] and case.proposal_revision == 2
    # a transition on the view from before the change still works (state unchanged) …
    svc.case_notify(case=stale, actor=world.officer1.user, on=D(2026, 3, 10))
    # … but a second one on the same stale view has lost the race
    with pytest.raises(Conflict):
        svc.case_notify(case=stale, actor=world.officer1.user, on=D(2026, 3, 10))


def test_the_benchmark_ranges(world):
    case = open_case(world)
    with pytest.raises(ActionError) as exc:
        propose(world, case, fine="3000", circumstance="ordinary")
    assert exc.value.code == "outside_benchmark_reason_required"
    assert set(exc.value.fields) == {"fine", "outside_benchmark_reason"}
    with pytest.raises(ActionError) as exc:
        propose(world, case, fine="6000", circumstance="heavier", outside_benchmark_reason="x")
    assert exc.value.code == "fine_above_legal_maximum"
    with pytest.raises(ActionError) as exc:
        propose(world, case, fine="100", circumstance="severe")
    assert exc.value.code == "circumstance_required"
    case = propose(world, case, fine="300", circumstance="lighter")
    assert case.benchmark["fine_max"] == "500.00" and not case.major_reasons


def test_below_the_legal_minimum_only_for_mitigation_the_law_allows(world):
    from enforcement.models import BenchmarkLevel

    case = open_case(world, matter_code="XB-CF-002")
    with pytest.raises(ActionError) as exc:
        propose(world, case, fine="3000", circumstance="mitigated")
    assert exc.value.code == "fine_below_legal_minimum"
    BenchmarkLevel.objects.filter(benchmark=world.benchmark2, circumstance="mitigated").update(
        below_legal_minimum=True
    )
    case = propose(world, case, fine="3000", circumstance="mitigated")
    assert case.fine == Decimal("3000.00")


def test_a_heavier_proposal_after_the_notice_needs_a_new_notice(world):
    case = open_case(world)
    case = propose(world, case, fine="800")
    case = svc.case_notify(case=case, actor=world.officer1.user, on=D(2026, 3, 10))
    case = svc.case_return_to_investigation(case=case, actor=world.leader.user, reason="新证据")
    case = propose(world, case, fine="600")
    assert case.notified_on == D(2026, 3, 10)  # lighter: the notice still holds
    case = propose(world, case, fine="1800")
    assert case.notified_on is None
    with pytest.raises(ActionError) as exc:
        svc.case_decide(case=case, actor=world.head, kind="penalty", on=D(2026, 3, 30))
    assert exc.value.code == "notice_required"


def test_no_penalty_first_violation_and_transfer_to_the_police(world):
    case = open_case(world)
    with pytest.raises(ActionError) as exc:
        svc.case_decide(case=case, actor=world.head, kind="first_violation", reason="初次违法")
    assert exc.value.code == "correction_required"
    order = records.case_order_correction(
        case=case,
        actor=world.officer1.user,
        requirement="清理占道物品",
        deadline=D(2026, 3, 9),
        ordered_on=D(2026, 3, 2),
    )
    records.correction_recheck(
        order=order, actor=world.officer1.user, corrected=True, rechecked_on=D(2026, 3, 9)
    )
    case.refresh_from_db()
    case = svc.case_decide(
        case=case,
        actor=world.head,
        kind="first_violation",
        reason="初次违法且危害后果轻微，已及时改正",
        on=D(2026, 3, 10),
    )
    assert case.documents.filter(kind="no_penalty_decision").exists()
    assert not case.has_fine and not Publication.objects.filter(case=case).exists()
    case = svc.case_serve(
        case=case, actor=world.officer1.user, method="post", served_on=D(2026, 3, 12)
    )
    case = svc.case_close(case=case, actor=world.head, report="首违不罚。", on=D(2026, 3, 13))
    assert case.state == CaseState.CLOSED

    other = open_case(world)
    other = svc.case_decide(
        case=other,
        actor=world.head,
        kind="transfer_police",
        reason="涉嫌暴力抗法，构成犯罪",
        on=D(2026, 3, 5),
    )
    assert other.documents.filter(kind="transfer_letter").exists()
    other = svc.case_close(case=other, actor=world.head, report="已移送公安机关。")
    assert other.state == CaseState.CLOSED


def test_correction_orders_give_at_most_30_days(world):
    case = open_case(world)
    with pytest.raises(ActionError) as exc:
        records.case_order_correction(
            case=case,
            actor=world.officer1.user,
            requirement="拆除",
            deadline=D(2026, 4, 2),
            ordered_on=D(2026, 3, 2),
        )
    assert "2026-04-01" in exc.value.fields["deadline"][0]
    order = records.case_order_correction(
        case=case,
        actor=world.officer1.user,
        requirement="拆除",
        deadline=D(2026, 4, 1),
        ordered_on=D(2026, 3, 2),
    )
    assert order.deadline == D(2026, 4, 1)


def test_preservation_is_dealt_with_in_7_working_days_or_released(world):
    case = open_case(world)
    kept = records.case_preserve(
        case=case,
        actor=world.officer1.user,
        items="遮阳棚1个\n餐桌2张",
        place="执法局暂扣仓库",
        started_on=D(2026, 3, 2),
    )
    assert kept.due_on == D(2026, 3, 11)
    assert case.documents.filter(kind="preservation_notice").exists()
    assert records.release_expired_preservations(today=D(2026, 3, 11)) == 0
    assert records.release_expired_preservations(today=D(2026, 3, 12)) == 1
    kept.refresh_from_db()
    assert kept.outcome == "released"
    assert case.history.filter(action="preservation_released").exists()


def test_every_investigative_act_needs_two_valid_certificates(world):
    case = open_case(world)
    with pytest.raises(ActionError) as exc:
        records.case_record_investigation(
            case=case,
            actor=world.officer1.user,
            kind="inquiry",
            started_at=at(D(2026, 3, 3)),
            place="执法局询问室",
            subject="李某某",
            content="问：…答：…",
            officers=[world.officer1, world.auxiliary],
        )
    assert "协管员" in exc.value.message
    with pytest.raises(ActionError) as exc:
        records.case_record_investigation(
            case=case,
            actor=world.officer1.user,
            kind="inquiry",
            started_at=at(D(2026, 3, 3)),
            place="执法局询问室",
            subject="李某某",
            content="问：…答：…",
            officers=[world.officer1, world.expired],
        )
    assert "2025-12-31" in exc.value.message
    key = "2b1c55e1-6c8f-4f55-9a55-b6c2b0f2f001"
    record = records.case_record_investigation(
        case=case,
        actor=world.officer1.user,
        kind="inspection",
        started_at=at(D(2026, 3, 3)),
        place="下埠村人行道",
        subject="摊位",
        content="现场有摊位一处。",
        client_uuid=key,
        files=[
            ("现场.jpg", jpeg()),
            ("录音.m4a", b"\x00\x00\x00\x20ftypM4A " + b"\x00" * 40),
        ],
    )
    again = records.case_record_investigation(
        case=case,
        actor=world.officer1.user,
        kind="inspection",
        started_at=at(D(2026, 3, 3)),
        place="x",
        subject="x",
        content="x",
        client_uuid=key,
    )
    assert again.pk == record.pk
    assert sorted(record.evidence.values_list("kind", flat=True)) == ["audio", "photo"]
    assert case.documents.filter(kind="inspection_record").count() == 1


def test_suspensions_and_extensions_of_the_decision_clock(world):
    case = open_case(world, on=D(2026, 3, 2))
    records.case_suspend(
        case=case, actor=world.leader.user, kind="testing", reason="送检", started_on=D(2026, 3, 10)
    )
    case.refresh_from_db()
    assert case.clock_paused
    with pytest.raises(ActionError):
        records.case_suspend(
            case=case,
            actor=world.leader.user,
            kind="appraisal",
            reason="鉴定",
            started_on=D(2026, 3, 11),
        )
    records.case_resume(case=case, actor=world.leader.user, ended_on=D(2026, 3, 25))
    case.refresh_from_db()
    assert case.excluded_days == 15 and case.decision_due == D(2026, 6, 15)
    records.case_extend(case=case, actor=world.head, reason="案情复杂")
    case.refresh_from_db()
    assert case.decision_due == D(2026, 7, 15)
    with pytest.raises(ActionError) as exc:
        records.case_extend(case=case, actor=world.head, reason="再延", days=30)
    assert exc.value.code == "discussion_required"
    discussion = svc.case_record_discussion(
        case=case,
        actor=world.head,
        held_at=None,
        chair="局长",
        purpose="extension",
        participants="局长、副局长甲、副局长乙",
        opinion="同意再延长30日",
        conclusion="agree",
    )
    records.case_extend(case=case, actor=world.head, reason="再延", days=30, discussion=discussion)
    case.refresh_from_db()
    assert case.decision_due == D(2026, 8, 14)


def test_joint_enforcement_keeps_each_bodys_findings_in_one_file(world):
    from tests.factories import DepartmentFactory

    district = DepartmentFactory(code="QSCJG", name="区市场监管局")
    case = open_case(world)
    action = records.case_add_joint_action(
        case=case,
        actor=world.officer1.user,
        held_on=D(2026, 3, 4),
        bodies=[district, world.police],
        participants="区市场监管局张某、派出所王某",
        findings={"QSCJG": "无照经营属实", "PCS": "未发现治安问题"},
    )
    assert action.findings["QSCJG"] == "无照经营属实"
    with pytest.raises(ActionError):
        records.case_add_joint_action(
            case=case,
            actor=world.officer1.user,
            held_on=D(2026, 3, 4),
            bodies=[district],
            participants="张某",
            findings={"PCS": "x"},
        )


def test_the_squad_sees_its_cases_and_others_do_not(world):
    from enforcement.selectors import cases as sel
    from portal.errors import NotFound

    case = open_case(world)
    assert sel.case_get(world.officer2.user, case.number)
    with pytest.raises(NotFound):
        sel.case_get(world.officer3.user, case.number)
    with pytest.raises(NotFound):
        sel.case_get(world.citizen, case.number)
    with pytest.raises(Forbidden):
        propose(world.__class__.__new__(world.__class__), case) if False else svc.case_set_proposal(
            case=case, actor=world.officer3.user, penalties=["warning"], circumstance="ordinary"
        )


def test_revoking_takes_the_publication_down_at_once(world):
    case = open_case(world)
    case = propose(world, case, fine="1000")
    case = svc.case_notify(case=case, actor=world.officer1.user, on=D(2026, 3, 3))
    case = svc.case_decide(case=case, actor=world.head, kind="penalty", on=D(2026, 3, 12))
    pub = publication.publication_publish(
        publication=case.publication, actor=world.head, on=D(2026, 3, 13)
    )
    assert pub.take_down_on == D(2028, 3, 13)  # a private person: 2 years
    assert pub.content["party"] == "李**" and "李某某" not in str(pub.content)
    assert pub.content["party_id"] == "3603**********0018"
    svc.case_revoke_decision(case=case, actor=world.head, reason="复议撤销")
    pub.refresh_from_db()
    assert pub.status == "taken_down" and pub.take_down_reason == "处罚决定已撤销"
