"""Scale data for the command centre (``manage.py generate``, part "centre", order 50): the
dispatchers, their duty roster (值班) for every shift of the period and the fortnight ahead, and
the handover note (交接班) every past shift left for the next, acknowledged by the next
shift's leader a few minutes later.

    python manage.py generate --only centre --dispatchers 8

Runs after the other parts (the call-outs come from enforcement's part "callouts"); into a
database without a roster. The shifts are settings.CENTRE["SHIFTS"]; two dispatchers a shift,
the first leads, rotating through the team. Rows go in with COPY (portal.generate.bulk)."""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta

from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from centre.models import DispatcherDuty, Handover
from centre.selectors import duty as duty_sel
from portal import roles
from portal.generate import bulk as loader
from portal.models import Department, StaffProfile, User

TABLES = ["centre_dispatcherduty", "centre_handover"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌辉鹏飞云峰亮"
NOTES = [
    "本班受理事件{a}件，其中紧急{b}件，均已分拨；{c}号网格的占道经营事件请下一班跟进回访。",
    "本班出动{b}次，均按时到场；城管第一中队反映车辆故障一台，已报修。",
    "{c}号网格停水，已通知供水公司，预计明早恢复，请接班后核实。",
    "本班督办超期工单{b}件；行政审批局有{a}件办件今日到期，已电话提醒。",
    "系统运行正常，无遗留事项。",
]


class Generator:
    def __init__(
        self,
        *,
        dispatchers: int,
        seed: int,
        today: date | None,
        years: int,
        log=print,
        vacuum: bool = True,
    ):
        self.want = dispatchers
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.today = today or timezone.localdate(self.now)
        if self.today != timezone.localdate(self.now):
            self.now = timezone.make_aware(datetime.combine(self.today, datetime.min.time()))
            self.now += timedelta(hours=10)
        self.start = self.today - timedelta(days=365 * years)
        self.log = log
        self.vacuum = vacuum
        self.rows = loader.Rows(
            {
                "centre_dispatcherduty": loader.model_columns(DispatcherDuty),
                "centre_handover": loader.model_columns(Handover),
            }
        )
        self.timings: dict[str, float] = {}

    def _row(self, table: str, row: dict) -> int:
        return self.rows.add(table, row)

    def team(self) -> list[User]:
        """The active dispatchers, topped up to ``--dispatchers`` (log-ins gen-dd01…)."""
        group = Group.objects.get(name=roles.DISPATCHER)
        people = list(duty_sel.dispatchers())
        centre = Department.objects.filter(code="ZHZX").first()
        password = loader.password_hash(None)
        for i in range(len(people), self.want):
            name = self.rng.choice(SURNAMES) + "".join(
                self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2)))
            )
            user = User.objects.create(
                username=f"gen-dd{i + 1:02d}",
                real_name=name,
                password=password,
                mobile=f"1360000{i:04d}",
            )
            user.groups.add(group)
            if centre is not None:
                StaffProfile.objects.create(user=user, department=centre)
            people.append(user)
        if not people:
            raise RuntimeError("--dispatchers must be at least 1")
        return people

    def build(self, people: list[User]) -> None:
        shifts = duty_sel.shifts()
        if not shifts:
            raise RuntimeError('settings.CENTRE["SHIFTS"] names no shift')
        end = self.today + timedelta(days=14)
        day = self.start
        slot_index = 0
        previous = None
        while day <= end:
            for shift in shifts:
                start, finish = shift.bounds(day)
                # a pair per shift, walking through the team
                first = people[(slot_index * 2) % len(people)]
                second = people[(slot_index * 2 + 1) % len(people)]
                pair = [first] if first.pk == second.pk else [first, second]
                slot_index += 1
                for position, user in enumerate(pair):
                    self._row(
                        "centre_dispatcherduty",
                        {
                            "day": day,
                            "shift": shift.name,
                            "user_id": user.pk,
                            "is_lead": position == 0,
                            "note": "",
                            "created_at": self.now,
                        },
                    )
                if previous is not None:
                    self._handover(previous, pair[0], day, shift)
                previous = (pair, (start, finish), day, shift.name)
            day += timedelta(days=1)

    def _handover(self, previous, next_lead: User, day: date, shift) -> None:
        """The note of the shift before this one, written at its end when that end is past."""
        pair, (start, finish), prev_day, prev_shift = previous
        written = finish - timedelta(minutes=self.rng.randint(5, 25))
        if written >= self.now:
            return
        acknowledged = finish + timedelta(minutes=self.rng.randint(2, 15))
        text = self.rng.choice(NOTES).format(
            a=self.rng.randint(3, 40), b=self.rng.randint(0, 6), c=self.rng.randint(1, 120)
        )
        done = acknowledged < self.now and next_lead.pk != pair[0].pk
        self._row(
            "centre_handover",
            {
                "day": prev_day,
                "shift": prev_shift,
                "author_id": pair[0].pk,
                "written_at": written,
                "text": text,
                "acknowledged_by_id": next_lead.pk if done else None,
                "acknowledged_at": acknowledged if done else None,
            },
        )

    def run(self) -> dict:
        if connection.vendor != "postgresql":
            raise RuntimeError("The generator loads with COPY: it needs PostgreSQL.")
        if DispatcherDuty.objects.exists() or Handover.objects.exists():
            raise RuntimeError(
                "This database already holds a dispatchers' roster: generate into an empty one."
            )
        total = time.perf_counter()
        people: list[User] = []

        def build() -> None:
            roles.sync_roles()
            people.extend(self.team())
            self.build(people)

        self.timings.update(loader.load(self.rows, build, vacuum=self.vacuum))
        self.rows.counts["dispatchers"] = len(people)
        self.timings["total"] = round(time.perf_counter() - total, 1)
        return {"counts": self.rows.counts, "timings": self.timings}


def add_arguments(parser) -> None:
    parser.add_argument(
        "--dispatchers",
        type=int,
        default=8,
        help="the centre's dispatchers (the existing ones topped up to this many)",
    )


def run_part(run) -> dict:
    wanted = loader.count_option(run, "dispatchers", 8, minimum=1)
    result = Generator(
        dispatchers=wanted, seed=run.seed + 50, today=run.today, years=run.years, log=run.log
    ).run()
    run.shared["centre"] = result
    return result
