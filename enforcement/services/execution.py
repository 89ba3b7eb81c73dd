"""Execution (执行): payments of the fine and the late fee, on-the-spot cash handed in within
2 working days, deferral and instalments (art. 66), the application to the court."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement import legal
from enforcement.models import Case, CaseState, CourtApplication, Payment, PaymentPlan, Procedure
from enforcement.selectors.scope import SQUAD_ROLES
from portal import roles
from portal.errors import ActionError, Conflict

from .cases import lock, move, outstanding, require_scope
from .common import actor_user, require_role


def plan_of(case: Case) -> PaymentPlan | None:
    """The case's payment plan: the one read with the case (``select_related("payment_plan")``,
    the case page) or else read now."""
    if not case.pk:
        return None
    if Case.payment_plan.is_cached(case):
        return getattr(case, "payment_plan", None)
    return PaymentPlan.objects.filter(case=case).first()


def schedule(case: Case) -> list[tuple[date, Decimal]]:
    """When which part of the fine falls due: the plan's instalments, a deferral's new date,
    or the whole fine on the payment deadline."""
    if not case.has_fine or case.payment_due is None:
        return []
    plan = plan_of(case)
    if plan is not None and plan.schedule:
        return [(date.fromisoformat(i["due"]), legal.money(i["amount"])) for i in plan.schedule]
    return [(case.payment_due, legal.money(case.fine))]


def late_fee_on(case: Case, on: date) -> Decimal:
    """The late fee (art. 72) of the case on ``on``: for each part of the fine, 3% a day from the
    day after it fell due until the day it was paid (or ``on``), never more than the fine.
    Payments pay the earliest part first."""
    parts = schedule(case)
    if not parts:
        return Decimal("0.00")
    payments = sorted(
        ((p.paid_on, legal.money(p.amount)) for p in case.payments.all()), key=lambda p: p[0]
    )
    fee = Decimal("0")
    paid_iter = iter(payments)
    carry = Decimal("0")
    carry_day = None
    for due, amount in parts:
        needed = amount
        covered_on = None
        while needed > 0:
            if carry <= 0:
                nxt = next(paid_iter, None)
                if nxt is None:
                    break
                carry_day, carry = nxt
            used = min(carry, needed)
            carry -= used
            needed -= used
            if needed <= 0:
                covered_on = carry_day
        until = on if covered_on is None or covered_on > on else covered_on
        fee += legal.late_fee(amount, due, until)
    return min(legal.money(fee), legal.money(case.fine))


@transaction.atomic
def case_record_payment(
    *,
    case: Case,
    actor,
    amount,
    paid_on: date,
    method: str,
    receipt_number: str,
    late_fee=0,
    client_uuid=None,
) -> Payment:
    """Record a payment. Cash on the spot (art. 68) only up to 100 yuan in the simplified
    procedure, handed in within 2 working days (art. 71). Idempotent on ``client_uuid``."""
    if client_uuid is not None:
        existing = Payment.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return existing
    require_role(actor, *SQUAD_ROLES, roles.BUREAU_HEAD)
    case = lock(case)
    require_scope(actor, case)
    if case.state not in (CaseState.EXECUTING,) or not case.has_fine:
        raise ActionError(_("该案件当前没有待缴的罚款。"), code="nothing_to_pay")
    errors = {}
    try:
        amount = legal.money(amount)
        late_fee = legal.money(late_fee or 0)
    except Exception:  # noqa: BLE001
        raise ActionError(
            _("金额须为数字。"), code="invalid", fields={"amount": _("金额须为数字。")}
        ) from None
    fine_left, fee_left, _total = outstanding(case, paid_on)
    if amount < 0 or late_fee < 0 or (amount == 0 and late_fee == 0):
        errors["amount"] = _("请填写缴款金额。")
    elif amount > fine_left:
        errors["amount"] = _("超过未缴罚款%(left)s元。") % {"left": fine_left}
    if method not in Payment.Method.values:
        errors["method"] = _("请选择缴款方式。")
    elif method == Payment.Method.CASH_ON_THE_SPOT:
        if case.procedure != Procedure.SIMPLIFIED:
            errors["method"] = _("只有简易程序可以当场收缴罚款。")
        elif amount > legal.ON_THE_SPOT_MAX:
            errors["amount"] = _("当场收缴的罚款不得超过100元（第六十八条）。")
    if not (receipt_number or "").strip():
        errors["receipt_number"] = _("请填写票据号。")
    if paid_on > timezone.localdate():
        errors["paid_on"] = _("缴款日期不能晚于今天。")
    if errors:
        raise ActionError(_("缴款信息有误。"), code="invalid", fields=errors)
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                case=case,
                client_uuid=client_uuid or uuid.uuid4(),
                amount=amount,
                late_fee=late_fee,
                paid_on=paid_on,
                method=method,
                receipt_number=receipt_number.strip()[:64],
                collected_by=actor_user(actor)
                if method == Payment.Method.CASH_ON_THE_SPOT
                else None,
                hand_in_due=legal.cash_hand_in_due(paid_on)
                if method == Payment.Method.CASH_ON_THE_SPOT
                else None,
            )
    except IntegrityError:
        raise Conflict(_("该缴款已登记。"), code="duplicate") from None
    case.paid_amount = legal.money(case.paid_amount) + amount
    if case.paid_amount >= legal.money(case.fine):
        case.paid_on = paid_on
    move(
        case,
        "record",
        actor=actor,
        action="payment",
        data={
            "payment": payment.pk,
            "amount": amount,
            "late_fee": late_fee,
            "method": method,
            "receipt": payment.receipt_number,
            "paid_on": paid_on,
        },
    )
    _maybe_close_simplified(case, actor)
    return payment


@transaction.atomic
def payment_hand_in(*, payment: Payment, actor, handed_in_on: date) -> Payment:
    """The officer hands the cash collected on the spot in to the bank (art. 71)."""
    require_role(actor, *SQUAD_ROLES, roles.BUREAU_HEAD)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    case = lock(Case.objects.get(pk=payment.case_id))
    require_scope(actor, case)
    if payment.method != Payment.Method.CASH_ON_THE_SPOT:
        raise ActionError(_("只有当场收缴的现金需要上缴。"), code="invalid_transition")
    if payment.handed_in_on is not None:
        raise Conflict(_("该笔罚款已上缴。"), code="already_handed_in")
    if handed_in_on < payment.paid_on:
        raise ActionError(
            _("上缴日期不能早于收缴日期。"),
            code="invalid",
            fields={"handed_in_on": _("上缴日期不能早于收缴日期。")},
        )
    payment.handed_in_on = handed_in_on
    payment.save(update_fields=["handed_in_on"])
    move(
        case,
        "record",
        actor=actor,
        action="cash_handed_in",
        data={
            "payment": payment.pk,
            "handed_in_on": handed_in_on,
            "late": handed_in_on > payment.hand_in_due,
        },
    )
    _maybe_close_simplified(case, actor)
    return payment


def _maybe_close_simplified(case: Case, actor) -> None:
    """A simplified-procedure case closes itself once the fine is paid and any cash handed in."""
    from .cases import case_close

    if case.procedure != Procedure.SIMPLIFIED or case.state != CaseState.EXECUTING:
        return
    if case.has_fine and case.paid_on is None:
        return
    if Payment.objects.filter(
        case=case, method=Payment.Method.CASH_ON_THE_SPOT, handed_in_on__isnull=True
    ).exists():
        return
    case_close(case=case, actor=actor, report="当场处罚决定已履行完毕，自动结案。")


@transaction.atomic
def case_plan_payment(
    *,
    case: Case,
    actor,
    kind: str,
    reason: str,
    deferred_to: date | None = None,
    instalments=(),
    on: date | None = None,
) -> PaymentPlan:
    """Deferral or instalments of the fine (art. 66), approved by the bureau head. The late fee
    then runs from the new dates."""
    require_role(actor, roles.BUREAU_HEAD)
    case = lock(case)
    on = on or timezone.localdate()
    if case.state != CaseState.EXECUTING or not case.has_fine or case.paid_on:
        raise ActionError(_("该案件没有待缴的罚款。"), code="nothing_to_pay")
    if PaymentPlan.objects.filter(case=case).exists():
        raise ActionError(_("已批准过暂缓或分期缴纳。"), code="plan_exists")
    if not (reason or "").strip():
        raise ActionError(_("请写明理由。"), code="reason_required", fields={"reason": _("必填。")})
    fine_left = outstanding(case, on)[0]
    paid_before = legal.money(case.fine) - fine_left
    if kind == PaymentPlan.Kind.DEFERRAL:
        if deferred_to is None or deferred_to <= case.payment_due:
            raise ActionError(
                _("暂缓缴纳的日期须晚于原缴款期限%(due)s。") % {"due": case.payment_due},
                code="invalid",
                fields={"deferred_to": _("须晚于原缴款期限。")},
            )
        items = [(deferred_to, fine_left)]
    elif kind == PaymentPlan.Kind.INSTALMENTS:
        try:
            items = sorted((date.fromisoformat(str(d)), legal.money(a)) for d, a in instalments)
        except (TypeError, ValueError):
            raise ActionError(
                _("分期计划格式不正确。"), code="invalid", fields={"instalments": _("格式不正确。")}
            ) from None
        if (
            len(items) < 2
            or sum(a for _d, a in items) != fine_left
            or any(a <= 0 for _d, a in items)
        ):
            raise ActionError(
                _("分期金额之和须等于未缴罚款%(left)s元，且至少两期。") % {"left": fine_left},
                code="invalid",
                fields={"instalments": _("分期金额之和须等于未缴罚款。")},
            )
        if items[0][0] < on:
            raise ActionError(
                _("第一期不能早于今天。"), code="invalid", fields={"instalments": _("日期有误。")}
            )
    else:
        raise ActionError(_("请选择暂缓或分期。"), code="invalid", fields={"kind": _("必选。")})
    scheduled = []
    if paid_before > 0:
        scheduled.append({"due": case.payment_due.isoformat(), "amount": str(paid_before)})
    scheduled += [{"due": d.isoformat(), "amount": str(a)} for d, a in items]
    plan = PaymentPlan.objects.create(
        case=case,
        kind=kind,
        reason=reason.strip(),
        schedule=scheduled,
        approved_by=actor_user(actor),
        approved_on=on,
    )
    case.payment_due = items[-1][0]
    move(
        case,
        "record",
        actor=actor,
        action="payment_plan",
        note=reason.strip(),
        data={"kind": kind, "schedule": scheduled},
    )
    return plan


@transaction.atomic
def case_apply_to_court(*, case: Case, actor, applied_on: date, court: str) -> CourtApplication:
    """Apply to the court for enforcement once the review and litigation periods have passed
    unused and the fine is unpaid (within the following 3 months)."""
    require_role(actor, roles.BUREAU_HEAD)
    case = lock(case)
    if case.state != CaseState.EXECUTING or not case.has_fine or case.paid_on:
        raise ActionError(_("该案件没有待执行的罚款。"), code="nothing_to_pay")
    first, last = legal.court_application_window(case.served_on)
    if not (first <= applied_on <= last):
        raise ActionError(
            _("申请法院强制执行的期间为%(first)s至%(last)s。") % {"first": first, "last": last},
            code="outside_court_window",
            fields={"applied_on": _("不在可申请的期间内。")},
        )
    if not (court or "").strip():
        raise ActionError(_("请填写人民法院。"), code="invalid", fields={"court": _("必填。")})
    if CourtApplication.objects.filter(case=case).exists():
        raise Conflict(_("已申请法院强制执行。"), code="already_applied")
    application = CourtApplication.objects.create(
        case=case, applied_on=applied_on, court=court.strip()[:128]
    )
    move(
        case,
        "record",
        actor=actor,
        action="court_application",
        data={"applied_on": applied_on, "court": application.court},
    )
    return application
