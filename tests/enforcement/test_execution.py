"""Execution: the case's late fee on any date, deferral and instalments, the court."""

from datetime import date
from decimal import Decimal

import pytest

from enforcement.services import cases as svc
from enforcement.services import execution
from portal.errors import ActionError
from tests.enforcement.world import open_case

D = date


def served(world, fine="1000"):
    case = open_case(world)
    case = svc.case_set_proposal(
        case=case, actor=world.officer1.user, penalties=["fine"], fine=fine, circumstance="ordinary"
    )
    case = svc.case_notify(case=case, actor=world.officer1.user, on=D(2026, 3, 3))
    case = svc.case_decide(case=case, actor=world.head, kind="penalty", on=D(2026, 3, 12))
    return svc.case_serve(
        case=case, actor=world.officer1.user, method="hand", served_on=D(2026, 3, 13)
    )


def test_the_late_fee_of_a_case_on_any_date_and_after_payment(world):
    case = served(world)
    assert case.payment_due == D(2026, 3, 30)  # 28 March is a Saturday: moves to Monday
    assert execution.late_fee_on(case, D(2026, 3, 30)) == Decimal("0.00")
    assert execution.late_fee_on(case, D(2026, 3, 31)) == Decimal("30.00")
    execution.case_record_payment(
        case=case,
        actor=world.officer1.user,
        amount="1000",
        late_fee="60",
        paid_on=D(2026, 4, 1),
        method="bank",
        receipt_number="B1",
    )
    case.refresh_from_db()
    assert execution.late_fee_on(case, D(2026, 12, 1)) == Decimal("60.00")  # stops on payment
    assert svc.outstanding(case, D(2026, 12, 1)) == (Decimal("0.00"),) * 3


def test_instalments_have_their_own_late_fee(world):
    case = served(world)
    execution.case_plan_payment(
        case=case,
        actor=world.head,
        kind="instalments",
        reason="经营困难",
        instalments=[("2026-04-15", "400"), ("2026-05-15", "600")],
        on=D(2026, 3, 20),
    )
    case.refresh_from_db()
    assert case.payment_due == D(2026, 5, 15)
    assert execution.late_fee_on(case, D(2026, 4, 16)) == Decimal("12.00")  # 3% of 400
    execution.case_record_payment(
        case=case,
        actor=world.officer1.user,
        amount="400",
        paid_on=D(2026, 4, 16),
        method="bank",
        receipt_number="B1",
        late_fee="12",
    )
    case.refresh_from_db()
    assert execution.late_fee_on(case, D(2026, 5, 18)) == Decimal("66.00")  # 12 + 3 × 18


def test_a_deferral_moves_the_deadline_and_the_court_comes_after_six_months(world):
    case = served(world)
    with pytest.raises(ActionError):
        execution.case_plan_payment(
            case=case, actor=world.head, kind="deferral", reason="x", deferred_to=D(2026, 3, 20)
        )
    execution.case_plan_payment(
        case=case, actor=world.head, kind="deferral", reason="困难", deferred_to=D(2026, 6, 30)
    )
    case.refresh_from_db()
    assert execution.late_fee_on(case, D(2026, 6, 30)) == Decimal("0.00")
    with pytest.raises(ActionError) as exc:
        execution.case_apply_to_court(
            case=case, actor=world.head, applied_on=D(2026, 9, 1), court="湘东区人民法院"
        )
    assert exc.value.code == "outside_court_window"
    execution.case_apply_to_court(
        case=case, actor=world.head, applied_on=D(2026, 9, 14), court="湘东区人民法院"
    )
    case = svc.case_close(case=case, actor=world.head, report="已申请法院强制执行")
    assert case.state == "closed"


def test_payments_cannot_exceed_the_fine_or_use_cash_in_the_general_procedure(world):
    case = served(world)
    with pytest.raises(ActionError) as exc:
        execution.case_record_payment(
            case=case,
            actor=world.officer1.user,
            amount="1001",
            paid_on=D(2026, 3, 20),
            method="bank",
            receipt_number="1",
        )
    assert "amount" in exc.value.fields
    with pytest.raises(ActionError) as exc:
        execution.case_record_payment(
            case=case,
            actor=world.officer1.user,
            amount="50",
            paid_on=D(2026, 3, 20),
            method="cash",
            receipt_number="1",
        )
    assert "method" in exc.value.fields
