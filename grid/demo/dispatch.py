"""Demo dispatch (idempotent): routing rules covering the demo catalogue and villages, the
department log-ins ``deptstaff`` and ``depthead`` (规划建设办), and some fifty incidents routed
over the last four weeks through the real services at the dates they tell
(portal.demo_clock.simulated) — work orders sent, signed, done, returned, cancelled, late to
sign for (escalated), pressed, with extensions pending and approved, district transfers, leads
handed to enforcement, and whistles answered on time, late and not at all. Incidents that
incidents' own demo left accepted stay in the centre's "to route" queue for ``dispatcher``."""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from portal import roles

DEMO_TAG = "demo-dispatch"
COUNT = 54
DAYS = 28
SHILING = "360313103202"  # 石岭村: the grids of the demo log-ins gridmember / gridhead
XIABU = "360313103201"
PARK = "360313103ZS01"

# code, order, name, category, area, time, source, kind, department, co-handlers, squad, active
RULES = [
    ("R001", 5, "石岭村乱堆乱放交网格", "CSGL02", SHILING, "any", "", "grid", "", [], "", True),
    (
        "R002",
        10,
        "群体性事件苗头",
        "MDJF07",
        "",
        "any",
        "",
        "department",
        "DZB",
        ["PCS", "SHSWB"],
        "",
        True,
    ),
    ("R003", 20, "社会治安", "SHZA", "", "any", "", "department", "PCS", [], "", True),
    (
        "R004",
        30,
        "燃气泄漏（夜间及节假日）",
        "AQSC03",
        "",
        "off",
        "",
        "district",
        "QZJJ",
        [],
        "",
        True,
    ),
    (
        "R005",
        40,
        "燃气泄漏（工作时间）",
        "AQSC03",
        "",
        "working",
        "",
        "department",
        "JJFZB",
        ["GHJSB"],
        "",
        True,
    ),
    (
        "R006",
        50,
        "危化品违规存放",
        "AQSC05",
        "",
        "any",
        "",
        "department",
        "JJFZB",
        ["PCS"],
        "",
        True,
    ),
    ("R007", 60, "消防隐患", "AQSC01", "", "any", "", "department", "JJFZB", [], "", True),
    ("R008", 70, "消防通道堵塞", "AQSC02", "", "any", "", "department", "JJFZB", [], "", True),
    (
        "R009",
        80,
        "安全生产（工作时间）",
        "AQSC",
        "",
        "working",
        "",
        "department",
        "JJFZB",
        [],
        "",
        True,
    ),
    ("R010", 90, "违章搭建移交执法", "CSGL03", "", "any", "", "squad", "", [], "", True),
    (
        "R011",
        100,
        "违法占用耕地建房移交执法",
        "NYNC01",
        "",
        "any",
        "",
        "squad",
        "",
        [],
        "ZD2",
        True,
    ),
    ("R012", 110, "餐饮油烟移交执法", "HJBH06", "", "any", "", "squad", "", [], "", True),
    (
        "R013",
        120,
        "企业违规排污转区生态环境分局",
        "HJBH04",
        "",
        "any",
        "",
        "district",
        "QSTHJJ",
        [],
        "",
        True,
    ),
    (
        "R014",
        130,
        "工业园城市管理",
        "CSGL",
        PARK,
        "any",
        "",
        "department",
        "JJFZB",
        ["GHJSB"],
        "",
        True,
    ),
    (
        "R015",
        140,
        "下埠村道路破损（热线）",
        "CSGL06",
        XIABU,
        "any",
        "hotline",
        "department",
        "GHJSB",
        ["DZB"],
        "",
        True,
    ),
    ("R016", 150, "城市管理", "CSGL", "", "any", "", "department", "GHJSB", [], "", True),
    ("R017", 160, "环境保护", "HJBH", "", "any", "", "department", "GHJSB", ["NYFWZX"], "", True),
    ("R018", 170, "劳资纠纷转区人社局", "MDJF04", "", "any", "", "district", "QRSJ", [], "", True),
    ("R019", 180, "矛盾纠纷", "MDJF", "", "any", "", "department", "DZB", ["SHSWB"], "", True),
    ("R020", 185, "供水供电故障", "MSFW07", "", "any", "", "department", "GHJSB", [], "", True),
    ("R021", 190, "民生服务", "MSFW", "", "any", "", "department", "SHSWB", [], "", True),
    ("R022", 200, "农业农村", "NYNC", "", "any", "", "department", "NYFWZX", [], "", True),
    ("R023", 210, "社情民意", "SQMY", "", "any", "", "department", "DZB", [], "", True),
    (
        "R024",
        900,
        "夜间城市管理转区城管局（试行，已停用）",
        "CSGL",
        "",
        "off",
        "",
        "district",
        "QCGJ",
        [],
        "",
        False,
    ),
]

STAFF = [
    # username, real name, department, head? (deptstaff and depthead are in the README; the
    # others let every demo department sign for and answer its work orders)
    ("deptstaff", "陈规建", "GHJSB", False),
    ("depthead", "罗主任", "GHJSB", True),
    ("dept-shswb", "黄社事", "SHSWB", False),
    ("dept-jjfzb", "朱经发", "JJFZB", False),
    ("dept-dzb", "许党政", "DZB", False),
    ("dept-nyfwzx", "何农服", "NYFWZX", False),
    ("dept-pcs", "吕民警", "PCS", False),
]

DESCRIPTIONS = {
    "CSGL03": "村民在自家院外搭建彩钢棚约40平方米，未见审批手续。",
    "CSGL05": "沿街广告牌松动，大风天有坠落危险。",
    "CSGL06": "村道路面塌陷一处，约2平方米，已有摩托车摔倒。",
    "CSGL08": "主干道路灯连续5盏不亮。",
    "AQSC03": "餐馆后厨闻到明显燃气味。",
    "AQSC05": "民房内存放大量油漆稀释剂。",
    "AQSC06": "工地脚手架无防护网，临近人行道。",
    "AQSC07": "老旧自建房外墙开裂，住户仍在居住。",
    "AQSC08": "一楼开小作坊、楼上住人，三合一场所。",
    "AQSC09": "学校门口缺少减速带，车速很快。",
    "MDJF04": "工地十余名工人反映被拖欠工资三个月。",
    "MDJF06": "征地补偿标准有争议，村民聚集在村委会。",
    "MSFW01": "低保户家中失火，生活困难，需临时救助。",
    "MSFW03": "残疾人家庭无障碍改造申请无人跟进。",
    "MSFW05": "村民反映医保报销材料多次被退回。",
    "MSFW07": "片区停水超过24小时。",
    "HJBH03": "河道出现大面积黑色污水，有异味。",
    "HJBH04": "企业夜间向水沟排放不明废水。",
    "HJBH06": "烧烤店油烟直排居民楼。",
    "NYNC01": "基本农田上正在打地基建房。",
    "NYNC02": "水库有人用电鱼设备捕鱼。",
    "NYNC03": "养殖户反映猪只异常死亡。",
    "NYNC04": "菜地使用禁用农药。",
    "SHZA02": "废弃厂房内有可疑人员出入。",
}


def _staff_users() -> dict:
    from portal.demo import DEMO_PASSWORD
    from portal.models import Department, StaffProfile, User

    result = {}
    for index, (username, real_name, code, head) in enumerate(STAFF):
        department = Department.objects.filter(code=code).first()
        if department is None:
            continue
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username)
            user.set_password(DEMO_PASSWORD)
        user.real_name = real_name
        user.mobile = f"1380013{index:04d}"
        user.email = f"{username}@demo.onewindow.local"
        user.save()
        user.groups.set([Group.objects.get(name=roles.DEPARTMENT_STAFF)])
        StaffProfile.objects.update_or_create(
            user=user, defaults={"department": department, "is_department_head": head}
        )
        result[username] = user
    return result


def _rules() -> int:
    from enforcement.selectors.team import squads
    from grid.models.dispatch import RoutingRule
    from grid.services import routing_rules as svc
    from portal.models import Area, Department

    known_areas = set(
        Area.objects.filter(code__in=[SHILING, XIABU, PARK]).values_list("code", flat=True)
    )
    departments = set(Department.objects.values_list("code", flat=True))
    active_squads = set(squads().values_list("code", flat=True))
    lookups = svc.Lookups()
    made = 0
    for (
        code,
        order,
        name,
        category,
        area,
        time_window,
        source,
        kind,
        dept,
        co,
        squad,
        active,
    ) in RULES:
        if area and area not in known_areas:
            continue
        if dept and dept not in departments:
            continue
        data = svc.RuleData(
            code=code,
            order=order,
            name=name,
            is_active=active,
            category_code=category,
            area_code=area,
            time_window=time_window,
            source=source,
            handler_kind=kind,
            department_code=dept,
            co_handler_codes=[c for c in co if c in departments],
            squad_code=squad if squad in active_squads else "",
            note="演示规则",
        )
        checked, problems = svc.check(data, lookups)
        if problems:
            continue  # a category the catalogue no longer has
        rule = RoutingRule.objects.filter(code=code).first()
        if rule is None:
            svc.rule_create(actor="demo", data=data, note="演示")
            made += 1
        elif not svc.same(svc.as_data(rule), checked.data):
            svc.rule_change(actor="demo", rule=rule, data=data, note="演示")
    return made


def _recall_orphans() -> None:
    """Incidents an older demo moved to "dispatched" without a dispatch: back to be routed."""
    from grid.models import Incident
    from grid.models.dispatch import Dispatch
    from grid.models.incidents import State
    from grid.services import incidents as incident_svc

    orphans = Incident.objects.filter(state=State.DISPATCHED).exclude(
        pk__in=Dispatch.objects.values("incident_id")
    )
    for incident in orphans:
        incident_svc.dispatch_recall(actor="demo", incident=incident, note="演示数据整理：重新分拨")


@transaction.atomic
def seed() -> dict:
    from grid.models.dispatch import Dispatch

    roles.sync_roles()
    staff = _staff_users()
    rules = _rules()
    _recall_orphans()
    if Dispatch.objects.filter(incident__source_ref__startswith=f"{DEMO_TAG}:").exists():
        return {"rules": rules, "skipped": True}
    return {"rules": rules, **_walk(staff)}


# --- the walk -------------------------------------------------------------------------------------


def _walk(staff: dict) -> dict:
    from grid.models import Category
    from grid.selectors import incident_scope as scope
    from portal.models import Area, AreaKind, User

    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["dispatcher", "gridhead", "gridmember", "supervisor"]
        )
    }
    dispatcher = users.get("dispatcher")
    if dispatcher is None:
        return {"work_orders": 0}
    categories = {
        c.code: c
        for c in Category.objects.in_force().filter(grid_may_handle=False).select_related("branch")
    }
    if not categories:
        return {"work_orders": 0}
    grids = list(
        Area.objects.active().filter(kind=AreaKind.GRID, boundary__isnull=False).order_by("code")
    )
    if not grids:
        return {"work_orders": 0}
    teams = scope.people_of_grids([g.pk for g in grids])
    shiling = [g for g in grids if g.village_id and g.village.code == SHILING]
    rng = random.Random(13)
    now = timezone.now()
    counts: dict[str, int] = {}
    codes = sorted(categories)
    for index in range(COUNT):
        grid = rng.choice(shiling) if shiling and rng.random() < 0.4 else rng.choice(grids)
        heads, members = teams.get(grid.pk, ([], []))
        if not heads or not members:
            continue
        category = (
            categories[codes[index % len(codes)]]
            if index < len(codes)
            else categories[rng.choice(codes)]
        )
        start = now - timedelta(days=DAYS * (1 - index / COUNT) ** 1.3, minutes=rng.randint(0, 300))
        scenario = _scenario(index, start, now)
        with transaction.atomic():
            outcome = _one(
                index,
                grid,
                heads[0],
                members[0],
                category,
                dispatcher,
                staff,
                scenario,
                start,
                now,
                rng,
            )
        counts[outcome] = counts.get(outcome, 0) + 1
    counts["whistles"] = _whistles(dispatcher, staff, now)
    return counts


SCENARIOS = [
    "done_closed",
    "signed",
    "done_feedback",
    "returned_redispatched",
    "sent",
    "done_closed",
    "extension_pending",
    "co_returned",
    "done_closed",
    "cancelled",
    "signed_late",
    "extension_approved",
    "done_closed",
    "pressed",
    "signed",
]


def _scenario(index: int, start, now) -> str:
    if now - start < timedelta(hours=30):
        return "sent" if index % 2 else "signed"
    return SCENARIOS[index % len(SCENARIOS)]


def _one(index, grid, head, member, category, dispatcher, staff, scenario, start, now, rng) -> str:
    from grid.demo.incidents import _jpeg, _points
    from grid.models.dispatch import HandlerKind
    from grid.selectors import dispatch_scope as who
    from grid.selectors import routing
    from grid.services import dispatch as svc
    from grid.services import incidents as incident_svc
    from portal.demo_clock import simulated

    lat, lng = _points(grid, 1, rng)[0]
    t = start

    def step(minutes_low, minutes_high):
        nonlocal t
        t = min(
            t + timedelta(minutes=rng.randint(minutes_low, minutes_high)),
            now - timedelta(minutes=2),
        )
        return t

    with simulated(t):
        reported = incident_svc.incident_report(
            actor=member,
            source="grid_member",
            category_code=category.code,
            description=DESCRIPTIONS.get(category.code, f"{category.name}，需要职能部门处理。"),
            lat=lat,
            lng=lng,
            address=rng.choice(
                ["村委会东侧", "老街12号", "文化广场", "村道3组路口", "幸福小区2栋"]
            ),
            photo_files=[_jpeg(rng)],
            source_ref=f"{DEMO_TAG}:{index}",
        )
    incident = reported.incident
    with simulated(step(20, 90)):
        if incident.state == "reported":
            incident = incident_svc.incident_verify(actor=member, incident=incident)
        incident = incident_svc.incident_accept(actor=head, incident=incident)
    with simulated(step(10, 120)):
        evaluation = routing.evaluate(routing.facts_for(incident))
        if evaluation.rule is None:
            choice = routing.Choice(kind=HandlerKind.DEPARTMENT, department="JJFZB")
            dispatch = svc.incident_dispatch(
                actor=dispatcher,
                incident=incident,
                choice=choice,
                note="夜间无匹配规则，值班调度员人工派遣。",
            )
        else:
            dispatch = svc.incident_dispatch(actor=dispatcher, incident=incident)
    if dispatch.kind == HandlerKind.SQUAD:
        return "lead"
    orders = list(dispatch.work_orders.select_related("department").order_by("-role", "id"))
    if not orders:
        return "handed_back"
    lead = orders[0]

    def actor_for(order):
        if order.is_district:
            return dispatcher
        people = who.department_people(order.department_id)
        return people[0] if people else None

    def sign(order, late=False):
        person = actor_for(order)
        if person is None:
            return order
        with simulated(
            step(600, 2000) if late else step(5, 25 if order.urgency == "urgent" else 300)
        ):
            return svc.work_order_sign_for(
                actor=person, work_order=order, at=timezone.now() if order.is_district else None
            )

    def feed(order):
        person = actor_for(order)
        if person is None:
            return order
        with simulated(step(60, 1800)):
            return svc.work_order_feedback(
                actor=person,
                work_order=order,
                note="已到现场处置完毕，现场已恢复。",
                photo_files=[_jpeg(rng)],
                answered_on=timezone.localdate() if order.is_district else None,
            ).work_order

    if scenario == "sent":
        return "sent"
    if scenario == "returned_redispatched" and actor_for(lead) and not lead.is_district:
        with simulated(step(5, 20)):
            svc.work_order_return(
                actor=actor_for(lead),
                work_order=lead,
                reason="不属于本部门职责，建议派社会事务办。",
            )
        from grid.models import Incident

        incident = Incident.objects.get(pk=incident.pk)
        with simulated(step(10, 60)):
            svc.incident_dispatch(
                actor=dispatcher,
                incident=incident,
                choice=routing.Choice(kind=HandlerKind.DEPARTMENT, department="SHSWB"),
                note="原部门退单，改派社会事务办。",
            )
        return "returned"
    if scenario == "cancelled":
        with simulated(step(30, 300)):
            svc.dispatch_withdraw(
                actor=dispatcher, dispatch=dispatch, reason="群众反映问题已自行解决。"
            )
        return "cancelled"
    if scenario == "pressed":
        with simulated(step(60, 600)):
            svc.work_order_press(actor=dispatcher, work_order=lead, note="请尽快签收办理。")
        return "pressed"
    signed = [sign(o, late=(scenario == "signed_late" and o is lead)) for o in orders]
    lead = signed[0]
    if scenario in ("signed", "signed_late"):
        return scenario
    if (
        scenario in ("extension_pending", "extension_approved")
        and not lead.is_district
        and actor_for(lead)
    ):
        with simulated(step(30, 300)):
            latest = svc.max_due(lead)
            day = timezone.localdate(latest)
            if timezone.localtime(latest).date() > timezone.localdate(lead.due_at):
                extension = svc.work_order_request_extension(
                    actor=actor_for(lead),
                    work_order=lead,
                    new_due_on=day,
                    reason="需协调施工队，材料未到。",
                )
                if scenario == "extension_approved":
                    with simulated(step(30, 200)):
                        svc.work_order_decide_extension(
                            actor=dispatcher, extension=extension, approve=True, note="同意。"
                        )
        return scenario
    if scenario == "co_returned" and len(signed) > 1 and actor_for(signed[1]):
        with simulated(step(1, 5)):
            from grid.models.dispatch import WorkOrder

            co = WorkOrder.objects.get(pk=signed[1].pk)
            if timezone.now() <= co.return_until:
                svc.work_order_return(actor=actor_for(co), work_order=co, reason="无需本部门协办。")
                if index % 2:  # else it waits on the dispatcher's desk (协办退单)
                    with simulated(step(10, 60)):
                        svc.work_order_drop(
                            actor=dispatcher, work_order=co, note="主办部门可独立办理。"
                        )
        signed = signed[:1]
    for order in signed:
        feed(order)
    if scenario == "done_closed":
        from grid.models import Incident

        incident = Incident.objects.get(pk=incident.pk)
        if incident.state == "feedback":
            with simulated(step(60, 600)):
                incident_svc.incident_close(actor=head, incident=incident, outcome="solved")
            return "closed"
    return "done"


def _whistles(dispatcher, staff, now) -> int:
    """Three whistles: every department on time; one late and one absent; one still to come."""
    from grid.models import Incident
    from grid.models.dispatch import Whistle
    from grid.services import dispatch as svc
    from portal.demo_clock import simulated
    from portal.models import Department

    if Whistle.objects.exists():
        return 0
    incidents = list(
        Incident.objects.filter(source_ref__startswith=f"{DEMO_TAG}:", state="dispatched").order_by(
            "reported_at"
        )[:3]
    )
    departments = {
        d.code: d for d in Department.objects.filter(code__in=["GHJSB", "PCS", "SHSWB", "QCGJ"])
    }
    if len(incidents) < 3 or len(departments) < 4:
        return 0
    deptstaff = staff.get("deptstaff")
    made = 0
    plans = [
        (incidents[0], now - timedelta(days=6), [("GHJSB", -20), ("PCS", -5), ("QCGJ", -10)]),
        (incidents[1], now - timedelta(days=2), [("GHJSB", 25), ("SHSWB", None), ("PCS", -15)]),
        (incidents[2], now + timedelta(hours=3), [("GHJSB", None), ("PCS", None), ("QCGJ", None)]),
    ]
    for incident, meet_at, calls in plans:
        blown = meet_at - timedelta(hours=2) if meet_at < now else now - timedelta(minutes=30)
        with simulated(blown):
            whistle = svc.whistle_blow(
                actor=dispatcher,
                incident=incident,
                departments=[departments[code] for code, _ in calls],
                meet_at=meet_at,
                place=incident.address or "村委会",
                note="多部门联合现场处置。",
            )
        made += 1
        for code, minutes in calls:
            if minutes is None:
                continue
            call = whistle.calls.get(department=departments[code])
            at = meet_at + timedelta(minutes=minutes)
            with simulated(at):
                if code == "GHJSB" and deptstaff:
                    svc.whistle_report(actor=deptstaff, call=call, note="已到场。")
                else:
                    svc.whistle_report(actor=dispatcher, call=call, at=at, note="电话确认到场。")
    return made
