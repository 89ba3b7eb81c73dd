"""Random inspections (双随机一公开).

The draw is reproducible by anyone holding its log: targets are ranked by
SHA-256("{seed}:{target code}") and the first ``target_count`` taken; for each drawn target, in
that order, the eligible inspectors (officers with a certificate valid on the draw day, not in
conflict with the target) are ranked by SHA-256("{seed}:{target code}:{officer id}") and the
first two taken. Only the seed and the two pools (sorted codes and officer ids) are needed to
draw again; nothing depends on Python's random module or the database's order. The log (seed,
pools, result, algorithm) is stored with the plan with its own SHA-256, and
``manage.py enforcement check-draw`` re-runs every draw from it."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement import legal
from enforcement.models import (
    InspectionPlan,
    InspectionTarget,
    InspectionTask,
    LeadSource,
    Officer,
    OfficerConflict,
)
from enforcement.selectors import team as team_sel
from portal import audit, roles
from portal.errors import ActionError, Conflict

from .common import actor_user, audit_actor, require_role

ALGORITHM = "sha256-rank-v1"


def _rank(seed: int, *parts) -> str:
    return hashlib.sha256(":".join(str(p) for p in (seed, *parts)).encode()).hexdigest()


def draw_from(
    *,
    seed: int,
    targets: list[str],
    inspectors: list[int],
    conflicts: dict[str, list[int]],
    count: int,
) -> dict:
    """The pure draw: {"targets": [codes in order], "inspectors": {code: [officer ids]}}."""
    chosen = sorted(targets, key=lambda code: (_rank(seed, code), code))[:count]
    assignment = {}
    for code in chosen:
        excluded = set(conflicts.get(code, []))
        eligible = [o for o in inspectors if o not in excluded]
        assignment[code] = sorted(eligible, key=lambda o: (_rank(seed, code, o), o))[:2]
    return {"targets": chosen, "inspectors": assignment}


def digest(log: dict) -> str:
    return hashlib.sha256(
        json.dumps(log, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()


def _pools(plan: InspectionPlan, on: date):
    targets = InspectionTarget.objects.filter(is_active=True)
    if plan.target_kind:
        targets = targets.filter(kind=plan.target_kind)
    codes = sorted(
        code
        for code, matters in targets.values_list("code", "matter_codes")
        if plan.matter.code in (matters or [])
    )
    inspectors = sorted(
        team_sel.officers(on=on, certified_only=True).values_list("pk", flat=True).distinct()
    )
    conflicts: dict[str, list[int]] = {}
    for code, officer in OfficerConflict.objects.filter(target__code__in=codes).values_list(
        "target__code", "officer_id"
    ):
        conflicts.setdefault(code, []).append(officer)
    return codes, inspectors, {k: sorted(v) for k, v in sorted(conflicts.items())}


@transaction.atomic
def plan_create(
    *, actor, code: str, name: str, matter, target_count: int, target_kind: str = ""
) -> InspectionPlan:
    require_role(actor, roles.BUREAU_HEAD)
    from approvals.models import Matter

    errors = {}
    if not (code or "").strip():
        errors["code"] = _("请填写计划编号。")
    elif InspectionPlan.objects.filter(code=code.strip()).exists():
        errors["code"] = _("计划编号已存在。")
    if not (name or "").strip():
        errors["name"] = _("请填写计划名称。")
    if matter is None or matter.kind != Matter.Kind.INSPECTION:
        errors["matter"] = _("请选择行政检查事项。")
    if not target_count or target_count < 1:
        errors["target_count"] = _("抽取数量至少为1。")
    if errors:
        raise ActionError(_("抽查计划信息有误。"), code="invalid", fields=errors)
    plan = InspectionPlan.objects.create(
        code=code.strip(),
        name=name.strip(),
        matter=matter,
        target_count=target_count,
        target_kind=target_kind or "",
        created_by=actor_user(actor),
    )
    audit.record(actor=audit_actor(actor), action="enforcement.inspection_plan_create", obj=plan)
    return plan


@transaction.atomic
def plan_draw(
    *, plan: InspectionPlan, actor, seed: int | None = None, on: date | None = None
) -> InspectionPlan:
    """Draw the targets and two inspectors each; the seed is random unless given. Logged."""
    require_role(actor, roles.BUREAU_HEAD)
    plan = InspectionPlan.objects.select_for_update().select_related("matter").get(pk=plan.pk)
    if plan.state != InspectionPlan.State.DRAFT:
        raise Conflict(_("该计划已抽取。"), code="already_drawn")
    on = on or timezone.localdate()
    seed = seed if seed is not None else secrets.randbits(62)
    targets, inspectors, conflicts = _pools(plan, on)
    if len(targets) < plan.target_count:
        raise ActionError(
            _("检查对象库只有%(n)s个适用对象，少于抽取数量。") % {"n": len(targets)},
            code="pool_too_small",
            fields={"target_count": _("超过可抽取的对象数。")},
        )
    result = draw_from(
        seed=seed,
        targets=targets,
        inspectors=inspectors,
        conflicts=conflicts,
        count=plan.target_count,
    )
    short = [code for code, people in result["inspectors"].items() if len(people) < 2]
    if short:
        raise ActionError(
            _("对象%(codes)s回避后可选执法人员不足两名。") % {"codes": "、".join(short[:5])},
            code="not_enough_inspectors",
        )
    log = {
        "algorithm": ALGORITHM,
        "plan": plan.code,
        "matter": plan.matter.code,
        "on": on.isoformat(),
        "seed": seed,
        "target_pool": targets,
        "inspector_pool": inspectors,
        "conflicts": conflicts,
        "count": plan.target_count,
        "result": result,
    }
    by_code = {t.code: t for t in InspectionTarget.objects.filter(code__in=result["targets"])}
    officers = {o.pk: o for o in Officer.objects.filter(pk__in=inspectors)}
    for order, code in enumerate(result["targets"], start=1):
        task = InspectionTask.objects.create(plan=plan, target=by_code[code], order=order)
        task.inspectors.set([officers[o] for o in result["inspectors"][code]])
    plan.seed = seed
    plan.drawn_on = on
    plan.drawn_by = actor_user(actor)
    plan.draw_log = log
    plan.draw_digest = digest(log)
    plan.results_due = legal.inspection_results_due(on)
    plan.state = InspectionPlan.State.DRAWN
    plan.save()
    audit.record(
        actor=audit_actor(actor),
        action="enforcement.inspection_draw",
        obj=plan,
        after={"seed": seed, "digest": plan.draw_digest, "targets": result["targets"]},
    )
    return plan


def check_draws(code: str | None = None) -> tuple[int, list[str]]:
    """Re-run drawn plans from their logs: (plans checked, what did not reproduce)."""
    plans = InspectionPlan.objects.exclude(state=InspectionPlan.State.DRAFT)
    if code:
        plans = plans.filter(code=code)
    checked, failures = 0, []
    for plan in plans.prefetch_related("tasks__inspectors", "tasks__target"):
        checked += 1
        log = plan.draw_log
        if digest(log) != plan.draw_digest:
            failures.append(f"{plan.code}: the log was changed")
            continue
        again = draw_from(
            seed=log["seed"],
            targets=log["target_pool"],
            inspectors=log["inspector_pool"],
            conflicts=log["conflicts"],
            count=log["count"],
        )
        if again != log["result"]:
            failures.append(f"{plan.code}: the draw does not reproduce its result")
            continue
        stored = {
            "targets": [t.target.code for t in sorted(plan.tasks.all(), key=lambda t: t.order)],
            "inspectors": {
                t.target.code: sorted(o.pk for o in t.inspectors.all()) for t in plan.tasks.all()
            },
        }
        expected = {
            "targets": again["targets"],
            "inspectors": {k: sorted(v) for k, v in again["inspectors"].items()},
        }
        if stored != expected:
            failures.append(f"{plan.code}: the tasks differ from the logged draw")
    return checked, failures


@transaction.atomic
def task_record_result(
    *,
    task: InspectionTask,
    actor,
    result: str,
    findings: str = "",
    inspected_on: date | None = None,
) -> InspectionTask:
    """The inspectors' result; a problem found opens a lead (source "inspection")."""
    from enforcement.services.leads import lead_receive

    require_role(actor, roles.ENFORCEMENT_OFFICER, roles.SQUAD_LEADER, roles.BUREAU_HEAD)
    task = (
        InspectionTask.objects.select_for_update().select_related("plan", "target").get(pk=task.pk)
    )
    user = actor_user(actor)
    if not (user.has_role(roles.BUREAU_HEAD) or task.inspectors.filter(user=user).exists()):
        from portal.errors import Forbidden

        raise Forbidden(_("只有抽中的检查人员可以登记结果。"), code="not_an_inspector")
    if task.result != InspectionTask.Result.PENDING:
        raise Conflict(_("该任务已登记结果。"), code="already_recorded")
    if result not in InspectionTask.Result.values or result == "pending":
        raise ActionError(_("请选择检查结果。"), code="invalid", fields={"result": _("必选。")})
    if result == InspectionTask.Result.PROBLEM and not (findings or "").strip():
        raise ActionError(_("请写明发现的问题。"), code="invalid", fields={"findings": _("必填。")})
    task.result = result
    task.findings = (findings or "").strip()
    task.inspected_on = inspected_on or timezone.localdate()
    if result == InspectionTask.Result.PROBLEM:
        first = task.inspectors.select_related("squad").first()
        task.lead = lead_receive(
            source=LeadSource.INSPECTION,
            source_ref=f"{task.plan.code}/{task.target.code}",
            description=f"{task.plan.name}：{task.target.name}——{task.findings}",
            address=task.target.address,
            area_code=task.target.area_code,
            actor=actor,
            squad=first.squad if first else None,
            client_uuid=None,
        )
    task.save()
    audit.record(
        actor=audit_actor(actor),
        action="enforcement.inspection_result",
        obj=task.plan,
        after={
            "target": task.target.code,
            "result": result,
            "lead": task.lead.number if task.lead else None,
        },
    )
    return task


@transaction.atomic
def plan_publish(*, plan: InspectionPlan, actor) -> InspectionPlan:
    """Publish the plan's results (公开): every task must have its result."""
    require_role(actor, roles.BUREAU_HEAD)
    plan = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.state != InspectionPlan.State.DRAWN:
        raise Conflict(_("该计划不在待公开状态。"), code="invalid_transition")
    pending = plan.tasks.filter(result=InspectionTask.Result.PENDING).count()
    if pending:
        raise ActionError(
            _("还有%(n)s个对象未登记检查结果。") % {"n": pending}, code="results_pending"
        )
    plan.state = InspectionPlan.State.PUBLISHED
    plan.published_at = timezone.now()
    plan.save()
    audit.record(actor=audit_actor(actor), action="enforcement.inspection_publish", obj=plan)
    return plan
