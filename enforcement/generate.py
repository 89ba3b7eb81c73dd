"""Scale data for the enforcement benchmarks (``manage.py generate``, part "enforcement",
order 30): a bureau of 3 squads and 70 officers that has worked N cases over the last years.

    python manage.py generate --only enforcement --enforcement-cases 100000

What it builds, reproducibly from the seed and ``--today``:
- the bureau (the core township of portal.demo if missing, the penalty matters of the register,
  or a dozen of its own when the register has none), 3 squads, 70 officers with certificates
  (a few expiring, a few auxiliaries), a bureau head and a legal reviewer;
- N cases: 80% general procedure, each from a lead (patrol, grid incidents, complaints,
  hotline…), 20% simplified; plus leads that were not filed, transferred, or are still open.
  Each case is walked through the procedure and cut at today, so old cases are closed and the
  recent ones are in every state, with their legal deadlines and current clock computed with
  enforcement.legal (the very functions the services use), two officers each, documents as
  records (numbers per kind and year, frozen context; no PDF is rendered), payments, legal
  reviews of the major ones, publications, and the hash-chained history (verifiable with
  ``manage.py enforcement verify-chain``).

Rows go in with COPY (portal.generate.bulk)."""

from __future__ import annotations

import hashlib
import random
import time
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from approvals.models import Matter
from enforcement import chain, documents, legal
from enforcement.models import (
    Benchmark,
    BenchmarkLevel,
    Case,
    CaseNumberCounter,
    Certificate,
    DocumentCounter,
    LeadNumberCounter,
    Officer,
    Squad,
)
from portal import clock, demo, idnumber, pdf, roles
from portal.generate import bulk as loader
from portal.generate.bulk import NULL, esc, js
from portal.models import Department, StaffProfile, User

TABLES = [
    "enforcement_lead",
    "enforcement_leadevent",
    "enforcement_case",
    "enforcement_caseofficer",
    "enforcement_caseevent",
    "enforcement_document",
    "enforcement_payment",
    "enforcement_publication",
    "enforcement_legalreview",
]
SOURCES = ["patrol", "grid_incident", "grid_incident", "complaint", "hotline", "referral"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢钟姜崔谭陆范汪廖石金"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌辉鹏飞云峰亮海燕琴宇浩凯"
FACTS = [
    "在人行道上摆摊经营，占用人行道约{n}平方米。",
    "未经批准设置户外广告牌一处，面积约{n}平方米。",
    "在禁渔期使用地笼网捕捞，渔获约{n}公斤。",
    "露天焚烧秸秆约{n}捆，产生大量烟尘。",
    "餐馆未安装油烟净化设施，油烟直排，影响周边{n}户居民。",
    "未取得营业执照从事经营活动，经营约{n}天。",
]


def _name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


class _Memo:
    """A module's functions, each memoised on first use (the legal periods of a case are
    computed from a few thousand distinct dates; a generator run computes them a million
    times). One per run: settings read by the periods may differ between runs."""

    def __init__(self, module):
        self._module = module

    def __getattr__(self, name):
        found = cache(getattr(self._module, name))
        setattr(self, name, found)
        return found


@cache
def _wd(start: date, days: int) -> date:
    from portal import workdays

    return workdays.add_working_days(start, days)


class Generator:
    def __init__(self, *, cases: int, seed: int, today: date | None, years: int, log=print):
        self.n = cases
        self.rng = random.Random(seed)
        self.today = today or timezone.localdate()
        self.start = self.today - timedelta(days=365 * years)
        self.log = log
        self.counts: dict[str, int] = {}
        self.timings: dict[str, float] = {}
        self.ids = {t: loader.next_id(t) for t in TABLES}
        self.lines = {t: [] for t in TABLES}
        self.doc_seq: dict[tuple[str, int], int] = {}
        self.lead_seq: dict[int, int] = {}
        self.case_seq: dict[int, int] = {}
        self.now = timezone.now()
        self.legal = _Memo(legal)
        self.clock = _Memo(clock)
        self.writer: loader.CopyWriter | None = None

    # --- the bureau ----------------------------------------------------------------------------

    def build_bureau(self) -> None:
        if not Department.objects.filter(code="ZHZFJ").exists():
            demo.seed_core()
        roles.sync_roles()
        self.bureau = Department.objects.get(code="ZHZFJ")
        matters = list(
            Matter.objects.filter(kind=Matter.Kind.PENALTY, status=Matter.Status.PUBLISHED)
        )
        if not matters:
            for i in range(12):
                matters.append(
                    Matter.objects.create(
                        code=f"GEN-CF-{i + 1:03d}",
                        version=1,
                        status=Matter.Status.PUBLISHED,
                        valid_from=self.start - timedelta(days=1),
                        name=f"行政处罚事项{i + 1}",
                        kind=Matter.Kind.PENALTY,
                        delegation_mode=Matter.DelegationMode.DIRECT,
                        handling_department=self.bureau,
                        statutory_days=90,
                        committed_days=60,
                        legal_basis="《中华人民共和国行政处罚法》",
                    )
                )
        self.matters = matters
        for matter in matters:
            if not Benchmark.objects.filter(matter_code=matter.code).exists():
                b = Benchmark.objects.create(
                    matter_code=matter.code,
                    violation=matter.name[:300],
                    penalty_provision=matter.legal_basis,
                    legal_min=Decimal("0"),
                    legal_max=Decimal("30000"),
                )
                BenchmarkLevel.objects.bulk_create(
                    [
                        BenchmarkLevel(
                            benchmark=b, circumstance=c, fine_min=Decimal(lo), fine_max=Decimal(hi)
                        )
                        for c, lo, hi in (
                            ("lighter", 50, 200),
                            ("ordinary", 200, 2000),
                            ("heavier", 2000, 30000),
                        )
                    ]
                )
        group = {r: Group.objects.get(name=r) for r in roles.ALL}
        password = loader.password_hash(None)
        self.squads = []
        self.officers: dict[int, list[Officer]] = {}
        for code, name in (("ZD1", "第一中队"), ("ZD2", "第二中队"), ("ZD3", "第三中队")):
            squad, _c = Squad.objects.get_or_create(code=code, defaults={"name": name})
            self.squads.append(squad)
        made = Officer.objects.count()
        people = []
        for i in range(made, 70):
            squad = self.squads[i % 3]
            role = roles.SQUAD_LEADER if i < 3 else roles.ENFORCEMENT_OFFICER
            user = User(
                username=f"gen-zf{i:03d}",
                real_name=_name(self.rng),
                password=password,
                mobile=f"1370000{i:04d}",
            )
            people.append((user, squad, role, i))
        User.objects.bulk_create([p[0] for p in people])
        for user, squad, role, i in people:
            user.groups.add(group[role])
            StaffProfile.objects.create(user=user, department=self.bureau)
            kind = Officer.Kind.AUXILIARY if i % 17 == 16 else Officer.Kind.OFFICER
            officer = Officer.objects.create(user=user, squad=squad, kind=kind)
            if kind == Officer.Kind.OFFICER:
                Certificate.objects.create(
                    officer=officer,
                    number=f"GEN{i:05d}",
                    issuing_body="萍乡市人民政府",
                    valid_from=self.start - timedelta(days=365),
                    valid_to=self.today + timedelta(days=10 + i * 20),
                )
            if role == roles.SQUAD_LEADER and squad.leader_id is None:
                squad.leader = user
                squad.save(update_fields=["leader"])
        for squad in self.squads:
            self.officers[squad.pk] = list(
                Officer.objects.filter(
                    squad=squad, kind=Officer.Kind.OFFICER, is_active=True
                ).select_related("user")
            )
        self.head = User.objects.filter(groups__name=roles.BUREAU_HEAD).first()
        if self.head is None:
            self.head = User.objects.create(
                username="gen-head", real_name="局长", password=password
            )
            self.head.groups.add(group[roles.BUREAU_HEAD])
            StaffProfile.objects.create(
                user=self.head, department=self.bureau, is_department_head=True
            )
        self.reviewer = User.objects.filter(groups__name=roles.LEGAL_REVIEWER).first()
        if self.reviewer is None:
            self.reviewer = User.objects.create(
                username="gen-legal", real_name="法制员", password=password
            )
            self.reviewer.groups.add(group[roles.LEGAL_REVIEWER])
            StaffProfile.objects.create(user=self.reviewer, department=self.bureau)

    # --- rows ------------------------------------------------------------------------------------

    def _id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] += 1
        return value

    def _row(self, table: str, values) -> None:
        if len(values) != len(COLUMNS[table]):
            raise RuntimeError(f"{table}: {len(values)} values for {len(COLUMNS[table])} columns")
        self.lines[table].append("\t".join(NULL if v is None else str(v) for v in values))

    def _at(self, day: date, hour: int = 10) -> datetime:
        return timezone.make_aware(
            datetime(day.year, day.month, day.day, hour, self.rng.randint(0, 59))
        )

    def _doc(self, case_id, case_number, kind: str, day: date) -> str:
        key = (kind, day.year)
        self.doc_seq[key] = self.doc_seq.get(key, 0) + 1
        n = self.doc_seq[key]
        number = documents.make_number(kind, day.year, n)
        context = {
            "kind": kind,
            "title": documents.title(kind),
            "number": number,
            "case_number": case_number,
            "issued_on": day.isoformat(),
            "issued_on_text": pdf.chinese_date(day),
            "rows": [],
            "paragraphs": [],
            "items": [],
            "officers": [],
            "addressee": "",
            "sign_lines": [],
            "qr_url": "",
            "qr_caption": "",
            "bureau": "下埠镇综合行政执法局",
        }
        self._row(
            "enforcement_document",
            [
                self._id("enforcement_document"),
                case_id,
                NULL,
                kind,
                number,
                day.year,
                n,
                self._at(day).isoformat(),
                self.head.pk,
                js(context),
                "",
                uuid.UUID(int=self.rng.getrandbits(128)),
            ],
        )
        return number

    def run(self) -> dict:
        if connection.vendor != "postgresql":
            raise RuntimeError("The generator loads with COPY: it needs PostgreSQL.")
        if Case.objects.exists():
            raise RuntimeError(
                "This database already holds enforcement cases: generate into an empty one."
            )
        total = time.perf_counter()
        with transaction.atomic():
            self.build_bureau()
        t = time.perf_counter()
        triggers_off = False
        try:
            with transaction.atomic():
                triggers_off = loader.set_triggers(False)
                dropped = loader.drop_indexes(TABLES) if self.n >= 50_000 else []
                try:
                    self.build_cases()
                finally:
                    self.flush()
                self.write_counters()
                loader.reset_sequences(TABLES)
                if dropped:
                    loader.create_indexes(dropped)
        finally:
            if triggers_off:
                loader.set_triggers(True)
        self.timings["cases"] = round(time.perf_counter() - t, 1)
        orphans = loader.orphan_foreign_keys(TABLES)
        if orphans:
            raise RuntimeError(f"foreign keys without their row: {orphans}")
        loader.vacuum_analyze(TABLES)
        self.timings["total"] = round(time.perf_counter() - total, 1)
        return {"counts": self.counts, "timings": self.timings}

    def flush(self, final: bool = True) -> None:
        """Send the gathered rows to COPY (in the background: the next cases are made
        meanwhile); ``final`` waits for it, and the connection is free again."""
        columns = COLUMNS
        for table in TABLES:
            lines = self.lines[table]
            if lines:
                if self.writer is None:
                    self.writer = loader.CopyWriter()
                self.writer.put(table, columns[table], lines)
                self.counts[table] = self.counts.get(table, 0) + len(lines)
                self.lines[table] = []
        if final and self.writer is not None:
            writer, self.writer = self.writer, None
            writer.close()

    def write_counters(self) -> None:
        for (kind, year), last in self.doc_seq.items():
            DocumentCounter.objects.update_or_create(kind=kind, year=year, defaults={"last": last})
        for year, last in self.lead_seq.items():
            LeadNumberCounter.objects.update_or_create(year=year, defaults={"last": last})
        for year, last in self.case_seq.items():
            CaseNumberCounter.objects.update_or_create(year=year, defaults={"last": last})

    # --- cases -----------------------------------------------------------------------------------

    def build_cases(self) -> None:
        rng = self.rng
        span = (self.today - self.start).days
        for i in range(self.n):
            # more work lately: the square root bends the dates toward today
            offset = int(span * (rng.random() ** 0.6))
            day = self.start + timedelta(days=offset)
            if day > self.today:
                day = self.today
            if rng.random() < 0.2:
                self.simplified_case(day)
            else:
                self.general_case(day)
                if rng.random() < 0.25:
                    self.lone_lead(day)
            if (i + 1) % 5000 == 0:
                self.flush(final=False)
                self.log(f"  {i + 1:,} cases")

    def _number(self, table_seq: dict, year: int, fmt: str) -> str:
        table_seq[year] = table_seq.get(year, 0) + 1
        return fmt.format(town_code="360313", year=year, seq=table_seq[year])

    def lone_lead(self, day: date) -> None:
        rng = self.rng
        received = self._at(day, 9)
        state = rng.choice(["not_filed", "transferred", "received"])
        if state == "received" and (self.today - day).days > 30:
            state = "not_filed"
        self._lead(received, state, squad=rng.choice(self.squads))

    def _lead(self, received: datetime, state: str, *, squad) -> tuple[int, str, date]:
        rng = self.rng
        lead_id = self._id("enforcement_lead")
        number = self._number(self.lead_seq, received.year, "{town_code}XS{year}{seq:06d}")
        filing_due = self.legal.filing_due(received.date())
        due_at = self.clock.end_of_day(filing_due)
        warn = self.clock.warn_at(due_at, self.legal.limit("filing"))
        source = rng.choice(SOURCES)
        self._row(
            "enforcement_lead",
            [
                lead_id,
                number,
                uuid.UUID(int=rng.getrandbits(128)),
                uuid.UUID(int=rng.getrandbits(128)),
                state,
                source,
                f"SJ{received:%Y%m%d}{lead_id:06d}" if source == "grid_incident" else "",
                esc(rng.choice(FACTS).format(n=rng.randint(2, 30))),
                "下埠镇",
                NULL,
                NULL,
                "",
                NULL,
                NULL,
                "",
                "",
                squad.pk,
                received.isoformat(),
                NULL,
                0,
                filing_due,
                due_at.isoformat(),
                warn.isoformat(),
                js({}),
                NULL,
                NULL,
                received.isoformat() if state != "received" else NULL,
                self.head.pk if state != "received" else NULL,
                "经核查不构成违法。" if state == "not_filed" else "",
                NULL,
                "",
                NULL,
                "区市场监管局" if state == "transferred" else "",
                "不属于本局管辖。" if state == "transferred" else "",
                received.date() if state == "transferred" else NULL,
                NULL,
                "",
            ],
        )
        self._row(
            "enforcement_leadevent",
            [
                self._id("enforcement_leadevent"),
                lead_id,
                received.isoformat(),
                NULL,
                "系统",
                "receive",
                "",
                "received",
                "",
                js({}),
            ],
        )
        return lead_id, number, filing_due

    def general_case(self, day: date) -> None:
        rng = self.rng
        squad = rng.choice(self.squads)
        received = self._at(day, 9)
        lead_id, lead_number, filing_due = self._lead(received, "filed", squad=squad)
        filed_on = min(_wd(day, rng.randint(1, 10)), self.today)
        fine = Decimal(rng.choice((200, 300, 500, 800, 1000, 1500, 2000, 5000, 12000)))
        person = rng.random() < 0.75
        major = fine >= (10000 if person else 100000)
        # how far the case has got by today
        notified = _wd(filed_on, rng.randint(10, 40))
        decided = _wd(notified, rng.randint(6, 15))
        served = _wd(decided, rng.randint(1, 7))
        paid = served + timedelta(days=rng.randint(1, 25))
        closed = paid + timedelta(days=rng.randint(1, 20))
        t = self.today
        if closed <= t and rng.random() < 0.97:
            state = "closed"
        elif paid <= t and rng.random() < 0.5:
            state = "executing"
        elif served <= t:
            state = "executing"
        elif decided <= t:
            state = "decided"
        elif notified <= t:
            state = "notified"
        elif major and rng.random() < 0.5:
            state = "legal_review"
        else:
            state = "investigating"
        if state != "closed":
            paid_done = state == "executing" and paid <= t and rng.random() < 0.6
        else:
            paid_done = True
        decision_due = self.legal.decision_due(filed_on)
        has = {
            "notified": state in ("notified", "decided", "executing", "closed"),
            "decided": state in ("decided", "executing", "closed"),
            "served": state in ("executing", "closed"),
        }
        service_due = self.legal.service_due(decided) if has["decided"] else None
        payment_due = self.legal.payment_due(served) if has["served"] else None
        publication_due = self.legal.publication_due(decided) if has["decided"] else None
        published = has["decided"] and (decided <= t - timedelta(days=10) or rng.random() < 0.5)
        case_id = self._id("enforcement_case")
        number = self._number(self.case_seq, filed_on.year, "{town_code}ZF{year}{seq:06d}")
        # the current deadline, as refresh_clock computes it
        pending = []
        if state in ("investigating", "legal_review", "notified"):
            pending.append(("decision", decision_due))
        if state == "decided":
            pending.append(("service", service_due))
        if state in ("decided", "executing"):
            if not paid_done:
                pending.append(("payment", payment_due or decided))
            if not published:
                pending.append(("publication", publication_due))
        pending = [p for p in pending if p[1] is not None]
        due_kind, due_at, warn_at = "", None, None
        if pending:
            due_kind, due_day = min(pending, key=lambda p: (p[1], p[0]))
            due_at = self.clock.end_of_day(due_day)
            warn_at = self.clock.warn_at(due_at, self.legal.limit(due_kind))
        officers = rng.sample(self.officers[squad.pk], 2)
        matter = rng.choice(self.matters)
        name = _name(rng) if person else f"下埠{_name(rng)}商贸有限公司"
        facts = esc(name + rng.choice(FACTS).format(n=rng.randint(2, 30)))
        events = [("file", "", "investigating", filed_on)]
        if major and state != "investigating":
            events += [("submit_review", "investigating", "legal_review", _wd(filed_on, 5))]
            if state != "legal_review":
                events += [("review_passed", "legal_review", "reviewed", _wd(filed_on, 8))]
        if has["notified"]:
            events += [("notify", "reviewed" if major else "investigating", "notified", notified)]
        if has["decided"]:
            events += [("decide", "notified", "decided", decided)]
        if has["served"]:
            events += [("serve", "decided", "executing", served)]
        if paid_done and has["served"]:
            events += [("payment", "executing", "executing", min(paid, t))]
        if state == "closed":
            events += [("close", "executing", "closed", closed)]
        chain_head = self._events(case_id, number, events)
        self._row(
            "enforcement_case",
            [
                case_id,
                number,
                uuid.UUID(int=rng.getrandbits(128)),
                NULL,
                "general",
                state,
                lead_id,
                squad.pk,
                matter.pk,
                "person" if person else "organisation",
                esc(name),
                _id_number(rng) if person else "",
                "" if person else _credit(rng),
                "",
                "萍乡市湘东区下埠镇",
                "",
                facts,
                "下埠镇",
                NULL,
                NULL,
                "",
                NULL,
                js(["fine"]),
                fine,
                NULL,
                "ordinary",
                js({}),
                "",
                "",
                1,
                "f",
                js(["large_fine"] if major else []),
                "f",
                "f",
                filed_on,
                self.head.pk,
                filing_due,
                decision_due,
                0,
                0,
                "f",
                notified if has["notified"] else NULL,
                fine if has["notified"] else NULL,
                js(["fine"] if has["notified"] else []),
                self.legal.statement_due(notified) if has["notified"] else NULL,
                NULL,
                "penalty" if has["decided"] else "",
                decided if has["decided"] else NULL,
                self.head.pk if has["decided"] else NULL,
                "",
                NULL,
                service_due,
                served if has["served"] else NULL,
                "hand" if has["served"] else "",
                payment_due,
                fine if paid_done else Decimal("0.00"),
                min(paid, t) if paid_done else NULL,
                publication_due,
                closed if state == "closed" else NULL,
                "已结案。" if state == "closed" else "",
                NULL,
                due_at.isoformat() if due_at else NULL,
                warn_at.isoformat() if warn_at else NULL,
                due_kind,
                chain_head,
                self.head.pk,
                self.now.isoformat(),
                self.now.isoformat(),
            ],
        )
        for role, officer in zip(("lead", "assist"), officers, strict=True):
            self._row(
                "enforcement_caseofficer",
                [self._id("enforcement_caseofficer"), case_id, officer.pk, role, filed_on],
            )
        self._doc(case_id, number, "filing_approval", filed_on)
        if has["notified"]:
            self._doc(case_id, number, "penalty_notice", notified)
        if has["decided"]:
            self._doc(case_id, number, "penalty_decision", decided)
            pub_status = "published" if published else "pending"
            self._row(
                "enforcement_publication",
                [
                    self._id("enforcement_publication"),
                    case_id,
                    pub_status,
                    publication_due,
                    self._at(decided + timedelta(days=3)).isoformat() if published else NULL,
                    self.head.pk if published else NULL,
                    js({"case_number": number}),
                    self.legal.add_months(decided, 24 if person else 60) if published else NULL,
                    NULL,
                    "",
                ],
            )
        if has["served"]:
            self._doc(case_id, number, "service_receipt", served)
        if paid_done and has["served"]:
            self._row(
                "enforcement_payment",
                [
                    self._id("enforcement_payment"),
                    case_id,
                    uuid.UUID(int=rng.getrandbits(128)),
                    fine,
                    Decimal("0.00"),
                    min(paid, t),
                    "bank",
                    f"JK{case_id:08d}",
                    NULL,
                    NULL,
                    NULL,
                    self.now.isoformat(),
                ],
            )
        if state == "closed":
            self._doc(case_id, number, "closing_approval", closed)
        if major and state != "investigating":
            reviewed = state != "legal_review"
            self._row(
                "enforcement_legalreview",
                [
                    self._id("enforcement_legalreview"),
                    case_id,
                    1,
                    self._at(_wd(filed_on, 5)).isoformat(),
                    officers[0].user_id,
                    _wd(_wd(filed_on, 5), 10),
                    self.reviewer.pk if reviewed else NULL,
                    "agree" if reviewed else "",
                    "",
                    self._at(_wd(filed_on, 8)).isoformat() if reviewed else NULL,
                ],
            )

    def simplified_case(self, day: date) -> None:
        rng = self.rng
        squad = rng.choice(self.squads)
        officers = rng.sample(self.officers[squad.pk], 2)
        fine = Decimal(rng.choice((20, 50, 50, 100, 100, 200)))
        case_id = self._id("enforcement_case")
        number = self._number(self.case_seq, day.year, "{town_code}ZF{year}{seq:06d}")
        closed = day + timedelta(days=rng.randint(0, 15))
        state = "closed" if closed <= self.today else "executing"
        payment_due = self.legal.payment_due(day)
        due_at = warn_at = None
        due_kind = ""
        if state == "executing":
            due_kind = "payment"
            due_at = self.clock.end_of_day(payment_due)
            warn_at = self.clock.warn_at(due_at, self.legal.limit("payment"))
        events = [("simplified", "", "executing", day)]
        if state == "closed":
            events += [
                ("payment", "executing", "executing", closed),
                ("close", "executing", "closed", closed),
            ]
        chain_head = self._events(case_id, number, events)
        name = _name(rng)
        self._row(
            "enforcement_case",
            [
                case_id,
                number,
                uuid.UUID(int=rng.getrandbits(128)),
                uuid.UUID(int=rng.getrandbits(128)),
                "simplified",
                state,
                NULL,
                squad.pk,
                rng.choice(self.matters).pk,
                "person",
                name,
                _id_number(rng),
                "",
                "",
                "萍乡市湘东区下埠镇",
                "",
                esc(name + "乱扔垃圾，经劝阻拒不改正。"),
                "下埠集市",
                NULL,
                NULL,
                "",
                NULL,
                js(["fine"]),
                fine,
                NULL,
                "lighter",
                js({}),
                "",
                "",
                1,
                "f",
                js([]),
                "f",
                "f",
                day,
                NULL,
                NULL,
                NULL,
                0,
                0,
                "f",
                NULL,
                NULL,
                js([]),
                NULL,
                NULL,
                "penalty",
                day,
                officers[0].user_id,
                "",
                NULL,
                NULL,
                day,
                "on_the_spot",
                payment_due,
                fine if state == "closed" else Decimal("0.00"),
                closed if state == "closed" else NULL,
                NULL,
                closed if state == "closed" else NULL,
                "当场处罚已履行。" if state == "closed" else "",
                self._at(day).isoformat(),
                due_at.isoformat() if due_at else NULL,
                warn_at.isoformat() if warn_at else NULL,
                due_kind,
                chain_head,
                officers[0].user_id,
                self.now.isoformat(),
                self.now.isoformat(),
            ],
        )
        for role, officer in zip(("lead", "assist"), officers, strict=True):
            self._row(
                "enforcement_caseofficer",
                [self._id("enforcement_caseofficer"), case_id, officer.pk, role, day],
            )
        self._doc(case_id, number, "on_the_spot_decision", day)
        if state == "closed":
            self._row(
                "enforcement_payment",
                [
                    self._id("enforcement_payment"),
                    case_id,
                    uuid.UUID(int=rng.getrandbits(128)),
                    fine,
                    Decimal("0.00"),
                    closed,
                    "bank",
                    f"JK{case_id:08d}",
                    NULL,
                    NULL,
                    NULL,
                    self.now.isoformat(),
                ],
            )

    def _events(self, case_id: int, number: str, events) -> str:
        prev = chain.GENESIS
        for seq, (action, before, after, day) in enumerate(events, start=1):
            at = self._at(day, 9 + seq)
            data = {}
            digest = chain.entry_hash(
                case_number=number,
                seq=seq,
                at=at,
                actor_label="系统",
                action=action,
                from_state=before,
                to_state=after,
                note="",
                data=data,
                prev_hash=prev,
            )
            self._row(
                "enforcement_caseevent",
                [
                    self._id("enforcement_caseevent"),
                    case_id,
                    seq,
                    at.isoformat(),
                    NULL,
                    "系统",
                    action,
                    before,
                    after,
                    "",
                    js(data),
                    prev,
                    digest,
                ],
            )
            prev = digest
        return prev


def _id_number(rng) -> str:
    first = f"360313{rng.randint(1950, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return first + idnumber.check_character(first)


def _credit(rng) -> str:
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    first = "91360313" + "".join(rng.choice(chars) for _ in range(9))
    return first + idnumber.credit_code_check_character(first)


def _columns(model, exclude=()) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if f.column not in exclude]


def _lazy_columns() -> dict[str, list[str]]:
    from enforcement.models import (
        CaseEvent,
        CaseOfficer,
        Document,
        Lead,
        LeadEvent,
        LegalReview,
        Payment,
        Publication,
    )

    return {
        "enforcement_lead": _columns(Lead),
        "enforcement_leadevent": _columns(LeadEvent),
        "enforcement_case": _columns(Case),
        "enforcement_caseofficer": _columns(CaseOfficer),
        "enforcement_caseevent": _columns(CaseEvent),
        "enforcement_document": _columns(Document),
        "enforcement_payment": _columns(Payment),
        "enforcement_publication": _columns(Publication),
        "enforcement_legalreview": _columns(LegalReview),
    }


class _Columns(dict):
    def __missing__(self, key):
        self.update(_lazy_columns())
        return dict.__getitem__(self, key)


COLUMNS = _Columns()


def add_arguments(parser) -> None:
    parser.add_argument(
        "--enforcement-cases",
        type=int,
        default=100_000,
        help="enforcement cases (80%% general with their leads, 20%% simplified)",
    )


def run_part(run) -> dict:
    cases = run.options.get("enforcement_cases") or 100_000
    result = Generator(
        cases=cases, seed=run.seed + 14, today=run.today, years=run.years, log=run.log
    ).run()
    run.shared["enforcement"] = result
    return result


__all__ = ["hashlib"]
