"""The demo enforcement bureau (idempotent): three squads with six patrol areas of the town's
map, 20 officers with certificates (one expiring soon) and two auxiliaries, a week of duty,
discretion benchmarks for the demo penalty matters, a register of inspection targets, and leads
and cases in every state — made through the services, so their documents, clocks and history
chains are real. The log-ins `officer` (第一中队) and `squadleader` (its leader) have work;
`bureauhead` approves and decides, `legalreview` reviews."""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from approvals.models import Matter
from enforcement.models import (
    Benchmark,
    BenchmarkLevel,
    Case,
    Certificate,
    DutyShift,
    InspectionTarget,
    Lead,
    Officer,
    PatrolArea,
    Squad,
)
from portal import roles, workdays
from portal.models import Area, AreaKind, Department, StaffProfile, User

NAMESPACE = uuid.UUID("5b0e8f6a-14f0-4b0e-8d3c-6c1f3b9e1400")
SQUADS = [
    ("ZD1", "第一中队", "0799-3610001"),
    ("ZD2", "第二中队", "0799-3610002"),
    ("ZD3", "第三中队", "0799-3610003"),
]
# 石岭村 (the demo grid member's village) lies in the first squad's patrol area.
PATROL_AREAS = [
    ("PQ1", "城区片区", "ZD1"),
    ("PQ2", "石岭片区", "ZD1"),
    ("PQ3", "东部片区", "ZD2"),
    ("PQ4", "北部片区", "ZD2"),
    ("PQ5", "西部片区", "ZD3"),
    ("PQ6", "南部片区", "ZD3"),
]
DEMO_VILLAGE = "360313103202"
NAMES = [
    "郑立新",
    "刘文斌",
    "陈志刚",
    "黄海燕",
    "周建国",
    "吴晓东",
    "孙丽华",
    "朱永强",
    "胡云峰",
    "林国栋",
    "何俊杰",
    "罗世明",
    "高明亮",
    "梁振华",
    "谢宏伟",
    "宋佳琪",
    "唐子轩",
]
# level rows: circumstance, low, high, description
LEVELS = {
    "small": (
        ("none", 0, 0, "初次违法且危害后果轻微并及时改正的"),
        ("lighter", 20, 100, "主动消除或者减轻违法行为危害后果的"),
        ("ordinary", 100, 500, "一般违法情形"),
        ("heavier", 500, 1000, "经责令改正拒不改正或多次违法的"),
    ),
    "medium": (
        ("none", 0, 0, "初次违法且危害后果轻微并及时改正的"),
        ("lighter", 500, 2000, "主动消除或者减轻违法行为危害后果的"),
        ("ordinary", 2000, 10000, "一般违法情形"),
        ("heavier", 10000, 30000, "造成较大社会影响的"),
    ),
    "large": (
        ("mitigated", 1000, 5000, "受他人胁迫或者诱骗实施违法行为的"),
        ("lighter", 5000, 20000, "主动消除或者减轻违法行为危害后果的"),
        ("ordinary", 20000, 100000, "一般违法情形"),
        ("heavier", 100000, 200000, "情节严重的"),
    ),
}
BENCHMARKS = {
    "XB-CF-001": ("违反城市市容和环境卫生管理规定", "small", 0, 1000, True),
    "XB-CF-002": ("擅自设置户外广告设施", "medium", 0, 30000, False),
    "XB-CF-003": ("未经批准擅自占用城市道路", "small", 0, 1000, False),
    "XB-CF-004": ("农村村民未经批准非法占用土地建住宅", "large", 1000, 200000, False),
    "XB-CF-005": ("未取得乡村建设规划许可证进行建设", "large", 1000, 200000, False),
    "XB-CF-006": ("无照经营", "medium", 0, 10000, False),
    "XB-CF-007": ("食品摊贩违反经营规定", "small", 50, 1000, True),
    "XB-CF-008": ("露天焚烧秸秆、落叶等产生烟尘污染物质", "small", 50, 1000, False),
    "XB-CF-009": ("餐饮服务业油烟超标排放", "medium", 500, 30000, False),
    "XB-CF-010": ("在禁渔区、禁渔期进行捕捞", "medium", 0, 30000, False),
    "XB-CF-011": ("违反农药使用规定", "medium", 500, 30000, False),
}


def _uuid(name: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, name)


def _user(username: str, real_name: str, mobile: str, role: str, department) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, real_name=real_name, mobile=mobile)
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=role))
        StaffProfile.objects.get_or_create(user=user, defaults={"department": department})
    return user


def _officer(user, squad, kind=Officer.Kind.OFFICER, *, valid_to=None, today=None):
    officer, _c = Officer.objects.get_or_create(user=user, defaults={"squad": squad, "kind": kind})
    if kind == Officer.Kind.OFFICER and not officer.certificates.exists():
        Certificate.objects.create(
            officer=officer,
            number=f"赣执字360313{officer.pk:05d}",
            issuing_body="萍乡市人民政府",
            fields="城市管理、市场监管、自然资源",
            valid_from=date(2023, 1, 1),
            valid_to=valid_to or date(2028, 12, 31),
        )
    return officer


def seed() -> None:
    if not Department.objects.filter(code="ZHZFJ").exists():
        return
    with transaction.atomic():
        team = _team()
        _benchmarks()
        _targets()
    if Case.objects.filter(client_uuid=_uuid("spot-1")).exists():
        return  # the cases are there already
    with transaction.atomic():
        _cases(team)


def _team() -> dict:
    bureau = Department.objects.get(code="ZHZFJ")
    today = timezone.localdate()
    squads = {}
    for code, name, phone in SQUADS:
        squads[code], _c = Squad.objects.update_or_create(
            code=code, defaults={"name": name, "phone": phone}
        )
    leader = User.objects.get(username="squadleader")
    squads["ZD1"].leader = leader
    squads["ZD1"].save(update_fields=["leader"])
    officers = {"ZD1": [_officer(leader, squads["ZD1"])]}
    officers["ZD1"].append(_officer(User.objects.get(username="officer"), squads["ZD1"]))
    rng = random.Random(14)
    names = iter(NAMES)
    for index, (code, _name, _phone) in enumerate(SQUADS):
        squad = squads[code]
        officers.setdefault(code, [])
        if code != "ZD1":
            lead_user = _user(
                f"zfdz{index + 1}", next(names), f"1391414{index:04d}", roles.SQUAD_LEADER, bureau
            )
            squad.leader = lead_user
            squad.save(update_fields=["leader"])
            officers[code].append(_officer(lead_user, squad))
        while len(officers[code]) < (7 if code == "ZD1" else 6):
            n = len(officers[code])
            user = _user(
                f"zf{code.lower()}{n}",
                next(names),
                f"1381414{index}{n:03d}",
                roles.ENFORCEMENT_OFFICER,
                bureau,
            )
            expiring = code == "ZD1" and n == 6
            officers[code].append(
                _officer(user, squad, valid_to=today + timedelta(days=20) if expiring else None)
            )
    # two auxiliaries: they assist, never count
    for n, code in enumerate(("ZD1", "ZD2")):
        user = _user(
            f"xgy{n + 1}",
            ("冯协管", "曾协管")[n],
            f"1371414{n:04d}",
            roles.ENFORCEMENT_OFFICER,
            bureau,
        )
        _officer(user, squads[code], Officer.Kind.AUXILIARY)
    head = User.objects.filter(username="bureauhead").first()
    reviewer = User.objects.filter(username="legalreview").first()
    for user in (head, reviewer):
        if user is not None:
            _officer(user, None)
    # patrol areas: the villages of the demo map, two areas a squad
    villages = list(
        Area.objects.filter(kind__in=(AreaKind.VILLAGE, AreaKind.COMMUNITY)).order_by("code")
    )
    if villages:
        demo = [v for v in villages if v.code == DEMO_VILLAGE]
        rest = [v for v in villages if v.code != DEMO_VILLAGE]
        ordered = rest[:2] + demo + rest[2:]
        for i, (code, name, squad_code) in enumerate(PATROL_AREAS):
            area, _c = PatrolArea.objects.update_or_create(
                code=code, defaults={"name": name, "squad": squads[squad_code]}
            )
            chunk = ordered[i * 2 : i * 2 + 2] if i < 5 else ordered[10:]
            if not area.areas.exists():
                area.areas.set(chunk)
    # a week of duty
    for code, people in officers.items():
        for offset in range(-1, 7):
            day = today + timedelta(days=offset)
            if DutyShift.objects.filter(squad=squads[code], day=day).exists():
                continue
            pair = rng.sample(people, 2)
            DutyShift.objects.bulk_create(
                [
                    DutyShift(squad=squads[code], day=day, officer=pair[0], is_lead=True),
                    DutyShift(squad=squads[code], day=day, officer=pair[1]),
                ]
            )
    return {
        "squads": squads,
        "officers": officers,
        "head": head,
        "reviewer": reviewer,
        "leader": leader,
        "officer": officers["ZD1"][1],
    }


def _benchmarks() -> None:
    codes = set(Matter.objects.filter(kind=Matter.Kind.PENALTY).values_list("code", flat=True))
    for code, (violation, scale, legal_min, legal_max, one) in BENCHMARKS.items():
        if code not in codes or Benchmark.objects.filter(matter_code=code).exists():
            continue
        matter = Matter.objects.filter(code=code).order_by("-version").first()
        benchmark = Benchmark.objects.create(
            matter_code=code,
            violation=violation,
            violated_provision=matter.legal_basis,
            penalty_provision=matter.legal_basis,
            legal_min=Decimal(legal_min),
            legal_max=Decimal(legal_max),
            one_officer_allowed=False,
        )
        del one
        BenchmarkLevel.objects.bulk_create(
            [
                BenchmarkLevel(
                    benchmark=benchmark,
                    circumstance=c,
                    fine_min=Decimal(low),
                    fine_max=Decimal(high),
                    description=d,
                    below_legal_minimum=c == "mitigated",
                )
                for c, low, high, d in LEVELS[scale]
            ]
        )


def _targets() -> None:
    inspection = list(
        Matter.objects.filter(kind=Matter.Kind.INSPECTION, handling_department__code="ZHZFJ")
        .values_list("code", flat=True)
        .distinct()
    )
    if InspectionTarget.objects.exists() or not inspection:
        return
    villages = list(
        Area.objects.filter(kind__in=(AreaKind.VILLAGE, AreaKind.COMMUNITY)).values_list(
            "code", flat=True
        )
    ) or [""]
    rng = random.Random(7)
    kinds = ["shop", "shop", "enterprise", "site"]
    rows = []
    for i in range(1, 61):
        kind = kinds[i % len(kinds)]
        label = {"shop": "食品小作坊", "enterprise": "燃气用户单位", "site": "施工工地"}[kind]
        rows.append(
            InspectionTarget(
                code=f"DX{i:04d}",
                name=f"下埠{label}{i:02d}号",
                kind=kind,
                address=f"下埠镇{rng.choice(['石岭', '下埠', '东源', '荷尧'])}村{rng.randint(1, 99)}号",
                area_code=rng.choice(villages),
                matter_codes=inspection,
            )
        )
    InspectionTarget.objects.bulk_create(rows)


# --- cases -------------------------------------------------------------------------------------


def _at(day: date, hour=9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _back(days: int) -> date:
    """``days`` working days before today."""
    from portal.reminders import working_days_before

    return working_days_before(timezone.localdate(), days)


PARTIES = [
    ("person", "李建华", "360313198503120016", ""),
    ("organisation", "萍乡市下埠好味道餐饮有限公司", "", "91360313MA35L0Y12X"),
    ("person", "王桂英", "360313196207080048", ""),
    ("person", "陈小军", "360313199011200035", ""),
    ("organisation", "下埠镇恒通建材经营部", "", "92360313MA38A1B23C"),
    ("person", "刘德明", "360313197809150073", ""),
    ("person", "张秀兰", "360313198801010028", ""),
    ("organisation", "萍乡市湘东区兴旺广告装饰有限公司", "", "91360313MA3XK5T71P"),
]


def _party(i: int) -> dict:
    from portal import idnumber

    kind, name, id_number, credit = PARTIES[i % len(PARTIES)]
    if id_number:
        id_number = id_number[:17] + idnumber.check_character(id_number[:17])
    if credit:
        credit = credit[:17] + idnumber.credit_code_check_character(credit[:17])
    return {
        "party_kind": kind,
        "party_name": name,
        "party_id_number": id_number,
        "party_credit_code": credit,
        "party_address": "萍乡市湘东区下埠镇",
        "party_mobile": f"1397999{i:04d}",
        "party_representative": "赵某" if credit else "",
    }


def _lead(
    team,
    key,
    *,
    squad="ZD1",
    source="grid_incident",
    days_ago=3,
    description,
    matter=None,
    address="下埠镇石岭村",
):
    from enforcement.services import leads

    received = _at(_back(days_ago))
    dispatcher = User.objects.filter(username="dispatcher").first()
    gridmember = User.objects.filter(username="gridmember").first()
    return leads.lead_receive(
        source=source,
        source_ref=f"SJ{received:%Y%m%d}{abs(hash(key)) % 10000:04d}"
        if source == "grid_incident"
        else "",
        description=description,
        address=address,
        area_code=DEMO_VILLAGE if squad == "ZD1" else "",
        reporter=gridmember if source == "grid_incident" else None,
        reporter_name="" if source == "grid_incident" else "群众（匿名）",
        matter_code=matter,
        actor=dispatcher or "system",
        squad=team["squads"][squad],
        client_uuid=_uuid(key),
        received_at=received,
    )


def _filed(team, key, i, *, squad="ZD1", matter="XB-CF-001", days_ago=20, facts):
    from enforcement.services import leads

    people = team["officers"][squad]
    pair = [people[1], people[2]] if squad == "ZD1" else [people[1], people[2]]
    lead = _lead(team, key, squad=squad, days_ago=days_ago, description=facts, matter=matter)
    on = _back(days_ago - 1)
    lead = leads.lead_propose_filing(
        lead=lead,
        actor=people[0].user,
        matter_code=matter,
        officers=pair,
        facts=facts,
        party=_party(i),
        today=on,
    )
    return leads.lead_approve_filing(lead=lead, actor=team["head"], today=_back(days_ago - 2))


def act(case, fn, **kwargs):
    """Run a case service and take the case as it now is."""
    fn(case=case, **kwargs)
    case.refresh_from_db()
    return case


def _cases(team) -> None:
    from enforcement.services import cases as svc
    from enforcement.services import execution, publication, records, simplified

    head, reviewer = team["head"], team["reviewer"]
    me = team["officer"].user
    leader = team["leader"]
    # leads waiting for a decision
    _lead(
        team,
        "lead-1",
        days_ago=2,
        description="石岭村菜市场门口流动摊贩占道经营，影响通行。",
        matter="XB-CF-003",
    )
    _lead(
        team,
        "lead-2",
        days_ago=13,
        description="石岭村3组有人在田边露天焚烧秸秆，烟雾较大。",
        matter="XB-CF-008",
        source="complaint",
    )
    _lead(
        team,
        "lead-3",
        squad="ZD2",
        days_ago=5,
        description="东源村一处民房疑似未批先建。",
        matter="XB-CF-004",
    )
    proposed = _lead(
        team,
        "lead-4",
        days_ago=6,
        description="下埠街一家餐馆油烟直排，居民投诉。",
        matter="XB-CF-009",
        source="hotline",
    )
    from enforcement.services import leads

    leads.lead_propose_filing(
        lead=proposed,
        actor=leader,
        matter_code="XB-CF-009",
        officers=team["officers"]["ZD1"][1:3],
        facts="经现场查看，该餐馆未安装油烟净化设施，油烟直排。",
        party=_party(1),
        today=_back(4),
    )
    not_filed = _lead(team, "lead-5", days_ago=9, description="反映有人乱贴小广告。")
    leads.lead_not_file(
        lead=not_filed, actor=leader, reason="经核查，小广告已由保洁人员清理，未发现违法行为人。"
    )
    moved = _lead(team, "lead-6", days_ago=8, description="疑似无证行医的诊所。")
    leads.lead_transfer(
        lead=moved,
        actor=leader,
        reason="涉嫌非法行医，属卫生健康部门管辖。",
        body=Department.objects.filter(code="QWJW").first(),
        sent_on=_back(6),
    )

    # investigating, with a record, a photo and a correction order pending
    case = _filed(
        team,
        "case-investigating",
        0,
        days_ago=12,
        facts="当事人在石岭村主街人行道上堆放建材，占用人行道约10平方米。",
    )
    act(
        case,
        records.case_record_investigation,
        actor=me,
        kind="inspection",
        started_at=_at(_back(9), 10),
        place="石岭村主街",
        subject="人行道建材堆放点",
        content="现场人行道上堆放砖块、沙石，占地约10平方米，无围挡。",
        client_uuid=_uuid("record-1"),
        files=[("现场.jpg", _photo())],
    )
    act(
        case,
        records.case_order_correction,
        actor=me,
        requirement="清除人行道上堆放的建材，恢复通行。",
        deadline=timezone.localdate() + timedelta(days=5),
        ordered_on=_back(8),
    )
    # legal review (a large fine on a building matter)
    case = _filed(
        team,
        "case-review",
        5,
        matter="XB-CF-005",
        days_ago=30,
        facts="当事人未取得乡村建设规划许可证，在下埠村建设两层仓库约300平方米。",
    )
    act(
        case,
        svc.case_set_proposal,
        actor=me,
        penalties=["fine"],
        fine="30000",
        circumstance="ordinary",
    )
    act(case, svc.case_submit_review, actor=me, today=_back(3))
    # discussion (passed review, discussion required)
    case = _filed(
        team,
        "case-discussion",
        2,
        matter="XB-CF-002",
        days_ago=35,
        facts="当事人未经批准在下埠大道设置大型户外广告牌一座。",
    )
    act(
        case,
        svc.case_set_proposal,
        actor=me,
        penalties=["fine"],
        fine="12000",
        circumstance="heavier",
    )
    act(case, svc.case_submit_review, actor=me, today=_back(8))
    case.refresh_from_db()
    act(
        case,
        svc.case_review,
        actor=reviewer,
        opinion="agree",
        comments="事实清楚，证据充分，裁量适当。",
    )
    # reviewed and discussed: ready for the notice
    case = _filed(
        team,
        "case-reviewed",
        6,
        matter="XB-CF-006",
        days_ago=28,
        facts="当事人未依法取得营业执照，在下埠街从事建材经营活动。",
    )
    act(
        case,
        svc.case_set_proposal,
        actor=me,
        penalties=["fine", "confiscation"],
        fine="10000",
        confiscation="2600",
        circumstance="ordinary",
    )
    act(case, svc.case_submit_review, actor=me, today=_back(12))
    act(case, svc.case_review, actor=reviewer, opinion="agree", comments="同意。")
    act(
        case,
        svc.case_record_discussion,
        actor=head,
        held_at=_at(_back(5), 15),
        chair="韩局长",
        participants=["韩局长", "副局长刘文斌", "副局长陈志刚"],
        opinion="同意罚款并没收违法所得。",
        conclusion="agree",
    )
    # notified: statement period running
    case = _filed(
        team,
        "case-notified",
        2,
        days_ago=15,
        facts="当事人在集市入口处摆摊经营，经劝导后仍不改正。",
    )
    act(
        case,
        svc.case_set_proposal,
        actor=me,
        penalties=["fine"],
        fine="300",
        circumstance="ordinary",
    )
    act(case, svc.case_notify, actor=me, on=_back(2))
    # hearing requested (an organisation, a larger fine)
    case = _filed(
        team,
        "case-hearing",
        0,
        matter="XB-CF-009",
        days_ago=40,
        facts="当事人经营的餐馆油烟排放超标，经检测超过排放标准2.3倍。",
    )
    act(
        case,
        svc.case_set_proposal,
        actor=me,
        penalties=["fine"],
        fine="25000",
        circumstance="heavier",
    )
    act(case, svc.case_submit_review, actor=me, today=_back(25))
    case.refresh_from_db()
    act(case, svc.case_review, actor=reviewer, opinion="agree")
    act(
        case,
        svc.case_record_discussion,
        actor=head,
        held_at=_at(_back(20), 15),
        chair="韩局长",
        participants=["韩局长", "副局长刘文斌", "副局长陈志刚", "法制员杨法制"],
        opinion="同意按从重情节处罚款25000元。",
        conclusion="agree",
    )
    case.refresh_from_db()
    act(case, svc.case_notify, actor=me, on=_back(6))
    act(case, svc.case_request_hearing, actor=me, requested_on=_back(3))
    # decided: to serve, its publication pending
    case = _filed(
        team, "case-decided", 3, days_ago=25, facts="当事人在广场周边乱扔垃圾并拒不清理。"
    )
    act(
        case,
        svc.case_set_proposal,
        actor=me,
        penalties=["fine"],
        fine="200",
        circumstance="ordinary",
    )
    act(case, svc.case_notify, actor=me, on=_back(12))
    act(case, svc.case_record_statement, actor=me, received_on=_back(10), waived=True)
    act(case, svc.case_decide, actor=head, kind="penalty", on=_back(2))
    # executing: served, the fine overdue (a late fee runs)
    case = _filed(
        team,
        "case-executing",
        4,
        days_ago=45,
        facts="当事人在禁渔期使用地笼网在下埠河捕捞。",
        matter="XB-CF-010",
    )
    act(
        case,
        svc.case_set_proposal,
        actor=me,
        penalties=["fine"],
        fine="3000",
        circumstance="ordinary",
    )
    act(case, svc.case_notify, actor=me, on=_back(40))
    act(case, svc.case_record_statement, actor=me, received_on=_back(38), waived=True)
    act(case, svc.case_decide, actor=head, kind="penalty", on=_back(36))
    act(case, svc.case_serve, actor=me, method="hand", served_on=_back(35), recipient="刘德明")
    case.refresh_from_db()
    publication.publication_publish(publication=case.publication, actor=head, on=_back(34))
    # closed: paid and published
    case = _filed(
        team,
        "case-closed",
        6,
        days_ago=60,
        facts="当事人未经批准占用城市道路堆放物料。",
        matter="XB-CF-003",
    )
    act(
        case,
        svc.case_set_proposal,
        actor=me,
        penalties=["warning", "fine"],
        fine="300",
        circumstance="ordinary",
    )
    act(case, svc.case_notify, actor=me, on=_back(55))
    act(case, svc.case_record_statement, actor=me, received_on=_back(54), waived=True)
    act(case, svc.case_decide, actor=head, kind="penalty", on=_back(52))
    act(case, svc.case_serve, actor=me, method="hand", served_on=_back(51), recipient="张秀兰")
    case.refresh_from_db()
    publication.publication_publish(publication=case.publication, actor=head, on=_back(50))
    act(
        case,
        execution.case_record_payment,
        actor=me,
        amount="300",
        paid_on=_back(45),
        method="bank",
        receipt_number="JX2026-000318",
    )
    case.refresh_from_db()
    act(case, svc.case_close, actor=head, report="当事人已缴清罚款，违法行为已改正，建议结案。")
    # other squads' cases for the board
    for n, squad in enumerate(("ZD2", "ZD2", "ZD3", "ZD3")):
        other = _filed(
            team,
            f"case-{squad}-{n}",
            n + 2,
            squad=squad,
            days_ago=70 + n * 5,
            facts="当事人在农田内违规使用禁用农药。",
            matter="XB-CF-011",
        )
        if n % 2:
            act(
                other,
                svc.case_set_proposal,
                actor=team["officers"][squad][1].user,
                penalties=["fine"],
                fine="1500",
                circumstance="lighter",
            )
    # the simplified procedure: cash to hand in, and a warning (closed)
    simplified.case_simplified(
        actor=me,
        client_uuid=_uuid("spot-1"),
        matter_code="XB-CF-001",
        party=_party(3),
        facts="当事人在下埠街乱扔果皮纸屑，经劝阻拒不拾起。",
        address="下埠街农贸市场门口",
        penalties=["fine"],
        fine="50",
        circumstance="lighter",
        officers=[team["officers"]["ZD1"][2]],
        paid_on_spot=True,
        receipt_number="赣财罚 No.0012381",
    )
    simplified.case_simplified(
        actor=me,
        client_uuid=_uuid("spot-2"),
        matter_code="XB-CF-007",
        party=_party(2),
        facts="当事人未在指定区域内经营食品摊点。",
        address="下埠中学门口",
        penalties=["warning"],
        officers=[team["officers"]["ZD1"][2]],
    )


def _photo() -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), (170, 160, 140))
    draw = ImageDraw.Draw(image)
    for i in range(0, 640, 40):
        draw.rectangle([i, 300 + (i % 80), i + 30, 330 + (i % 80)], fill=(150, 60, 40))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


__all__ = ["Lead", "workdays"]
