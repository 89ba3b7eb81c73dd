"""Scale data for the command centre (``manage.py generate``, part "callouts", order 45): the
squads' duty roster (值班) for every day of the period and a week ahead, and N call-outs (出动)
of the squads on duty walked through 1-2-3-45 with the server's stamps, the officers they went
to and their history, plus a few call-outs running at the moment of generation (with the
squads' last positions) so that the board and the map have something to show.

    python manage.py generate --only callouts --callouts 10000

Needs the enforcement part's squads and officers (order 30) and, for the places, the town's
grids (the incidents part makes them; without them the call-outs have no place). Every
generated call-out came in by phone (来源: 来电): enforcement never reads grid's incidents.

What a call-out looks like, drawn from the seed:
- called at a random moment of the period (more lately), to a random squad, going to the two
  officers of that squad on duty that day (the shift leader first) — the same rule as
  ``enforcement.services.callouts.callout_create``;
- responded in ~35 s, accepted 20–90 s later, set out 20–90 s later, on site 5–40 min after
  setting out (within the radius of the place), finished 20–120 min later; about 5 % of each
  step late, so 1-2-3-45 compliance is not a flat 100 %; 3 % stood down (cancelled) early.

Older call-outs are past the escalation window (``CALLOUTS["ESCALATE_WITHIN_HOURS"]``), so
loading history tells nobody anything. Rows go in with COPY (portal.generate.bulk)."""

from __future__ import annotations

import random
import time
import uuid
from datetime import date, datetime, timedelta
from math import cos, radians, sin

from django.conf import settings
from django.db import connection
from django.utils import timezone

from enforcement.models import (
    CallOut,
    CallOutEvent,
    CallOutOfficer,
    CallOutState,
    DutyShift,
    Officer,
    Squad,
)
from portal.areas import geometry
from portal.generate import bulk as loader
from portal.models import Area
from portal.models.areas import AreaKind

TABLES = [
    "enforcement_dutyshift",
    "enforcement_callout",
    "enforcement_calloutofficer",
    "enforcement_calloutevent",
    "enforcement_calloutnumbercounter",
]
WHAT = [
    "群众来电：{place}附近有人占道经营，堵塞通道。",
    "群众来电：{place}有人焚烧垃圾，浓烟较大。",
    "群众来电：{place}工地夜间施工噪声扰民。",
    "群众来电：{place}路边有人违规搭建。",
    "群众来电：{place}河道有人非法捕捞。",
    "群众来电：{place}商户油烟直排，气味刺鼻。",
]
# Share of call-outs that missed each step (beyond its 1-2-3-45 moment).
LATE = {"respond": 0.05, "accept": 0.05, "set_out": 0.06, "on_site": 0.07}
CANCELLED = 0.03


class Generator:
    def __init__(
        self,
        *,
        callouts: int,
        seed: int,
        today: date | None,
        years: int,
        log=print,
        vacuum: bool = True,
    ) -> None:
        self.n = callouts
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.today = today or timezone.localdate(self.now)
        if self.today != timezone.localdate(self.now):
            # a town generated for another day: "now" is that day's 10:00
            self.now = timezone.make_aware(datetime.combine(self.today, datetime.min.time()))
            self.now += timedelta(hours=10)
        self.start = self.today - timedelta(days=365 * years)
        self.log = log
        self.vacuum = vacuum
        self.rows = loader.Rows(
            {
                "enforcement_dutyshift": loader.model_columns(DutyShift),
                "enforcement_callout": loader.model_columns(CallOut),
                "enforcement_calloutofficer": loader.model_columns(CallOutOfficer),
                "enforcement_calloutevent": loader.model_columns(CallOutEvent),
                "enforcement_calloutnumbercounter": ["id", "day", "last"],
            }
        )
        self.timings: dict[str, float] = {}
        minutes = settings.CALLOUTS
        self.limits = {
            "respond": int(minutes["RESPOND_MINUTES"]),
            "accept": int(minutes["ACCEPT_MINUTES"]),
            "set_out": int(minutes["SET_OUT_MINUTES"]),
            "on_site": int(minutes["ON_SITE_MINUTES"]),
        }
        self.radius = int(minutes["RADIUS_M"])

    # --- rows ------------------------------------------------------------------------------

    def _row(self, table: str, row: dict) -> int:
        return self.rows.add(table, row)

    # --- what is there ---------------------------------------------------------------------

    def load(self) -> None:
        self.squads = list(Squad.objects.filter(is_active=True).order_by("code"))
        if not self.squads:
            raise RuntimeError(
                "No squads: run the enforcement part first (--only enforcement --only callouts)."
            )
        self.officers: dict[int, list[Officer]] = {}
        for squad in self.squads:
            people = list(
                Officer.objects.filter(squad=squad, is_active=True)
                .select_related("user")
                .order_by("pk")
            )
            if not people and squad.leader_id is None:
                raise RuntimeError(f"squad {squad.code} has neither officers nor a leader")
            self.officers[squad.pk] = people
        self.places: list[tuple[str, str, float, float]] = []
        grids = Area.objects.filter(kind=AreaKind.GRID, boundary__isnull=False).only(
            "code", "name", "boundary"
        )
        for area in grids.iterator():
            try:
                lng, lat = geometry.label_point(geometry.parse(area.boundary))
            except (ValueError, TypeError, KeyError):
                continue
            self.places.append((area.code, area.name, lat, lng))

    # --- the squads' duty roster -----------------------------------------------------------

    def build_duty(self) -> None:
        """Two officers of each squad on duty every day (the first leads), rotating, for every
        day of the period and the week ahead; days that already have a roster are kept."""
        taken = set(
            DutyShift.objects.filter(day__gte=self.start).values_list("squad_id", "day").distinct()
        )
        self.duty: dict[tuple[int, date], list[Officer]] = {}
        for row in DutyShift.objects.filter(day__gte=self.start).select_related("officer__user"):
            self.duty.setdefault((row.squad_id, row.day), []).append(row.officer)
        day = self.start
        end = self.today + timedelta(days=7)
        index = 0
        while day <= end:
            for squad in self.squads:
                people = self.officers[squad.pk]
                if (squad.pk, day) in taken or not people:
                    continue
                pair = [people[(index * 2) % len(people)], people[(index * 2 + 1) % len(people)]]
                if pair[0].pk == pair[1].pk:
                    pair = pair[:1]
                self.duty[(squad.pk, day)] = pair
                for position, officer in enumerate(pair):
                    self._row(
                        "enforcement_dutyshift",
                        {
                            "squad_id": squad.pk,
                            "day": day,
                            "officer_id": officer.pk,
                            "is_lead": position == 0,
                            "note": "",
                        },
                    )
            index += 1
            day += timedelta(days=1)

    # --- call-outs -------------------------------------------------------------------------

    def _moments(self) -> list[datetime]:
        rng = self.rng
        span = self.now - timezone.make_aware(datetime.combine(self.start, datetime.min.time()))
        seconds = span.total_seconds() - 3 * 3600  # history ends three hours ago
        moments = []
        for _i in range(self.n):
            back = seconds * (1 - rng.random() ** 0.7)  # more call-outs lately
            moments.append(self.now - timedelta(seconds=3 * 3600 + back))
        return sorted(moments)

    def _place(self) -> tuple[str, str, float | None, float | None]:
        if not self.places:
            return "", "", None, None
        code, name, lat, lng = self.rng.choice(self.places)
        # somewhere in the grid, within ~300 m of its label point
        lat += self.rng.uniform(-0.0027, 0.0027)
        lng += self.rng.uniform(-0.003, 0.003)
        return code, name, round(lat, 6), round(lng, 6)

    def _near(self, lat, lng, metres: float) -> tuple[float | None, float | None]:
        if lat is None:
            return None, None
        angle = self.rng.uniform(0, 6.283)
        return (
            round(lat + metres * sin(angle) / 110_574, 6),
            round(lng + metres * cos(angle) / (111_320 * cos(radians(lat))), 6),
        )

    def _step_times(self, called: datetime) -> dict[str, datetime]:
        """When each step was done: on time mostly, a few late (LATE), always in order."""
        rng = self.rng
        late = {step: rng.random() < share for step, share in LATE.items()}
        due = {s: called + timedelta(minutes=m) for s, m in self.limits.items()}

        def after(step: str, previous: datetime, on_time: tuple[float, float]) -> datetime:
            if late[step]:
                return max(due[step], previous) + timedelta(seconds=rng.uniform(1, 120))
            moment = previous + timedelta(seconds=rng.uniform(*on_time))
            return min(moment, due[step] - timedelta(seconds=1))

        respond = after("respond", called, (8, 50))
        accept = after("accept", respond, (10, 40))
        set_out = after("set_out", accept, (10, 40))
        on_site = after("on_site", set_out, (5 * 60, 38 * 60))
        # a step that had to be squeezed before its moment still follows the one before it
        accept = max(accept, respond + timedelta(seconds=1))
        set_out = max(set_out, accept + timedelta(seconds=1))
        on_site = max(on_site, set_out + timedelta(seconds=60))
        finish = on_site + timedelta(minutes=rng.uniform(20, 120))
        return {
            "respond": respond,
            "accept": accept,
            "set_out": set_out,
            "on_site": on_site,
            "finish": finish,
        }

    def build_callouts(self) -> None:
        moments = self._moments()
        running = [self.now - timedelta(minutes=m) for m in (0.5, 2.5, 9, 31)]
        self.seq: dict[date, int] = {}
        for i, called in enumerate(moments, 1):
            self._callout(called, cut=None)
            if i % 5000 == 0:
                self.rows.flush()
        for index, called in enumerate(running):
            # running now: cut after 0, 1, 3 or 3 steps (the last with a moving position)
            self._callout(called, cut=(0, 1, 3, 3)[index])

    def _callout(self, called: datetime, *, cut: int | None) -> None:
        rng = self.rng
        local_day = timezone.localdate(called)
        squad = rng.choice(self.squads)
        officers = self.duty.get((squad.pk, local_day), [])
        if not officers and squad.leader_id is None:
            return
        self.seq[local_day] = self.seq.get(local_day, 0) + 1
        number = f"CD{local_day:%Y%m%d}{self.seq[local_day]:04d}"
        code, name, lat, lng = self._place()
        what = rng.choice(WHAT).format(place=name or "镇区")
        dues = {s: called + timedelta(minutes=m) for s, m in self.limits.items()}
        times = self._step_times(called)
        doer = officers[0] if officers else None
        doer_user = doer.user_id if doer else squad.leader_id
        doer_label = (doer.user.display_name if doer else "中队长")[:128]
        steps = ["respond", "accept", "set_out", "on_site"]
        cancelled = cut is None and rng.random() < CANCELLED
        done = (
            steps[: rng.choice((0, 1, 2))] if cancelled else (steps if cut is None else steps[:cut])
        )
        state = {
            0: CallOutState.CALLED,
            1: CallOutState.RESPONDED,
            2: CallOutState.ACCEPTED,
            3: CallOutState.SET_OUT,
            4: CallOutState.ON_SITE,
        }[len(done)]
        on_site_lat = on_site_lng = distance = None
        last_lat = last_lng = last_at = None
        if "on_site" in done:
            distance = int(rng.uniform(10, min(self.radius, 400)))
            on_site_lat, on_site_lng = self._near(lat, lng, distance)
            last_lat, last_lng, last_at = on_site_lat, on_site_lng, times["on_site"]
        elif cut == 3 and lat is not None:
            # on the way: 1.5 km off, last heard a minute ago
            last_lat, last_lng = self._near(lat, lng, 1500)
            last_at = self.now - timedelta(minutes=1)
        finished_at = cancelled_at = None
        cancel_reason = result_note = ""
        if cancelled:
            cancelled_at = called + timedelta(minutes=rng.uniform(1, 6))
            for step in done:
                times[step] = min(times[step], cancelled_at - timedelta(seconds=5))
            state = CallOutState.CANCELLED
            cancel_reason = "报警人来电称已自行解决。"
        elif cut is None:
            finished_at = times["finish"]
            state = CallOutState.FINISHED
            result_note = "已到场处置，当事人已整改。"
        stamp = {s: (times[s] if s in done else None) for s in steps}
        by = {s: (doer_user if s in done else None) for s in steps}
        updated = max(
            [
                called,
                *(t for t in stamp.values() if t),
                *(t for t in (finished_at, cancelled_at, last_at) if t),
            ]
        )
        callout_id = self._row(
            "enforcement_callout",
            {
                "number": number,
                "client_uuid": uuid.UUID(int=rng.getrandbits(128)),
                "squad_id": squad.pk,
                "department_id": None,
                "person_id": None,
                "source": "call",
                "source_ref": "",
                "description": what,
                "address": name,
                "lat": lat,
                "lng": lng,
                "area_code": code,
                "radius_m": self.radius,
                "state": state,
                "called_at": called,
                "called_by_id": self.dispatcher,
                "caller_label": self.dispatcher_label,
                **{f"{s}_due_at": dues[s] for s in steps},
                "responded_at": stamp["respond"],
                "responded_by_id": by["respond"],
                "accepted_at": stamp["accept"],
                "accepted_by_id": by["accept"],
                "set_out_at": stamp["set_out"],
                "set_out_by_id": by["set_out"],
                "on_site_at": stamp["on_site"],
                "on_site_by_id": by["on_site"],
                "on_site_lat": on_site_lat,
                "on_site_lng": on_site_lng,
                "on_site_distance_m": distance,
                "last_lat": last_lat,
                "last_lng": last_lng,
                "last_position_at": last_at,
                "finished_at": finished_at,
                "result_note": result_note,
                "cancelled_at": cancelled_at,
                "cancel_reason": cancel_reason,
                "created_at": called,
                "updated_at": updated,
            },
        )
        for position, officer in enumerate(officers):
            self._row(
                "enforcement_calloutofficer",
                {"callout_id": callout_id, "officer_id": officer.pk, "is_lead": position == 0},
            )
        events = [
            (
                called,
                self.dispatcher,
                self.dispatcher_label,
                "call",
                "",
                "called",
                None,
                lat,
                lng,
                "",
                {"squad": squad.code, "officers": [o.pk for o in officers], "source_ref": ""},
            )
        ]
        before = "called"
        actions = {"respond": "respond", "accept": "accept", "set_out": "set_out"}
        for step in done:
            after = {
                "respond": "responded",
                "accept": "accepted",
                "set_out": "set_out",
                "on_site": "on_site",
            }[step]
            data = {"distance_m": distance} if step == "on_site" else {}
            point = (on_site_lat, on_site_lng) if step == "on_site" else (None, None)
            events.append(
                (
                    stamp[step],
                    doer_user,
                    doer_label,
                    actions.get(step, "arrive"),
                    before,
                    after,
                    stamp[step] <= dues[step],
                    *point,
                    "",
                    data,
                )
            )
            before = after
        if finished_at:
            events.append(
                (
                    finished_at,
                    doer_user,
                    doer_label,
                    "finish",
                    before,
                    "finished",
                    None,
                    None,
                    None,
                    result_note,
                    {},
                )
            )
        if cancelled_at:
            events.append(
                (
                    cancelled_at,
                    self.dispatcher,
                    self.dispatcher_label,
                    "cancel",
                    before,
                    "cancelled",
                    None,
                    None,
                    None,
                    cancel_reason,
                    {},
                )
            )
        for at, actor, label, action, frm, to, on_time, elat, elng, note, data in events:
            self._row(
                "enforcement_calloutevent",
                {
                    "callout_id": callout_id,
                    "at": at,
                    "actor_id": actor,
                    "actor_label": label,
                    "action": action,
                    "from_state": frm,
                    "to_state": to,
                    "on_time": on_time,
                    "lat": elat,
                    "lng": elng,
                    "note": note,
                    "data": data,
                },
            )

    def write_counters(self) -> None:
        for day, last in sorted(self.seq.items()):
            self._row("enforcement_calloutnumbercounter", {"day": day, "last": last})

    # --- the run ---------------------------------------------------------------------------

    def run(self) -> dict:
        if connection.vendor != "postgresql":
            raise RuntimeError("The generator loads with COPY: it needs PostgreSQL.")
        if CallOut.objects.exists():
            raise RuntimeError("This database already holds call-outs: generate into an empty one.")
        from portal import roles
        from portal.models import User

        total = time.perf_counter()
        self.load()
        dispatcher = (
            User.objects.filter(groups__name=roles.DISPATCHER, is_active=True)
            .order_by("pk")
            .first()
        )
        self.dispatcher = dispatcher.pk if dispatcher else None
        self.dispatcher_label = (dispatcher.display_name if dispatcher else "指挥中心")[:128]

        def build() -> None:
            t = time.perf_counter()
            self.build_duty()
            self.timings["duty roster"] = round(time.perf_counter() - t, 1)
            t = time.perf_counter()
            self.build_callouts()
            self.write_counters()
            self.timings["call-outs"] = round(time.perf_counter() - t, 1)

        self.timings.update(loader.load(self.rows, build, vacuum=self.vacuum))
        self.timings["total"] = round(time.perf_counter() - total, 1)
        return {"counts": self.rows.counts, "timings": self.timings}


def add_arguments(parser) -> None:
    parser.add_argument(
        "--callouts",
        type=int,
        default=10_000,
        help="squad call-outs (出动) over the period, plus four running now",
    )


def run_part(run) -> dict:
    count = loader.count_option(run, "callouts", 10_000)
    result = Generator(
        callouts=count, seed=run.seed + 45, today=run.today, years=run.years, log=run.log
    ).run()
    run.shared["callouts"] = result
    return result
