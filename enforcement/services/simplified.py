"""The simplified procedure (简易程序, art. 51) on an officer's phone: facts clear, a warning or
a fine up to 200 yuan (a person) or 3,000 yuan (an organisation) — more is refused —, decided
and served on the spot by officers who show their certificates (two, unless the matter's own
law allows one: the benchmark's flag), with the on-the-spot decision printed or shown to the
party as a QR code; up to 100 yuan paid on the spot with a receipt (art. 68), the cash handed in
within 2 working days (art. 71). The case is filed with the bureau automatically (备案).
Idempotent on the phone's client UUID."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement import chain, legal
from enforcement.models import (
    Case,
    CaseState,
    DecisionKind,
    Officer,
    Payment,
    Penalty,
    Procedure,
    ServiceMethod,
)
from enforcement.selectors.scope import SQUAD_ROLES, officer_for
from portal import audit, pdf
from portal.errors import ActionError, Forbidden

from . import benchmarks, documents, numbers
from .cases import (
    assign,
    basis_text,
    case_rows,
    clean_party,
    penalty_text,
    refresh_clock,
    remedies_text,
)
from .common import actor_label, actor_user, audit_actor, require_role


def simplified_limit(party_kind: str) -> Decimal:
    return (
        legal.SIMPLIFIED_MAX_FINE_PERSON
        if party_kind == "person"
        else legal.SIMPLIFIED_MAX_FINE_ORGANISATION
    )


def case_simplified(
    *,
    actor,
    client_uuid,
    matter_code: str,
    party: dict,
    facts: str,
    address: str,
    penalties,
    fine=None,
    circumstance: str = "",
    officers=(),
    lat=None,
    lng=None,
    area_code: str = "",
    paid_on_spot: bool = False,
    receipt_number: str = "",
    on: date | None = None,
) -> Case:
    """Decide on the spot. Returns the case (the same one for a resend of ``client_uuid``)."""
    try:
        client_uuid = uuid.UUID(str(client_uuid))
    except (TypeError, ValueError):
        raise ActionError(
            _("客户端标识格式不正确。"), code="invalid", fields={"client_uuid": _("须为UUID。")}
        ) from None
    existing = Case.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return _decide(
                actor=actor,
                client_uuid=client_uuid,
                matter_code=matter_code,
                party=party,
                facts=facts,
                address=address,
                penalties=penalties,
                fine=fine,
                circumstance=circumstance,
                officers=officers,
                lat=lat,
                lng=lng,
                area_code=area_code,
                paid_on_spot=paid_on_spot,
                receipt_number=receipt_number,
                on=on,
            )
    except IntegrityError:
        found = Case.objects.filter(client_uuid=client_uuid).first()
        if found is None:
            raise
        return found


def _decide(
    *,
    actor,
    client_uuid,
    matter_code,
    party,
    facts,
    address,
    penalties,
    fine,
    circumstance,
    officers,
    lat,
    lng,
    area_code,
    paid_on_spot,
    receipt_number,
    on,
):
    from approvals.models import Matter
    from enforcement.services.leads import _coordinate, matter_for_code
    from enforcement.services.team import require_certified

    require_role(actor, *SQUAD_ROLES)
    me = officer_for(actor_user(actor))
    if me is None or me.squad_id is None:
        raise Forbidden(_("只有中队执法人员可以适用简易程序。"), code="not_an_officer")
    on = on or timezone.localdate()
    errors = {}
    try:
        matter = matter_for_code(matter_code, kinds=(Matter.Kind.PENALTY,), on=on)
    except ActionError as exc:
        errors.update(exc.fields)
        matter = None
    try:
        party = clean_party(party)
    except ActionError as exc:
        errors.update(exc.fields)
        party = None
    if not (facts or "").strip():
        errors["facts"] = _("请填写违法事实。")
    if not (address or "").strip():
        errors["address"] = _("请填写地点。")
    penalties = list(dict.fromkeys(penalties or []))
    if not penalties or not set(penalties) <= {Penalty.WARNING, Penalty.FINE}:
        errors["penalties"] = _("简易程序只能给予警告或罚款。")
    fine_value = None
    if Penalty.FINE in penalties:
        try:
            fine_value = legal.money(fine)
        except Exception:  # noqa: BLE001
            errors["fine"] = _("请填写罚款金额。")
        else:
            limit = simplified_limit(party["party_kind"] if party else "person")
            if fine_value <= 0:
                errors["fine"] = _("罚款金额须大于零。")
            elif fine_value > limit:
                errors["fine"] = _(
                    "简易程序罚款不得超过%(limit)s元（第五十一条），请按普通程序立案。"
                ) % {"limit": limit}
    if paid_on_spot:
        if fine_value is None:
            errors["paid_on_spot"] = _("没有罚款，无需当场收缴。")
        elif fine_value > legal.ON_THE_SPOT_MAX:
            errors["paid_on_spot"] = _("当场收缴罚款不得超过100元（第六十八条）。")
        if not (receipt_number or "").strip():
            errors["receipt_number"] = _("当场收缴须出具罚款收据，请填写收据号。")
    if errors:
        raise ActionError(_("当场处罚信息有误。"), code="invalid", fields=errors)
    result = (
        benchmarks.check(
            matter_code=matter.code, circumstance=circumstance, fine=fine_value, allow_outside=False
        )
        if (fine_value is not None and benchmarks.benchmark_for(matter.code))
        else None
    )
    benchmark = benchmarks.benchmark_for(matter.code)
    minimum = 1 if (benchmark and benchmark.one_officer_allowed) else 2
    chosen = [me, *[o for o in officers if o.pk != me.pk]]
    acting = require_certified(chosen, on=on, minimum=minimum)
    case = Case(
        number=numbers.case_number(on.year),
        client_uuid=client_uuid,
        procedure=Procedure.SIMPLIFIED,
        state=CaseState.EXECUTING,
        squad=me.squad,
        matter=matter,
        facts=facts.strip(),
        address=address.strip()[:255],
        lat=_coordinate(lat, field="lat", low=-90, high=90),
        lng=_coordinate(lng, field="lng", low=-180, high=180),
        area_code=(area_code or "")[:40],
        penalties=penalties,
        fine=fine_value,
        circumstance=circumstance or "",
        benchmark=result.snapshot if result else {},
        proposal_revision=1,
        filed_on=on,
        decision_kind=DecisionKind.PENALTY,
        decided_on=on,
        decided_by=actor_user(actor),
        served_on=on,
        service_method=ServiceMethod.ON_THE_SPOT,
        payment_due=legal.payment_due(on) if fine_value else None,
        filed_with_bureau_at=timezone.now(),
        created_by=actor_user(actor),
        **party,
    )
    refresh_clock(case, today=on)
    case.save()
    assign(case, acting, on=on)
    payment_line = ""
    if paid_on_spot:
        payment_line = f"当事人当场缴纳罚款{legal.money(fine_value)}元，执法人员出具罚款收据（{receipt_number.strip()}）。"
    elif fine_value:
        payment_line = (
            f"请于{pdf.chinese_date(case.payment_due)}前到指定银行缴纳罚款。到期不缴纳的，每日按罚款数额的"
            "百分之三加处罚款。"
        )
    document = documents.issue(
        kind="on_the_spot_decision",
        actor=actor,
        on=on,
        case=case,
        rows=[*case_rows(case), ("违法地点", case.address)],
        addressee=case.party_name,
        paragraphs=[
            f"经查，{pdf.sentence(case.facts)}",
            f"以上事实违反了{basis_text(case)}的规定。执法人员已出示执法证件，"
            "告知了拟作出的处罚及事实、理由和依据，当事人享有陈述、申辩的权利。",
            f"依据《中华人民共和国行政处罚法》第五十一条、第五十二条的规定，当场决定给予{penalty_text(case)}。",
            payment_line,
            remedies_text(),
        ],
        officers=acting,
        sign_lines=["当事人签收"],
        qr="party",
    )
    chain.append(
        case,
        actor=actor,
        actor_label=actor_label(actor),
        action="simplified",
        from_state="",
        to_state=case.state,
        note=case.facts[:500],
        data={
            "client_uuid": str(client_uuid),
            "penalties": penalties,
            "fine": fine_value,
            "officers": [o.pk for o in acting],
            "document": document.number,
            "sha256": document.sha256,
        },
    )
    audit.record(
        actor=audit_actor(actor),
        action="enforcement.case_simplified",
        obj=case,
        after={"fine": str(fine_value) if fine_value else None, "document": document.number},
    )
    if paid_on_spot:
        from enforcement.services.execution import case_record_payment

        case_record_payment(
            case=case,
            actor=actor,
            amount=fine_value,
            paid_on=on,
            method=Payment.Method.CASH_ON_THE_SPOT,
            receipt_number=receipt_number,
        )
        case.refresh_from_db()
    elif not fine_value:
        from enforcement.services.cases import case_close

        case = case_close(case=case, actor=actor, report="当场警告，已履行完毕。", on=on)
    return case


__all__ = ["Officer", "case_simplified"]
