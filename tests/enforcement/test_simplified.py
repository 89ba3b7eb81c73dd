"""The simplified procedure on the spot: its limits, the certificates, cash and its hand-in."""

import io
import uuid
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from enforcement.models import Case, CaseState, Payment
from enforcement.services import documents, execution, simplified
from portal.errors import ActionError, Conflict

D = date


def spot(world, **extra):
    params = dict(
        actor=world.officer1.user,
        client_uuid=uuid.uuid4(),
        matter_code="XB-CF-001",
        party=world.party(),
        facts="当事人在人行道上摆摊经营。",
        address="下埠村人行道",
        penalties=["fine"],
        fine="100",
        circumstance="lighter",
        officers=[world.officer2],
        on=D(2026, 3, 2),
    )
    params.update(extra)
    return simplified.case_simplified(**params)


def test_fine_limits_200_for_a_person_3000_for_an_organisation(world):
    with pytest.raises(ActionError) as exc:
        spot(world, fine="201", circumstance="ordinary")
    assert "200" in exc.value.fields["fine"][0]
    org = world.party(
        party_kind="organisation",
        party_name="下埠某某餐饮有限公司",
        party_id_number="",
        party_credit_code="91350100M000100Y43",
    )
    with pytest.raises(ActionError) as exc:
        spot(world, party=org, fine="3001", circumstance="heavier")
    assert "3000" in exc.value.fields["fine"][0]
    case = spot(world, party=org, fine="3000", circumstance="heavier")
    assert case.procedure == "simplified" and case.fine == Decimal("3000.00")
    with pytest.raises(ActionError) as exc:
        spot(world, penalties=["licence_revocation"])
    assert "penalties" in exc.value.fields


def test_the_fine_must_be_inside_the_benchmark_on_the_spot(world):
    with pytest.raises(ActionError) as exc:
        spot(world, fine="150", circumstance="ordinary")
    assert exc.value.code == "fine_outside_benchmark"


def test_two_certified_officers_unless_the_matter_allows_one(world):
    with pytest.raises(ActionError) as exc:
        spot(world, officers=[])
    assert exc.value.code == "certificates_required"
    with pytest.raises(ActionError):
        spot(world, officers=[world.auxiliary])
    world.benchmark.one_officer_allowed = True
    world.benchmark.save()
    case = spot(world, officers=[])
    assert [a.officer for a in case.assignments.all()] == [world.officer1]


def test_on_the_spot_cash_up_to_100_then_handed_in_within_2_working_days(world):
    with pytest.raises(ActionError) as exc:
        spot(world, fine="150", circumstance="lighter", paid_on_spot=True, receipt_number="R1")
    assert "100" in exc.value.fields["paid_on_spot"][0]
    with pytest.raises(ActionError) as exc:
        spot(world, paid_on_spot=True)
    assert "receipt_number" in exc.value.fields
    case = spot(world, paid_on_spot=True, receipt_number="赣财罚 0001", on=D(2026, 9, 30))
    payment = case.payments.get()
    assert payment.method == Payment.Method.CASH_ON_THE_SPOT
    assert payment.hand_in_due == D(2026, 10, 9)  # 2 working days across National Day
    assert case.state == CaseState.EXECUTING  # waiting for the cash to be handed in
    execution.payment_hand_in(
        payment=payment, actor=world.officer1.user, handed_in_on=D(2026, 10, 8)
    )
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    with pytest.raises(Conflict):
        execution.payment_hand_in(
            payment=payment, actor=world.officer1.user, handed_in_on=D(2026, 10, 8)
        )


def test_a_warning_closes_at_once_and_a_resend_never_duplicates(world):
    key = uuid.uuid4()
    case = spot(world, penalties=["warning"], fine=None, circumstance="", client_uuid=key)
    assert case.state == CaseState.CLOSED and case.filed_with_bureau_at is not None
    again = spot(world, penalties=["warning"], fine=None, circumstance="", client_uuid=key)
    assert again.pk == case.pk and Case.objects.count() == 1


def test_the_on_the_spot_decision_is_a_readable_pdf_with_a_qr_for_the_party(world):
    case = spot(world)
    document = case.documents.get(kind="on_the_spot_decision")
    text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(documents.pdf_bytes(document))).pages
    )
    assert "当场行政处罚决定书" in text and "李某某" in text and "罚款人民币100.00元" in text
    assert document.number in text.replace("\n", "")
    assert document.context["qr_url"].endswith(f"/enforcement/d/{document.public_token}/")
    assert documents.pdf_bytes(document) == documents.pdf_bytes(document)  # frozen
