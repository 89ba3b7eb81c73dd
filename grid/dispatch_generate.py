"""Scale data for the dispatch benchmarks: the work orders, dispatches and whistles of the
incidents the incidents part generated (order 20) and sent out of the grid.

    python manage.py generate --only incidents,dispatch --incidents 1000000 --work-orders 200000

What it builds — reproducibly (same code, seed and ``--today``, same rows):
- town department staff (``g_dept_<code>``, password ``Demo@2026``) and the demo routing rules
  (grid.demo.dispatch: categories, villages, time of day; rules naming an area the generated
  town does not have are left out);
- for every incident whose history says it was dispatched (``dispatch`` step), until
  ``--work-orders`` is reached (a sample spread over the whole history): one dispatch at that moment following the first rule that
  matches (by hand when none does, or when the rule names the grid or a squad — leads live in
  enforcement), a lead work order and 0–2 co-handlers. Each order gets its clock as
  grid.services.dispatch computes it (sign-for 30 minutes or 1 working day, handling from the
  category, escalation moments, return window) and is walked: signed (mostly in time), done
  when the incident's ``dispatch_done`` step says so, a few returned (then routed again),
  cancelled, extended, pressed; open ones keep running to today;
- their history rows (sent, signed, done …), the day counters of the numbers, and whistles on
  about one dispatch in a hundred with their calls (on time, late, absent).

Rows go in with COPY (portal.generate.bulk), plain indexes set aside and rebuilt, foreign keys
checked afterwards. Notifications and audit entries are not generated."""

from __future__ import annotations

import math
import random
import time
from datetime import date, datetime, timedelta

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from grid.models.categories import Category
from grid.models.dispatch import Dispatch, HandlerKind, WorkOrder
from grid.selectors import routing
from portal import clock, roles
from portal.clock import Limit, Unit
from portal.generate import bulk as loader
from portal.generate.bulk import NULL, esc, js
from portal.models import Department, StaffProfile, User

BIG_TABLES = [
    "grid_dispatch",
    "grid_workorder",
    "grid_workorderstep",
    "grid_whistle",
    "grid_whistlecall",
]
LOADED = [*BIG_TABLES, "grid_workordernumbercounter"]
# Where a category's branch goes when no rule sends it to a department (by hand).
BRANCH_DEFAULT = {
    "CSGL": "GHJSB",
    "AQSC": "JJFZB",
    "MDJF": "DZB",
    "SHZA": "PCS",
    "HJBH": "GHJSB",
    "MSFW": "SHSWB",
    "SQMY": "DZB",
    "NYNC": "NYFWZX",
}
CO_POOL = ["GHJSB", "SHSWB", "JJFZB", "DZB", "NYFWZX", "PCS"]
RETURN_REASONS = [
    "不属于本部门职责。",
    "应由区级部门办理。",
    "事发地不在本部门管辖范围。",
    "信息不全，无法办理。",
]
FEEDBACK = ["已到现场处置完毕，现场已恢复。", "已协调相关方整改到位。", "已维修完毕并回访群众。"]


def ts(moment: datetime | None) -> str:
    return NULL if moment is None else moment.isoformat()


def b(value: bool | None) -> str:
    return NULL if value is None else ("t" if value else "f")


class Generator:
    def __init__(self, *, work_orders: int, seed: int, today: date | None, log=print):
        self.target = work_orders
        self.rng = random.Random(seed + 13)
        self.log = log
        self.today = today or timezone.localdate()
        self.now = clock.end_of_day(self.today) - timedelta(hours=6)
        self.counts: dict[str, int] = {}
        self.timings: dict[str, float] = {}
        self._wd: dict = {}
        self._warn: dict = {}

    # --- the clock, memoised (the same rules as grid.services.dispatch) -----------------------

    def wd_due(self, start: datetime, amount: int) -> datetime:
        day = clock.local_date(start)
        key = (day, amount)
        found = self._wd.get(key)
        if found is None:
            found = self._wd[key] = clock.due_at(start, Limit(amount, Unit.WORKING_DAYS))
        return found

    def warn(self, due: datetime, amount: int, unit: str, warning=None) -> datetime:
        if unit == Unit.HOURS:
            threshold = max(1, math.ceil(amount * 0.2)) if warning is None else warning
            return due - timedelta(hours=threshold)
        key = (clock.local_date(due), amount, warning)
        found = self._warn.get(key)
        if found is None:
            found = self._warn[key] = clock.warn_at(
                due, Limit(amount, Unit.WORKING_DAYS), warning=warning
            )
        return found

    def after(self, start: datetime, urgent: bool) -> datetime:
        return start + timedelta(minutes=30) if urgent else self.wd_due(start, 1)

    def handling(self, start: datetime, category, extra: int = 0) -> tuple[datetime, datetime]:
        amount = category.handle_limit + extra
        if category.limit_unit == Unit.HOURS:
            due = start + timedelta(hours=amount)
        else:
            due = self.wd_due(start, amount)
        return due, self.warn(due, amount, category.limit_unit)

    # --- the run ----------------------------------------------------------------------------------

    def _step(self, name: str, started: float) -> None:
        self.timings[name] = round(time.perf_counter() - started, 1)
        self.log(f"{name}: {self.timings[name]} s")

    def run(self) -> dict:
        if connection.vendor != "postgresql":
            raise RuntimeError("The generator loads with COPY: it needs PostgreSQL.")
        if WorkOrder.objects.exists() or Dispatch.objects.exists():
            raise RuntimeError(
                "This database already holds work orders: generate into an empty one."
            )
        t = time.perf_counter()
        with transaction.atomic():
            self.prepare()
        self._step("departments, staff and rules", t)
        t = time.perf_counter()
        with transaction.atomic():
            triggers_off = loader.set_triggers(False)
            dropped = loader.drop_indexes(BIG_TABLES)
            try:
                self.build()
            finally:
                if triggers_off:
                    loader.set_triggers(True)
            self._step("dispatches and work orders", t)
            t = time.perf_counter()
            loader.create_indexes(dropped, log=self.log)
            loader.reset_sequences(LOADED)
            bad = loader.orphan_foreign_keys(BIG_TABLES)
            if bad:
                raise RuntimeError(f"foreign keys without a row: {bad}")
            self._step("indexes and checks", t)
        t = time.perf_counter()
        loader.vacuum_analyze(LOADED)
        self._step("vacuum analyze", t)
        return {"counts": self.counts, "timings": self.timings}

    def prepare(self) -> None:
        from grid.demo import dispatch as demo

        roles.sync_roles()
        self.departments = {d.code: d for d in Department.objects.all()}
        missing = [c for c in [*BRANCH_DEFAULT.values(), *CO_POOL] if c not in self.departments]
        if missing:
            raise RuntimeError(f"departments missing (run the core demo first): {missing}")
        group = Group.objects.get(name=roles.DEPARTMENT_STAFF)
        password = loader.password_hash("Demo@2026")
        for code in sorted(set(CO_POOL)):
            user, created = User.objects.get_or_create(
                username=f"g_dept_{code.lower()}",
                defaults={
                    "real_name": f"{self.departments[code].short_name}工作人员",
                    "password": password,
                },
            )
            user.groups.add(group)
            StaffProfile.objects.update_or_create(
                user=user, defaults={"department": self.departments[code]}
            )
        demo._rules()
        routing.forget()
        self.rules = routing.compiled_rules()
        self.dispatcher = (
            User.objects.filter(groups__name=roles.DISPATCHER)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        self.staff = {
            p.department_id: p.user_id
            for p in StaffProfile.objects.filter(
                user__groups__name=roles.DEPARTMENT_STAFF
            ).order_by("user_id")
        }
        self.counts["rules"] = len(self.rules)

    def dispatched(self):
        """The incidents the loop sent out of the grid: (id, number, category_id, source,
        village, grid, micro, state, external_due_at, dispatched at, done at)."""
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT i.id, i.number, i.category_id, i.source, i.village_id, i.grid_id,
                       i.micro_grid_id, i.state, i.external_due_at, d.at,
                       (SELECT s.at FROM grid_incidentstep s
                         WHERE s.incident_id = i.id AND s.action = 'dispatch_done'
                         ORDER BY s.at LIMIT 1)
                FROM grid_incidentstep d JOIN grid_incident i ON i.id = d.incident_id
                WHERE d.action = 'dispatch'
                ORDER BY d.at DESC, i.id
                """
            )
            while True:
                rows = cursor.fetchmany(20000)
                if not rows:
                    return
                yield from rows

    def build(self) -> None:
        rng = self.rng
        categories = {c.pk: c for c in Category.objects.select_related("branch")}
        writer = loader.CopyWriter()
        d_cols = [f.column for f in Dispatch._meta.concrete_fields]
        o_cols = [f.column for f in WorkOrder._meta.concrete_fields]
        s_cols = [
            "work_order_id",
            "at",
            "actor_id",
            "actor_label",
            "action",
            "from_state",
            "to_state",
            "note",
            "data",
        ]
        dispatches, orders, steps = [], [], []
        counters: dict[date, int] = {}
        dispatch_id = loader.next_id("grid_dispatch")
        order_id = loader.next_id("grid_workorder")
        whistle_id = loader.next_id("grid_whistle")
        whistles, calls = [], []
        first_dispatch, first_whistle = dispatch_id, whistle_id
        made = 0
        now = self.now

        def flush(force=False):
            nonlocal dispatches, orders, steps, whistles, calls
            if force or len(orders) >= 20000:
                writer.put("grid_dispatch", d_cols, dispatches)
                writer.put("grid_workorder", o_cols, orders)
                writer.put("grid_workorderstep", s_cols, steps)
                writer.put(
                    "grid_whistle",
                    ["id", "incident_id", "blown_by_id", "blown_at", "meet_at", "place", "note"],
                    whistles,
                )
                writer.put(
                    "grid_whistlecall",
                    [
                        "whistle_id",
                        "department_id",
                        "reported_at",
                        "reported_by_id",
                        "recorded_by_centre",
                        "note",
                    ],
                    calls,
                )
                dispatches, orders, steps, whistles, calls = [], [], [], [], []

        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM grid_incidentstep WHERE action = 'dispatch'")
            total = cursor.fetchone()[0] or 1
        # Spread over the whole history (about 1.4 orders per dispatch), newest first.
        share = min(1.0, self.target / (total * 1.4))
        for row in self.dispatched():
            if made >= self.target:
                break
            if share < 1.0 and rng.random() > share:
                continue
            (
                inc_id,
                number,
                category_id,
                source,
                village,
                grid,
                micro,
                state,
                ext_due,
                sent,
                done_at,
            ) = row
            category = categories[category_id]
            facts = routing.Facts(
                category_code=category.code,
                branch_code=category.branch.code,
                grid_may_handle=category.grid_may_handle,
                at=sent,
                source=source,
                village_id=village,
                grid_id=grid,
                micro_grid_id=micro,
            )
            evaluation = routing.evaluate(facts, self.rules)
            rule = evaluation.rule
            choice = rule.choice if rule else None
            followed = bool(
                choice and choice.kind in (HandlerKind.DEPARTMENT, HandlerKind.DISTRICT)
            )
            if followed:
                lead_code, co_codes, kind = choice.department, list(choice.co_handlers), choice.kind
            else:
                lead_code, kind = (
                    BRANCH_DEFAULT.get(category.branch.code, "DZB"),
                    HandlerKind.DEPARTMENT,
                )
                co_codes = []
            if kind == HandlerKind.DEPARTMENT and not co_codes and rng.random() < 0.25:
                co_codes = rng.sample([c for c in CO_POOL if c != lead_code], rng.choice((1, 1, 2)))
            returned_first = kind == HandlerKind.DEPARTMENT and rng.random() < 0.05
            seq = 1
            if returned_first:
                # A first dispatch whose lead returned the order within the limit.
                first_lead = rng.choice([c for c in CO_POOL if c != lead_code])
                back = sent + timedelta(minutes=rng.randint(10, 240))
                dispatches.append(
                    self._dispatch_line(
                        dispatch_id,
                        inc_id,
                        seq,
                        HandlerKind.DEPARTMENT,
                        "recalled",
                        rule,
                        followed,
                        sent,
                        first_lead,
                        back,
                    )
                )
                orders.append(
                    self._order_line(
                        order_id,
                        number,
                        dispatch_id,
                        inc_id,
                        category,
                        source,
                        ext_due,
                        first_lead,
                        "lead",
                        False,
                        rule,
                        sent,
                        steps,
                        counters,
                        state="returned",
                        at=back,
                        rng=rng,
                    )
                )
                order_id += 1
                dispatch_id += 1
                seq = 2
                sent = back + timedelta(minutes=rng.randint(10, 120))
                made += 1
            finished = done_at is not None and done_at > sent
            d_state = "done" if finished else ("active" if state == "dispatched" else "recalled")
            dispatches.append(
                self._dispatch_line(
                    dispatch_id,
                    inc_id,
                    seq,
                    kind,
                    d_state,
                    rule,
                    followed,
                    sent,
                    lead_code,
                    done_at if finished else None,
                )
            )
            district = kind == HandlerKind.DISTRICT
            for role, code in [("lead", lead_code), *(("co", c) for c in co_codes)]:
                if code not in self.departments:
                    continue
                end = (
                    (done_at - timedelta(minutes=rng.randint(5, 600)) if role == "co" else done_at)
                    if finished
                    else None
                )
                if end is not None and end <= sent:
                    end = done_at
                if finished:
                    order_state = "done"
                elif d_state == "recalled":
                    order_state = "cancelled"
                else:
                    order_state = "open"
                orders.append(
                    self._order_line(
                        order_id,
                        number,
                        dispatch_id,
                        inc_id,
                        category,
                        source,
                        ext_due,
                        code,
                        role,
                        district and role == "lead",
                        rule,
                        sent,
                        steps,
                        counters,
                        state=order_state,
                        at=end,
                        rng=rng,
                    )
                )
                order_id += 1
                made += 1
            if rng.random() < 0.01:
                meet = sent + timedelta(hours=rng.randint(1, 6))
                whistles.append(
                    "\t".join(
                        [
                            str(whistle_id),
                            str(inc_id),
                            str(self.dispatcher),
                            ts(sent),
                            ts(meet),
                            "现场",
                            "",
                        ]
                    )
                )
                for code in rng.sample(CO_POOL, rng.randint(2, 4)):
                    roll = rng.random()
                    reported = (
                        None
                        if (roll < 0.1 or meet > now)
                        else meet
                        + timedelta(
                            minutes=rng.randint(-60, -1) if roll < 0.85 else rng.randint(1, 60)
                        )
                    )
                    staff = self.staff.get(self.departments[code].pk)
                    calls.append(
                        "\t".join(
                            [
                                str(whistle_id),
                                str(self.departments[code].pk),
                                ts(reported),
                                str(staff) if reported and staff else NULL,
                                "f",
                                "",
                            ]
                        )
                    )
                whistle_id += 1
            dispatch_id += 1
            flush()
        flush(force=True)
        writer.close()
        from grid.models.dispatch import WorkOrderNumberCounter

        WorkOrderNumberCounter.objects.bulk_create(
            [WorkOrderNumberCounter(day=day, last=last) for day, last in counters.items()],
            batch_size=5000,
        )
        self.counts.update(
            work_orders=made,
            dispatches=dispatch_id - first_dispatch,
            whistles=whistle_id - first_whistle,
        )

    def _dispatch_line(self, pk, incident, seq, kind, state, rule, followed, at, lead_code, ended):
        department = self.departments[lead_code]
        values = {
            "id": str(pk),
            "incident_id": str(incident),
            "seq": str(seq),
            "kind": kind,
            "state": state,
            "via": "centre",
            "rule_id": str(rule.id) if rule else NULL,
            "rule_version": str(rule.version) if rule else NULL,
            "rule_snapshot": js(
                {"code": "", "order": rule.order, "name": rule.name} if rule else {}
            ),
            "followed_rule": "t" if followed else "f",
            "evaluated": js([]),
            "reason": "" if followed else esc("按分类派至对口部门。"),
            "department_id": str(department.pk),
            "squad_code": "",
            "lead_client_uuid": NULL,
            "lead_number": "",
            "lead_outcome": "",
            "lead_case_number": "",
            "lead_reason": "",
            "lead_outcome_at": NULL,
            "at": ts(at),
            "actor_id": str(self.dispatcher) if self.dispatcher else NULL,
            "actor_label": "调度员",
            "ended_at": ts(ended),
            "end_note": "",
        }
        return "\t".join(values[f.column] for f in Dispatch._meta.concrete_fields)

    def _order_line(
        self,
        pk,
        incident_number,
        dispatch,
        incident,
        category,
        source,
        ext_due,
        code,
        role,
        district,
        rule,
        sent,
        steps,
        counters,
        *,
        state,
        at,
        rng,
    ):
        now = self.now
        department = self.departments[code]
        urgent = category.urgency == "urgent"
        sign_due = self.after(sent, urgent)
        sign_warn = (
            sign_due - timedelta(minutes=6)
            if urgent
            else self.warn(sign_due, 1, Unit.WORKING_DAYS, warning=0)
        )
        head = self.after(sign_due, urgent)
        centre = self.after(head, urgent)
        hotline = source == "hotline"
        ret_until = self.wd_due(sent, 1) if hotline else sign_due
        due, warn = self.handling(sent, category)
        if ext_due is not None and ext_due < due:
            due = ext_due
        day = clock.local_date(sent)
        counters[day] = counters.get(day, 0) + 1
        number = f"GD{day:%Y%m%d}{counters[day]:05d}"
        staff = self.staff.get(department.pk) if not district else self.dispatcher
        lines = [(sent, "send", "", "sent", "")]
        signed_at = done = returned_at = cancelled_at = None
        final = state
        pressed = 0
        if state == "returned":
            returned_at = at
            final = "returned"
            lines.append((at, "give_back", "sent", "returned", rng.choice(RETURN_REASONS)))
        else:
            late_sign = rng.random() < 0.1
            delay = (sign_due - sent) * (
                rng.uniform(1.05, 3) if late_sign else rng.uniform(0.02, 0.9)
            )
            candidate = sent + delay
            limit = at if at is not None else now
            if candidate < limit:
                signed_at = candidate
                lines.append((signed_at, "sign_for", "sent", "signed", ""))
            if state == "done" and at is not None:
                if signed_at is None:
                    signed_at = sent + (at - sent) / 3
                    lines.append((signed_at, "sign_for", "sent", "signed", ""))
                done = at
                final = "done"
                lines.append((at, "feed_back", "signed", "done", rng.choice(FEEDBACK)))
            elif state == "cancelled":
                cancelled_at = sent + timedelta(hours=rng.randint(1, 48))
                final = "cancelled"
                lines.append(
                    (
                        cancelled_at,
                        "cancel",
                        "signed" if signed_at else "sent",
                        "cancelled",
                        "派遣已收回",
                    )
                )
            else:
                final = "signed" if signed_at else "sent"
                if final == "sent" and now > sign_due and rng.random() < 0.5:
                    pressed = 1
        step_due, step_warn = (sign_due, sign_warn) if final in ("sent",) else (due, warn)
        for moment, action, before, after, note in lines:
            steps.append(
                "\t".join(
                    [
                        str(pk),
                        ts(moment),
                        str(staff)
                        if staff and action != "send"
                        else (str(self.dispatcher) if self.dispatcher else NULL),
                        "工作人员" if action != "send" else "调度员",
                        action,
                        before,
                        after,
                        esc(note),
                        "{}",
                    ]
                )
            )
        values = {
            "id": str(pk),
            "number": number,
            "dispatch_id": str(dispatch),
            "incident_id": str(incident),
            "department_id": str(department.pk),
            "role": role,
            "is_district": b(district),
            "state": final,
            "category_code": category.code,
            "branch_code": category.branch.code,
            "urgency": category.urgency,
            "is_hotline": b(hotline),
            "rule_id": str(rule.id) if rule else NULL,
            "rule_version": str(rule.version) if rule else NULL,
            "replaces_id": NULL,
            "sent_at": ts(sent),
            "sign_for_due_at": ts(sign_due),
            "sign_for_warn_at": ts(sign_warn),
            "return_until": ts(ret_until),
            "escalate_head_at": ts(head),
            "escalate_centre_at": ts(centre),
            "limit_unit": category.limit_unit,
            "due_at": ts(due),
            "warn_at": ts(warn),
            "step_due_at": ts(step_due),
            "step_warn_at": ts(step_warn),
            "signed_at": ts(signed_at),
            "signed_by_id": str(staff) if signed_at and staff else NULL,
            "sign_for_on_time": b(signed_at <= sign_due if signed_at else None),
            "done_at": ts(done),
            "done_by_id": str(staff) if done and staff else NULL,
            "feedback_note": esc(lines[-1][4]) if done else "",
            "feedback_client_uuid": NULL,
            "answered_on": clock.local_date(done).isoformat() if done and district else NULL,
            "done_on_time": b(done <= due if done else None),
            "returned_at": ts(returned_at),
            "returned_by_id": str(staff) if returned_at and staff else NULL,
            "return_reason": esc(lines[-1][4]) if returned_at else "",
            "return_basis": esc("依据“三定”职责。") if returned_at and hotline else "",
            "resolved_at": ts(returned_at),
            "cancelled_at": ts(cancelled_at),
            "cancel_reason": esc("派遣已收回") if cancelled_at else "",
            "pressed": str(pressed),
            "created_at": ts(sent),
            "updated_at": ts(lines[-1][0]),
        }
        return "\t".join(values[f.column] for f in WorkOrder._meta.concrete_fields)


def add_arguments(parser) -> None:
    parser.add_argument("--work-orders", type=int, default=200_000)


def run_part(run) -> dict:
    """The dispatch part of ``manage.py generate`` (portal.generate, order 40)."""
    count = run.options.get("work_orders") or 0
    if count < 1:
        raise ValueError("--work-orders must be at least 1")
    return Generator(work_orders=count, seed=run.seed, today=run.today, log=run.log).run()
