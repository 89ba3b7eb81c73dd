"""Demo grid people and patrols (idempotent): for each village a head (a village cadre heading
its grids) and an instructor (a town cadre), two members per grid (one full-, one part-time), a
contact without an account for every micro-grid, the town's duty standard; the demo log-ins
`gridhead` (head of 石岭村's four grids) and `gridmember` (member of two of them) with patrols
of the last weeks. The people behind the log-ins never log in themselves (no password)."""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from grid.models import Assignment, AssignmentRole, DutyStandard, Employment, Finding, Patrol
from grid.services.patrols import track_distance
from portal import roles
from portal.areas import geometry
from portal.models import Area, AreaKind, Department, StaffProfile, User

SINCE = date(2024, 1, 1)
DEMO_VILLAGE = "360313103202"  # 石岭村: gridhead heads its grids, gridmember walks two of them
NAMESPACE = uuid.UUID("6f1f1c2e-11a0-4c7e-9a6b-0d3e8b1a0011")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷黎史龙陶贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌辉鹏飞云峰亮海燕琴宇浩凯晨欣怡子轩梓涵一诺雨泽"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}"


def _person(username: str, real_name: str, mobile: str, role: str, department) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, real_name=real_name, mobile=mobile)
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=role))
        StaffProfile.objects.get_or_create(user=user, defaults={"department": department})
    return user


def _assign(area, role, *, user=None, person_name="", person_mobile="", employment="", since=SINCE):
    found = Assignment.objects.filter(area=area, role=role, ends_on__isnull=True)
    found = found.filter(user=user) if user else found.filter(person_name=person_name)
    if found.exists():
        return
    if (
        role in (AssignmentRole.HEAD, AssignmentRole.INSTRUCTOR)
        and Assignment.objects.filter(area=area, role=role, ends_on__isnull=True).exists()
    ):
        return  # someone else holds it (changed by hand in the demo): leave it
    Assignment.objects.create(
        area=area,
        role=role,
        user=user,
        person_name=person_name,
        person_mobile=person_mobile,
        employment=employment,
        starts_on=since,
    )


@transaction.atomic
def seed() -> None:
    if not Area.objects.filter(kind=AreaKind.GRID).exists():
        return  # no map loaded
    department = Department.objects.filter(code="ZHZX").first() or Department.objects.first()
    if department is None:
        return
    rng = random.Random(11)
    town = Area.objects.get(kind=AreaKind.TOWN)
    DutyStandard.objects.get_or_create(
        area=town, defaults={"patrols_per_week": 5, "visits_per_month": 30}
    )
    demo_head = User.objects.filter(username="gridhead").first()
    demo_member = User.objects.filter(username="gridmember").first()
    villages = list(Area.objects.active().villages().order_by("code"))
    for village in villages:
        grids = list(
            Area.objects.active().filter(parent=village, kind=AreaKind.GRID).order_by("code")
        )
        if village.code == DEMO_VILLAGE and demo_head:
            head = demo_head
        else:
            head = _person(
                f"wz{village.code}", _name(rng), _mobile(rng), roles.GRID_HEAD, department
            )
        instructor = _person(
            f"zd{village.code}", _name(rng), _mobile(rng), roles.GRID_MEMBER, department
        )
        for index, grid in enumerate(grids):
            _assign(grid, AssignmentRole.HEAD, user=head)
            _assign(grid, AssignmentRole.INSTRUCTOR, user=instructor)
            for n, employment in enumerate((Employment.FULL_TIME, Employment.PART_TIME), start=1):
                if village.code == DEMO_VILLAGE and demo_member and n == 1 and index < 2:
                    member = demo_member
                else:
                    member = _person(
                        f"wg{grid.code}{n}", _name(rng), _mobile(rng), roles.GRID_MEMBER, department
                    )
                _assign(grid, AssignmentRole.MEMBER, user=member, employment=employment)
            for micro in Area.objects.active().filter(parent=grid).order_by("code"):
                _assign(
                    micro,
                    AssignmentRole.CONTACT,
                    person_name=_name(rng),
                    person_mobile=_mobile(rng),
                )
    for special in Area.objects.active().special_grids().order_by("code"):
        member = _person(
            f"wg{special.code}1", _name(rng), _mobile(rng), roles.GRID_MEMBER, department
        )
        _assign(special, AssignmentRole.MEMBER, user=member, employment=Employment.PART_TIME)
    proxy = User.objects.filter(username="proxy").first()
    village = Area.objects.filter(code="360313103201").first()
    if proxy and village:
        _assign(village, AssignmentRole.VILLAGE_STAFF, user=proxy)
    # the demo village's members walk their grids, some more diligently than others
    members = (
        Assignment.objects.on()
        .filter(role=AssignmentRole.MEMBER, area__village__code=DEMO_VILLAGE)
        .select_related("user")
        .order_by("user__username")
    )
    for n, member in enumerate(dict.fromkeys(a.user for a in members)):
        _patrols(member, skip_every=(0, 4, 3, 5, 2)[n % 5])


def _patrols(member: User, skip_every: int) -> None:
    """Patrols of the last three weeks (keyed by member and day: re-running the seeder the same
    day adds nothing); every ``skip_every``-th day is missed, Sundays are rest days."""
    grids = list(
        Area.objects.filter(
            pk__in=Assignment.objects.on()
            .filter(user=member, role=AssignmentRole.MEMBER)
            .values("area_id")
        ).order_by("code")
    )
    if not grids:
        return
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    rng = random.Random(f"{member.username}{today.toordinal()}")
    for days_ago in range(20, -1, -1):
        day = today - timedelta(days=days_ago)
        if day.weekday() == 6 or (skip_every and days_ago % skip_every == 0):
            continue
        for number, grid in enumerate(grids):
            public_id = uuid.uuid5(NAMESPACE, f"{member.username}:{grid.code}:{day.isoformat()}")
            if Patrol.objects.filter(public_id=public_id).exists():
                continue
            hour = 9 + 5 * number
            start = timezone.make_aware(datetime.combine(day, time(hour, rng.randint(0, 40))), tz)
            if start + timedelta(hours=1) > timezone.now():
                continue
            track = _walk(geometry.parse(grid.boundary), start, rng)
            patrol = Patrol.objects.create(
                public_id=public_id,
                member=member,
                area=grid,
                status=Patrol.Status.FINISHED,
                started_at=start,
                finished_at=start + timedelta(minutes=len(track) + 5),
                track=track,
                distance_m=track_distance(track),
                households_visited=rng.randint(1, 4),
                note="例行巡查，未见异常。" if days_ago % 3 else "巡查中发现问题，已记录。",
            )
            if days_ago % 3 == 0:
                lng, lat = track[len(track) // 2][:2]
                Finding.objects.create(
                    public_id=uuid.uuid5(NAMESPACE, f"finding:{public_id}"),
                    patrol=patrol,
                    category=rng.choice(Finding.Category.values),
                    description=rng.choice(FINDINGS),
                    lat=lat,
                    lng=lng,
                    reported_at=start + timedelta(minutes=15),
                )


FINDINGS = [
    "村道旁堆放建筑垃圾，影响通行。",
    "一处民房外墙电线私拉乱接，存在消防隐患。",
    "两户村民因宅基地边界发生争执。",
    "独居老人家中缺少取暖用品，需要帮扶。",
    "河道岸边有人焚烧秸秆。",
]


def _walk(shape, start, rng) -> list[list[float]]:
    """A plausible walk inside the grid: a wandering line of points a minute apart."""
    x, y = geometry.representative_xy(shape)
    minx, miny, maxx, maxy = shape.bounds
    step = (maxx - minx) / 40
    points = []
    for n in range(rng.randint(25, 45)):
        nx = x + rng.uniform(-step, step)
        ny = y + rng.uniform(-step, step)
        if geometry.contains(shape, nx, ny):
            x, y = nx, ny
        at = int((start + timedelta(minutes=n)).timestamp() * 1000)
        points.append([round(x, 7), round(y, 7), 10.0, at])
    return points
