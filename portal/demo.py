"""Demo data: deterministic and idempotent. Each app registers its own seeder (in its
AppConfig.ready) and `manage.py seed_demo` runs them in order after the core."""

from collections.abc import Callable
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from portal import idnumber, roles, services
from portal.models import CalendarYear, Department, StaffProfile, User, Window

DEMO_PASSWORD = "Demo@2026"

_seeders: list[tuple[int, str, Callable[[], None]]] = []


def register_seeder(order: int, name: str, fn: Callable[[], None]) -> None:
    if all(existing != name for _o, existing, _f in _seeders):
        _seeders.append((order, name, fn))


def seeders():
    return sorted(_seeders)


DEPARTMENTS = [
    # code, name, short name, kind
    ("XZSPJ", "下埠镇行政审批局", "行政审批局", Department.Kind.INTERNAL),
    ("ZHZFJ", "下埠镇综合行政执法局", "综合行政执法局", Department.Kind.INTERNAL),
    ("DZB", "下埠镇党政办公室", "党政办", Department.Kind.INTERNAL),
    ("SHSWB", "下埠镇社会事务办公室", "社会事务办", Department.Kind.INTERNAL),
    ("JJFZB", "下埠镇经济发展办公室", "经济发展办", Department.Kind.INTERNAL),
    ("GHJSB", "下埠镇规划建设办公室", "规划建设办", Department.Kind.INTERNAL),
    ("NYFWZX", "下埠镇农业综合服务中心", "农业服务中心", Department.Kind.INTERNAL),
    ("ZHZX", "下埠镇社会治理综合指挥中心", "指挥中心", Department.Kind.INTERNAL),
    ("PCS", "下埠派出所（驻镇）", "派出所", Department.Kind.INTERNAL),
    ("QSCJG", "湘东区市场监督管理局", "区市场监管局", Department.Kind.EXTERNAL),
    ("QZJJ", "湘东区住房和城乡建设局", "区住建局", Department.Kind.EXTERNAL),
    ("QZRZYJ", "湘东区自然资源局", "区自然资源局", Department.Kind.EXTERNAL),
    ("QRSJ", "湘东区人力资源和社会保障局", "区人社局", Department.Kind.EXTERNAL),
    ("QWJW", "湘东区卫生健康委员会", "区卫健委", Department.Kind.EXTERNAL),
    ("QNYJ", "湘东区农业农村局", "区农业农村局", Department.Kind.EXTERNAL),
    ("QJTJ", "湘东区交通运输局", "区交通运输局", Department.Kind.EXTERNAL),
    ("QCGJ", "湘东区城市管理局", "区城管局", Department.Kind.EXTERNAL),
    ("QMZJ", "湘东区民政局", "区民政局", Department.Kind.EXTERNAL),
    ("QCL", "湘东区残疾人联合会", "区残联", Department.Kind.EXTERNAL),
    ("QFGW", "湘东区发展和改革委员会", "区发改委", Department.Kind.EXTERNAL),
    ("QSTHJJ", "萍乡市生态环境局湘东分局", "区生态环境分局", Department.Kind.EXTERNAL),
]

DEPARTMENTS_EN = {
    "XZSPJ": "Xiabu Administrative Approval Bureau",
    "ZHZFJ": "Xiabu Comprehensive Enforcement Bureau",
    "DZB": "Xiabu Party and Government Office",
    "SHSWB": "Xiabu Social Affairs Office",
    "JJFZB": "Xiabu Economic Development Office",
    "GHJSB": "Xiabu Planning and Construction Office",
    "NYFWZX": "Xiabu Agricultural Service Centre",
    "ZHZX": "Xiabu Governance Command Centre",
    "PCS": "Xiabu Police Station",
    "QSCJG": "Xiangdong District Market Regulation Bureau",
    "QZJJ": "Xiangdong District Housing and Construction Bureau",
    "QZRZYJ": "Xiangdong District Natural Resources Bureau",
    "QRSJ": "Xiangdong District Human Resources and Social Security Bureau",
    "QWJW": "Xiangdong District Health Commission",
    "QNYJ": "Xiangdong District Agriculture Bureau",
    "QJTJ": "Xiangdong District Transport Bureau",
    "QCGJ": "Xiangdong District Urban Management Bureau",
    "QMZJ": "Xiangdong District Civil Affairs Bureau",
    "QCL": "Xiangdong District Disabled Persons' Federation",
    "QFGW": "Xiangdong District Development and Reform Commission",
    "QSTHJJ": "Xiangdong Branch of the Pingxiang Ecology and Environment Bureau",
}
WINDOWS_EN = {
    1: "General window 1",
    2: "General window 2",
    3: "General window 3",
    4: "Business registration",
    5: "Social security",
    6: "Planning and building",
    7: "Household registration",
    8: "Agriculture",
    9: "Collection of results",
}

WINDOWS = [
    # number, name, kind, department codes
    (1, "综合受理一窗", Window.Kind.GENERAL, ["XZSPJ", "SHSWB", "JJFZB"]),
    (2, "综合受理二窗", Window.Kind.GENERAL, ["XZSPJ", "SHSWB", "JJFZB"]),
    (3, "综合受理三窗", Window.Kind.GENERAL, ["XZSPJ", "GHJSB", "NYFWZX"]),
    (4, "市场准入窗口", Window.Kind.SPECIALISED, ["XZSPJ", "JJFZB"]),
    (5, "社会保障窗口", Window.Kind.SPECIALISED, ["SHSWB"]),
    (6, "规划建设窗口", Window.Kind.SPECIALISED, ["GHJSB"]),
    (7, "户籍窗口", Window.Kind.SPECIALISED, ["PCS"]),
    (8, "农业服务窗口", Window.Kind.SPECIALISED, ["NYFWZX"]),
    (9, "统一出件窗口", Window.Kind.RELEASE, ["XZSPJ", "SHSWB", "JJFZB", "GHJSB", "NYFWZX"]),
]


def _demo_id(seed: str) -> str:
    first17 = ("360313" + seed).ljust(17, "0")[:17]
    return first17 + idnumber.check_character(first17)


# username, real name, role, department, windows, department head?
PEOPLE = [
    ("citizen", "张小梅", roles.CITIZEN, None, [], False),
    ("proxy", "李村代办", roles.PROXY_AGENT, "SHSWB", [], False),
    ("clerk", "王窗口", roles.WINDOW_CLERK, "XZSPJ", [1, 2, 3, 4], False),
    ("release", "赵出件", roles.WINDOW_CLERK, "XZSPJ", [9], False),
    ("reviewer", "陈审查", roles.REVIEWER, "XZSPJ", [], False),
    ("reviewer2", "周审查", roles.REVIEWER, "SHSWB", [], False),
    ("district", "吴区审", roles.DISTRICT_REVIEWER, "QSCJG", [], False),
    ("supervisor", "孙督查", roles.SUPERVISOR, "XZSPJ", [], True),
    ("registrar", "钱清单", roles.REGISTER_ADMIN, "XZSPJ", [], False),
    ("gridmember", "郑网格", roles.GRID_MEMBER, "ZHZX", [], False),
    ("gridhead", "冯网格长", roles.GRID_HEAD, "ZHZX", [], False),
    ("dispatcher", "褚调度", roles.DISPATCHER, "ZHZX", [], False),
    ("officer", "卫执法", roles.ENFORCEMENT_OFFICER, "ZHZFJ", [], False),
    ("squadleader", "蒋中队长", roles.SQUAD_LEADER, "ZHZFJ", [], False),
    ("bureauhead", "韩局长", roles.BUREAU_HEAD, "ZHZFJ", [], True),
    ("legalreview", "杨法制", roles.LEGAL_REVIEWER, "ZHZFJ", [], False),
]


@transaction.atomic
@cache
def _demo_password_hash(_hasher: str) -> str:
    """The demo password hashed once per process (and hasher): every demo account shares the
    same published password, and PBKDF2 costs a good part of a second of CPU per hash."""
    return make_password(DEMO_PASSWORD)


def seed_core() -> None:
    if not CalendarYear.objects.filter(year=2026, confirmed=True).exists():
        services.calendar_seed_from_package()
    roles.sync_roles()
    departments = {}
    for code, name, short, kind in DEPARTMENTS:
        departments[code], _c = Department.objects.update_or_create(
            code=code, defaults={"name": name, "short_name": short, "kind": kind}
        )
        if not departments[code].name_en and code in DEPARTMENTS_EN:
            departments[code].name_en = DEPARTMENTS_EN[code]
            departments[code].save(update_fields=["name_en"])
    windows = {}
    for number, name, kind, dept_codes in WINDOWS:
        window, _c = Window.objects.update_or_create(
            number=number, defaults={"name": name, "kind": kind}
        )
        window.departments.set([departments[c] for c in dept_codes])
        if not window.name_en and number in WINDOWS_EN:
            window.name_en = WINDOWS_EN[number]
            window.save(update_fields=["name_en"])
        windows[number] = window
    for index, (username, real_name, role, dept, window_numbers, head) in enumerate(PEOPLE):
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username)
            user.password = _demo_password_hash(settings.PASSWORD_HASHERS[0])
        user.real_name = real_name
        user.mobile = f"1380000{index:04d}"
        user.id_number = _demo_id(f"1990{index + 1:02d}01{index:03d}")
        user.email = f"{username}@demo.onewindow.local"
        user.is_staff = role in roles.ADMIN_ROLES
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        if dept:
            profile, _c = StaffProfile.objects.update_or_create(
                user=user,
                defaults={"department": departments[dept], "is_department_head": head},
            )
            profile.windows.set([windows[n] for n in window_numbers])
    _seed_announcements()


ANNOUNCEMENTS = [
    (
        "元旦假期便民服务中心办公安排",
        "New Year holiday opening of the service centre",
        "1月1日至3日休息，1月4日（周日）正常上班。假期中可在网上申请，节后依次受理。",
        "Closed 1–3 January, open on Sunday 4 January. Apply online during the holiday; "
        "applications are taken in order afterwards.",
        True,
    ),
    (
        "生育登记、出生登记可“一件事”联办",
        "Birth registration as one life event",
        "办理生育登记时可一并办理出生登记、医保参保和社保卡申领，只需提交一次材料。",
        "Register the birth, health insurance and the social-security card together, with one "
        "set of materials.",
        False,
    ),
    (
        "9号窗口统一出件，可选择邮寄",
        "Collect results at window 9, or have them mailed",
        "办结的证照和决定书在9号窗口统一领取，领取时请带身份证；也可以申请免费邮寄。",
        "Certificates and decisions are collected at window 9 (bring your ID card), or mailed "
        "free of charge.",
        False,
    ),
]


def _seed_announcements() -> None:
    from django.utils import timezone

    from portal.models import Announcement

    if Announcement.objects.exists():
        return
    today = timezone.localdate()
    for index, (title, title_en, body, body_en, pinned) in enumerate(ANNOUNCEMENTS):
        Announcement.objects.create(
            title=title,
            title_en=title_en,
            body=body,
            body_en=body_en,
            pinned=pinned,
            published_on=today - timedelta(days=3 * index),
        )
