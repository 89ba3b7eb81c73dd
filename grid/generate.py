"""Scale data for the incident benchmarks: a town of Longgang's shape worked by its grids for
three years.

    python manage.py generate --only incidents --incidents 1000000 --seed 20261122

What it builds — reproducibly (same code, seed and ``--today``, same rows):
- the core township (portal.demo) when missing, and a map when the database has no grids:
  the areas part's (portal.areas.generate: 102 communities, 469 grids, 3,311 micro-grids and
  15 special grids, seeded; a map already there — from ``--only areas`` or a real import — is
  used);
- a head and two members for every grid (``g_gridhead_nnnn`` / ``g_gridmember_nnnn``, password
  ``Demo@2026``), and the demo log-ins ``gridhead`` / ``gridmember`` on the first grids;
- the demo catalogue (52 leaves, grid.demo.categories) and residents who report;
- N incidents (default one million) reported over the last ``years`` years, more every year,
  on grids drawn with a Zipf law, from members (60 %), residents (20 %), the hotline (15 %)
  and patrols (5 %). Each is walked through the loop — verify, accept, handled in the grid or
  dispatched, result, check and close with an outcome (a few sent back, some late), voided
  ones, holds — and cut at today, so the open work of today is what such a history leaves;
- the stored clock of each (step, due_at, warn_at, handle_due_at) computed with portal.clock's
  rules (working days through portal.workdays, memoised), the history rows, reporters' ratings
  and the day counters of numbers.

Rows go in with COPY (portal.generate.bulk); the plain indexes of the big tables are set aside
during the load and rebuilt afterwards; foreign keys are then checked. Photos, notifications and
audit entries are not generated: they record real actions."""

from __future__ import annotations

import math
import random
import time
import uuid
from bisect import bisect_right
from datetime import date, datetime, timedelta
from itertools import accumulate

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from grid.models import Category, Incident
from portal import roles, workdays
from portal.generate import bulk as loader
from portal.generate.bulk import NULL, esc
from portal.models import Area, AreaKind, User

BIG_TABLES = ["grid_incident", "grid_incidentstep", "grid_incidentrating"]
LOADED_TABLES = [*BIG_TABLES, "grid_incidentnumbercounter", "grid_assignment", "portal_user"]
H = 3600
DAY = 86400
DESCRIPTIONS = [
    "群众反映的问题，需要现场查看。",
    "路边堆放杂物，影响通行。",
    "商铺门前占道经营。",
    "楼道内堆放易燃物品。",
    "夜间施工噪声扰民。",
    "邻里因排水问题发生争执。",
    "河道内有漂浮垃圾。",
    "路灯不亮，夜间出行不便。",
]


class Generator:
    def __init__(
        self,
        *,
        incidents: int,
        seed: int,
        today: date | None,
        years: int,
        log=print,
        vacuum: bool = True,
    ):
        self.n = incidents
        self.vacuum = vacuum
        self.rng = random.Random(seed)
        self.seed = seed
        self.log = log
        self.today = today or timezone.localdate()
        now = timezone.now()
        self.now = int(now.timestamp()) if today is None else self._epoch(self.today, 86399)
        self.start = self._epoch(self.today - timedelta(days=365 * years), 0)
        self.years = years
        self.tz = timezone.get_current_timezone()
        self.offset = int(timezone.localtime(now).utcoffset().total_seconds())
        sign = "+" if self.offset >= 0 else "-"
        self.suffix = f"{sign}{abs(self.offset) // 3600:02d}:{abs(self.offset) % 3600 // 60:02d}"
        self.counts: dict[str, int] = {}
        self.timings: dict[str, float] = {}
        self._days: dict[int, str] = {}
        self._add: dict[tuple[int, int], int] = {}
        self._before: dict[tuple[int, int], int] = {}

    # --- time helpers (moments are epoch seconds) ---------------------------------------------

    def _epoch(self, day: date, secs: int) -> int:
        moment = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        return int(moment.timestamp()) + secs

    def day_index(self, moment: int | float) -> int:
        return (int(moment) + self.offset) // DAY

    def ts(self, moment: int | None) -> str:
        if moment is None:
            return NULL
        micro = ""
        if isinstance(moment, float):
            # The end of a day (23:59:59.999999), as portal.clock.end_of_day writes it.
            moment = int(moment)
            micro = ".999999"
        local = moment + self.offset
        index, secs = divmod(local, DAY)
        day = self._days.get(index)
        if day is None:
            day = self._days[index] = date.fromordinal(index + 719163).isoformat()
        clock = f"{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}{micro}"
        return f"{day} {clock}{self.suffix}"

    def _day_of(self, index: int) -> date:
        return date.fromordinal(index + 719163)

    def _start_of(self, index: int) -> int:
        return index * DAY - self.offset

    def add_wd(self, index: int, n: int) -> int:
        key = (index, n)
        found = self._add.get(key)
        if found is None:
            found = workdays.add_working_days(self._day_of(index), n).toordinal() - 719163
            self._add[key] = found
        return found

    def before_wd(self, index: int, n: int) -> int:
        key = (index, n)
        found = self._before.get(key)
        if found is None:
            day = workdays.working_day_on_or_before(self._day_of(index), n)
            found = self._before[key] = day.toordinal() - 719163
        return found

    def due(self, start: int, amount: int, unit: str) -> tuple[int, int]:
        """(due_at, warn_at) as portal.clock computes them (default warning: 20 %, ≥ 1)."""
        threshold = max(1, math.ceil(amount * 0.2))
        if unit == "hours":
            due = start + amount * H
            return due, due - threshold * H
        day = self.add_wd(self.day_index(start), amount)
        due = self._start_of(day) + DAY - 1 + 0.999999  # end of the day (a float: see ts())
        return due, self._start_of(self.before_wd(day, threshold + 1))

    def _step(self, name: str, started: float) -> None:
        self.timings[name] = round(time.perf_counter() - started, 1)
        self.log(f"{name}: {self.timings[name]} s")

    # --- the run --------------------------------------------------------------------------------

    def run(self) -> dict:
        if connection.vendor != "postgresql":
            raise RuntimeError("The generator loads with COPY: it needs PostgreSQL.")
        restored = loader.restore_saved_indexes()
        if restored:
            self.log(f"restored {restored} indexes left dropped by an interrupted load")
        if Incident.objects.exists():
            raise RuntimeError(
                "This database already holds incidents. Generate into an empty database "
                "(dropdb/createdb, migrate, then generate)."
            )
        total = time.perf_counter()
        t = time.perf_counter()
        self.build_core()
        self._step("core, map and categories", t)
        t = time.perf_counter()
        with transaction.atomic():
            self.build_people()
        self._step("grid people and residents", t)
        dropped = []
        triggers_off = False
        try:
            with transaction.atomic():
                triggers_off = loader.set_triggers(False)
                if self.n >= 50_000:
                    dropped = loader.drop_indexes(BIG_TABLES)
                t = time.perf_counter()
                self.build_incidents()
                self._step("incidents and their records", t)
                loader.reset_sequences(LOADED_TABLES)
                if dropped:
                    t = time.perf_counter()
                    loader.create_indexes(dropped, log=self.log)
                    self._step("indexes", t)
                bad = loader.orphan_foreign_keys(BIG_TABLES) if triggers_off else []
                if bad:
                    raise RuntimeError(f"foreign keys pointing nowhere: {bad}")
        finally:
            if triggers_off:
                loader.set_triggers(True)
        if self.vacuum:
            t = time.perf_counter()
            loader.vacuum_analyze(LOADED_TABLES)
            self._step("analyze", t)
        self.timings["total"] = round(time.perf_counter() - total, 1)
        return {"counts": self.counts, "timings": self.timings}

    # --- core, map, categories --------------------------------------------------------------------

    def build_core(self) -> None:
        from grid.demo import categories
        from portal import demo

        if not User.objects.filter(username="supervisor").exists():
            demo.seed_core()
        roles.sync_roles()
        if not Area.objects.filter(kind=AreaKind.GRID).exists():
            self.build_map()
        categories.seed()
        self.categories = list(Category.objects.current().select_related("branch"))
        if not self.categories:
            raise RuntimeError("no incident categories in force")
        grids = list(
            Area.objects.filter(kind=AreaKind.GRID, active_to__isnull=True)
            .order_by("code")
            .values_list("pk", "village_id", "boundary", "code")
        )
        self.grids = grids
        self.counts["grids"] = len(grids)
        self.log(f"{len(grids)} grids, {len(self.categories)} categories")

    def _aware(self, moment: int) -> datetime:
        return datetime.fromtimestamp(moment, tz=self.tz)

    def build_map(self) -> None:
        """No map yet: the areas part's (portal.areas.generate), Longgang's shape."""
        from portal.areas import generate as areas_generate

        areas_generate.Generator(
            seed=self.seed, today=self.today, years=self.years, log=self.log, vacuum=self.vacuum
        ).run()

    # --- people ---------------------------------------------------------------------------------

    def build_people(self) -> None:
        from grid.models import Assignment, AssignmentRole

        rng = self.rng
        password = loader.password_hash("Demo@2026")
        head_group = Group.objects.get(name=roles.GRID_HEAD)
        member_group = Group.objects.get(name=roles.GRID_MEMBER)
        citizen_group = Group.objects.get(name=roles.CITIZEN)
        since = self.today - timedelta(days=365 * self.years + 30)
        users = []
        plan = []
        for n, (grid_id, _village, _boundary, _code) in enumerate(self.grids, start=1):
            users.append(
                User(
                    username=f"g_gridhead_{n:04d}",
                    real_name=f"网格长{n}",
                    password=password,
                    mobile=f"136{n:08d}",
                    id_number=None,
                )
            )
            plan.append((grid_id, AssignmentRole.HEAD, len(users) - 1))
            for k in (1, 2):
                users.append(
                    User(
                        username=f"g_gridmember_{n:04d}_{k}",
                        real_name=f"网格员{n}-{k}",
                        password=password,
                        mobile=f"137{n:06d}{k:02d}",
                        id_number=None,
                    )
                )
                plan.append((grid_id, AssignmentRole.MEMBER, len(users) - 1))
        residents = max(1000, self.n // 50)
        first_resident = len(users)
        for n in range(residents):
            users.append(
                User(
                    username=f"g_resident_{n:06d}",
                    real_name=f"居民{n}",
                    password="!",
                    mobile=f"135{n:08d}",
                    id_number=None,
                )
            )
        User.objects.bulk_create(users, batch_size=5000)
        saved = {
            u.username: u.pk
            for u in User.objects.filter(username__startswith="g_").only("pk", "username")
        }
        ids = [saved[u.username] for u in users]
        through = User.groups.through
        through.objects.bulk_create(
            [
                through(
                    user_id=ids[i], group_id=(head_group if role == "head" else member_group).pk
                )
                for _grid, role, i in plan
            ]
            + [
                through(user_id=ids[i], group_id=citizen_group.pk)
                for i in range(first_resident, len(users))
            ],
            batch_size=10000,
        )
        assignments = [
            Assignment(
                area_id=grid, role=role, user_id=ids[i], starts_on=since, employment="full_time"
            )
            for grid, role, i in plan
        ]
        # The demo log-ins work on the first two grids.
        demo = {u.username: u for u in User.objects.filter(username__in=["gridhead", "gridmember"])}
        if "gridhead" in demo:
            # the generated head of grid 1 steps aside for the demo head
            assignments = [
                a for a in assignments if not (a.area_id == self.grids[0][0] and a.role == "head")
            ]
            assignments.append(
                Assignment(
                    area_id=self.grids[0][0],
                    role=AssignmentRole.HEAD,
                    user=demo["gridhead"],
                    starts_on=since,
                )
            )
        if "gridmember" in demo:
            for grid in self.grids[:2]:
                assignments.append(
                    Assignment(
                        area_id=grid[0],
                        role=AssignmentRole.MEMBER,
                        user=demo["gridmember"],
                        starts_on=since,
                    )
                )
        Assignment.objects.bulk_create(assignments, batch_size=5000)
        self.team = {}
        for a in Assignment.objects.filter(
            ends_on__isnull=True, role__in=["head", "member"]
        ).values_list("area_id", "role", "user_id"):
            heads, members = self.team.setdefault(a[0], ([], []))
            (heads if a[1] == "head" else members).append(a[2])
        self.residents = ids[first_resident:]
        self.dispatchers = list(
            User.objects.filter(groups__name=roles.DISPATCHER).values_list("pk", flat=True)
        ) or [ids[0]]
        self.labels = dict(
            User.objects.filter(
                pk__in=set(ids[:first_resident])
                | set(self.dispatchers)
                | {u.pk for u in demo.values()}
            ).values_list("pk", "real_name")
        )
        self.counts["grid people"] = len(plan)
        self.counts["residents"] = residents
        rng.random()

    # --- incidents ----------------------------------------------------------------------------------

    def build_incidents(self) -> None:
        from portal.areas import geometry

        rng = self.rng
        grids = [g for g in self.grids if g[0] in self.team]
        # Points: 64 per grid sampled inside its boundary, used with a few metres of jitter.
        points = {}
        for grid_id, _village, boundary, _code in grids:
            shape = geometry.parse(boundary)
            points[grid_id] = geometry.sample_points(shape, 64, rng)
        # Zipf over grids: a few busy grids make much of the work.
        weights = [1 / (rank + 1) ** 0.7 for rank in range(len(grids))]
        rng.shuffle(weights)
        grid_cum = list(accumulate(weights))
        cats = self.categories
        cat_weights = [3 if c.branch.code in ("CSGL", "HJBH") else 1 for c in cats]
        cat_cum = list(accumulate(cat_weights))
        span = self.now - self.start
        growth = 0.5  # the last year sees half again as many as the first
        writer = loader.CopyWriter()
        inc_cols = [f.column for f in Incident._meta.concrete_fields]
        step_cols = [
            "id",
            "incident_id",
            "at",
            "actor_id",
            "actor_label",
            "action",
            "from_state",
            "to_state",
            "note",
            "data",
        ]
        rating_cols = ["id", "incident_id", "user_id", "rater", "score", "comment", "at"]
        # Moments sorted so that numbers follow the days.
        moments = sorted(
            self.start
            + int(
                span
                * (
                    (math.sqrt(1 + growth * (2 + growth) * rng.random()) - 1) / growth
                    if growth
                    else rng.random()
                )
            )
            for _ in range(self.n)
        )
        counters: dict[int, int] = {}
        incident_rows, step_rows, rating_rows = [], [], []
        step_id = rating_id = 0
        hotline_seq = 0
        states: dict[str, int] = {}
        labels = self.labels
        now = self.now
        for pk, reported in enumerate(moments, start=1):
            grid_id, village_id, _b, _code = grids[
                bisect_right(grid_cum, rng.random() * grid_cum[-1])
            ]
            heads, members = self.team[grid_id]
            head = heads[0] if heads else members[0]
            member = rng.choice(members) if members else head
            cat = cats[bisect_right(cat_cum, rng.random() * cat_cum[-1])]
            unit = cat.limit_unit
            lng, lat = rng.choice(points[grid_id])
            lat += rng.uniform(-0.0001, 0.0001)
            lng += rng.uniform(-0.0001, 0.0001)
            day = self.day_index(reported)
            counters[day] = counters.get(day, 0) + 1
            number = f"SJ{self._day_of(day):%Y%m%d}{counters[day]:05d}"
            roll = rng.random()
            source = (
                "grid_member"
                if roll < 0.6
                else "resident"
                if roll < 0.8
                else "hotline"
                if roll < 0.95
                else "patrol"
            )
            reporter = (
                member
                if source in ("grid_member", "patrol")
                else (rng.choice(self.residents) if source == "resident" else None)
            )
            external = ""
            if source == "hotline":
                hotline_seq += 1
                external = f"12345-{hotline_seq:08d}"
            age = (now - reported) / DAY
            target = self._target(age)
            # --- walk the loop ------------------------------------------------------------------
            history = [("report", reported, reporter, "", "reported")]
            verified = accepted = handle_started = feedback = closed = voided = None
            handler = None
            verified_by = accepted_by = closed_by = None
            outcome = void_reason = ""
            held_from = ""
            on_time = score = None
            state = "reported"
            step, step_start, due, warn = (
                "verify",
                reported,
                *self.due(reported, cat.verify_limit, unit),
            )
            handle_due = handle_warn = None
            dispatched = not cat.grid_may_handle or rng.random() < 0.15
            auto = source in ("grid_member", "patrol") and rng.random() < 0.85

            while True:
                if target == "reported":
                    break
                verified = reported if auto else self._later(reported, cat.verify_limit, unit=unit)
                if verified >= now:
                    verified = None
                    break
                verified_by = member
                history.append(("verify", verified, member, "reported", "verified"))
                state = "verified"
                step, step_start, (due, warn) = (
                    "accept",
                    verified,
                    self.due(verified, cat.accept_limit, unit),
                )
                if target == "verified":
                    break
                if target == "voided":
                    voided = self._later(verified, cat.accept_limit, 0.02, unit=unit)
                    if voided >= now:
                        voided = None
                        break
                    void_reason = rng.choice(["not_true", "not_a_problem", "not_true"])
                    history.append(("void", voided, head, "verified", "voided"))
                    state = "voided"
                    break
                accepted = self._later(verified, cat.accept_limit, 0.04, unit=unit)
                if accepted >= now:
                    accepted = None
                    break
                accepted_by = head if not dispatched or rng.random() < 0.5 else self.dispatchers[0]
                handle_started = accepted
                history.append(("accept", accepted, accepted_by, "verified", "accepted"))
                state = "accepted"
                step, step_start = "handle", accepted
                due, warn = self.due(accepted, cat.handle_limit, unit)
                handle_due, handle_warn = due, warn
                if target == "accepted":
                    break
                if dispatched:
                    moved = accepted + rng.randint(600, 4 * H)
                    if moved >= now:
                        break
                    history.append(
                        ("dispatch", moved, self.dispatchers[0], "accepted", "dispatched")
                    )
                    state = "dispatched"
                else:
                    handler = member if rng.random() < 0.7 else head
                    history.append(
                        ("start_handling", accepted, accepted_by, "accepted", "handling")
                    )
                    state = "handling"
                if target == "on_hold" and not dispatched:
                    held = self._later(accepted, cat.handle_limit, 0, unit=unit)
                    if not (held >= now):
                        history.append(("hold", held, head, state, "on_hold"))
                        held_from, state = state, "on_hold"
                    break
                if target in ("handling", "dispatched"):
                    break
                span_h = (handle_due - accepted) / H
                feedback = accepted + int(
                    span_h
                    * H
                    * (rng.uniform(0.1, 0.95) if rng.random() > 0.08 else rng.uniform(1.05, 1.8))
                )
                if feedback >= now:
                    feedback = None
                    break
                history.append(
                    (
                        "dispatch_done" if dispatched else "report_result",
                        feedback,
                        self.dispatchers[0] if dispatched else handler,
                        state,
                        "feedback",
                    )
                )
                state = "feedback"
                step, step_start, (due, warn) = (
                    "check",
                    feedback,
                    self.due(feedback, cat.verify_limit, unit),
                )
                if target == "feedback":
                    break
                closed = feedback + rng.randint(H, 30 * H)
                if closed >= now:
                    closed = None
                    break
                if rng.random() < 0.04:
                    back = closed
                    history.append(("send_back", back, head, "feedback", "handling"))
                    feedback = back + rng.randint(2 * H, 48 * H)
                    history.append(
                        ("report_result", feedback, handler or head, "handling", "feedback")
                    )
                    closed = feedback + rng.randint(H, 20 * H)
                    if closed >= now:
                        closed = None
                        state = "feedback"
                        break
                closed_by = head if handler != head else self.dispatchers[0]
                outcome = rng.choices(
                    ["solved", "partly_solved", "cannot_solve_now", "not_responsible"],
                    weights=[86, 7, 4, 3],
                )[0]
                on_time = feedback <= handle_due
                score = {
                    "solved": 100,
                    "partly_solved": 70,
                    "cannot_solve_now": 50,
                    "not_responsible": 60,
                }[outcome] - (0 if on_time else 20)
                history.append(("close", closed, closed_by, "feedback", "closed"))
                state = "closed"
                break
            if state in ("closed", "voided"):
                step = ""
                if handle_due:
                    due, warn = handle_due, handle_warn
            if state == "on_hold":
                step = "handle"
            states[state] = states.get(state, 0) + 1
            urgency = cat.urgency
            incident_rows.append(
                "\t".join(
                    (
                        str(pk),
                        number,
                        str(uuid.UUID(int=rng.getrandbits(128), version=4))
                        if source == "grid_member"
                        else NULL,
                        source,
                        external,
                        "",
                        state,
                        outcome,
                        "" if outcome in ("solved", "") else "需进一步协调，已向群众说明。",
                        str(cat.pk),
                        cat.code,
                        urgency,
                        esc(rng.choice(DESCRIPTIONS)),
                        "",
                        f"{lat:.7f}",
                        f"{lng:.7f}",
                        "gps",
                        str(village_id) if village_id else NULL,
                        str(grid_id),
                        NULL,
                        str(reporter) if reporter else NULL,
                        "来电人" if source == "hotline" else "",
                        "",
                        "f",
                        self.ts(reported),
                        self.ts(verified),
                        str(verified_by) if verified_by and verified else NULL,
                        "",
                        self.ts(accepted),
                        str(accepted_by) if accepted_by and accepted else NULL,
                        str(handler) if handler else NULL,
                        self.ts(handle_started),
                        self.ts(feedback),
                        "已处置。" if feedback else "",
                        self.ts(closed),
                        str(closed_by) if closed_by and closed else NULL,
                        self.ts(voided),
                        void_reason,
                        "现场核实不属实。" if voided else "",
                        NULL,
                        "0",
                        held_from,
                        step,
                        self.ts(step_start),
                        str(len(history)),
                        self.ts(due),
                        self.ts(warn),
                        self.ts(handle_due),
                        NULL,
                        "0",
                        NULL if on_time is None else ("t" if on_time else "f"),
                        NULL if score is None else str(score),
                        self.ts(reported),
                        self.ts(history[-1][1]),
                    )
                )
            )
            for action, at, actor, before, after in history:
                step_id += 1
                step_rows.append(
                    f"{step_id}\t{pk}\t{self.ts(at)}\t{actor if actor else NULL}\t"
                    f"{esc(labels.get(actor, '来电人' if actor is None else '系统'))}\t{action}\t"
                    f"{before}\t{after}\t\t{{}}"
                )
            if state == "closed" and source == "resident" and rng.random() < 0.4:
                rating_id += 1
                rating_rows.append(
                    f"{rating_id}\t{pk}\t{reporter}\treporter\t"
                    f"{rng.choices([5, 4, 3, 2, 1], weights=[60, 25, 8, 4, 3])[0]}\t\t"
                    f"{self.ts(closed + rng.randint(H, 72 * H))}"
                )
            if len(incident_rows) >= 20_000:
                writer.put("grid_incident", inc_cols, incident_rows)
                writer.put("grid_incidentstep", step_cols, step_rows)
                writer.put("grid_incidentrating", rating_cols, rating_rows)
                incident_rows, step_rows, rating_rows = [], [], []
                if pk % 100_000 == 0:
                    self.log(f"  {pk:,} incidents")
        writer.put("grid_incident", inc_cols, incident_rows)
        writer.put("grid_incidentstep", step_cols, step_rows)
        writer.put("grid_incidentrating", rating_cols, rating_rows)
        writer.put(
            "grid_incidentnumbercounter",
            ["day", "last"],
            [f"{self._day_of(day).isoformat()}\t{last}" for day, last in sorted(counters.items())],
        )
        writer.close()
        self.counts["incidents"] = self.n
        self.counts["history rows"] = step_id
        self.counts["ratings"] = rating_id
        self.counts.update({f"state {k}": v for k, v in sorted(states.items())})

    def _later(self, start: int, limit: int, late_share: float = 0.08, *, unit: str) -> int:
        """A moment within (or, for ``late_share`` of them, after) a step's limit."""
        rng = self.rng
        unit_secs = H if unit == "hours" else 9 * H
        frac = rng.uniform(0.05, 0.9) if rng.random() > late_share else rng.uniform(1.05, 2.0)
        return start + max(60, int(limit * unit_secs * frac))

    def _target(self, age_days: float) -> str:
        rng = self.rng
        if age_days > 60:
            choices, weights = ["closed", "voided", "on_hold"], [92, 7, 1]
        elif age_days > 14:
            choices = [
                "closed",
                "voided",
                "handling",
                "feedback",
                "on_hold",
                "dispatched",
                "accepted",
            ]
            weights = [84, 7, 2, 1, 3, 2, 1]
        else:
            choices = [
                "reported",
                "verified",
                "accepted",
                "handling",
                "dispatched",
                "feedback",
                "on_hold",
                "closed",
                "voided",
            ]
            weights = [12, 10, 8, 25, 8, 12, 2, 18, 5]
        return rng.choices(choices, weights=weights)[0]


def add_arguments(parser) -> None:
    parser.add_argument("--incidents", type=int, default=1_000_000)


def run_part(run) -> dict:
    """The incidents part of ``manage.py generate`` (portal.generate)."""
    count = run.options.get("incidents") or 0
    if count < 1:
        raise ValueError("--incidents must be at least 1")
    result = Generator(
        incidents=count, seed=run.seed, today=run.today, years=run.years, log=run.log
    ).run()
    run.shared["incidents"] = result
    return result
