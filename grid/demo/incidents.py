"""Demo incidents (idempotent): about three hundred over the last two months in every state,
walked through the real services with back-dated moments, so that `gridmember` and `gridhead`
(石岭村's grids) have work to verify, accept, handle and close, the centre has work to
dispatch and supervise, and `citizen` has reports to follow, reopen and rate. Also the
hotline's system account (`hotline`, no password: an API token from the admin)."""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from grid.models import Incident
from grid.models.incidents import Outcome, Source, State, VoidReason
from portal import roles

DEMO_TAG = "demo"
COUNT = 300
DAYS = 60

DESCRIPTIONS = {
    "CSGL01": ["菜市场门口流动摊贩占道经营，影响通行。", "早点摊占用人行道，行人只能走机动车道。"],
    "CSGL02": ["楼道口堆放大量建筑垃圾和杂物。", "路边堆放废旧家具，已有多日。"],
    "CSGL03": ["村民在自家院外搭建彩钢棚，疑未审批。"],
    "CSGL04": ["电线杆和墙面贴满办证小广告。"],
    "CSGL07": ["路口井盖缺失，夜间容易有人跌落。", "人行道井盖破损下陷。"],
    "CSGL09": ["垃圾桶满溢，周边散发异味。"],
    "AQSC01": ["商铺内私拉电线，灭火器过期。", "出租屋内堆放易燃物品。"],
    "AQSC02": ["小区消防通道被私家车长期占用。"],
    "AQSC04": ["居民从楼上拉电线给电动车充电。"],
    "MDJF01": ["两户邻居因排水沟堵塞发生争吵。", "楼上住户夜间噪声引起邻里矛盾。"],
    "MDJF05": ["业主与物业因停车收费发生纠纷。"],
    "HJBH01": ["田间有人焚烧秸秆，烟雾较大。"],
    "HJBH05": ["夜间工地施工噪声扰民。"],
    "HJBH07": ["河道内漂浮生活垃圾。"],
    "MSFW02": ["独居老人多日未见出门，需上门看望。"],
    "MSFW04": ["留守儿童放学后无人照看。"],
    "SQMY01": ["村道路灯不亮，群众希望尽快修复。"],
    "SHZA01": ["小区围墙破损，外来人员随意进出。"],
}
ADDRESSES = [
    "村委会东侧",
    "菜市场南门",
    "中心小学门口",
    "老街12号",
    "石岭桥头",
    "卫生院对面",
    "文化广场",
    "村道3组路口",
    "农贸市场北侧",
    "幸福小区2栋",
]


def _jpeg(rng: random.Random) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), tuple(rng.randint(60, 200) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randint(0, 300), rng.randint(0, 220)
        draw.rectangle(
            [x, y, x + rng.randint(10, 60), y + rng.randint(10, 40)],
            fill=tuple(rng.randint(0, 255) for _ in range(3)),
        )
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return out.getvalue()


def _photos(rng, n):
    return [_jpeg(rng) for _ in range(n)]


def _hotline_account():
    from portal.models import User

    user = User.objects.filter(username="hotline").first()
    if user is None:
        user = User(username="hotline", real_name="12345热线接口")
        user.set_unusable_password()
        user.save()
    user.groups.add(Group.objects.get(name=roles.HOTLINE))
    return user


def _points(area, n, rng):
    from portal.areas import geometry

    shape = geometry.parse(area.boundary)
    return [(lat, lng) for lng, lat in geometry.sample_points(shape, n, rng)]


def seed() -> dict:
    from grid.models import Category
    from portal.models import Area, AreaKind, User

    roles.sync_roles()
    hotline = _hotline_account()
    if Incident.objects.filter(source_ref__startswith=f"{DEMO_TAG}:").exists():
        return {"skipped": True}
    grids = list(Area.objects.active().filter(kind=AreaKind.GRID, boundary__isnull=False))
    categories = list(Category.objects.in_force().select_related("branch"))
    if not grids or not categories:
        return {"skipped": True}
    from grid.selectors import incident_scope as scope

    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["gridmember", "gridhead", "citizen", "dispatcher", "supervisor"]
        )
    }
    if "citizen" not in users:
        return {"skipped": True}
    member = users.get("gridmember")
    head = users.get("gridhead")
    mine = sorted(scope.grid_ids(member)) if member else []
    headed = sorted(scope.grid_ids(head)) if head else []
    teams = scope.people_of_grids([g.pk for g in grids])
    rng = random.Random(12)
    now = timezone.now()
    made = 0
    by_grid = {g.pk: g for g in grids}
    focus = [by_grid[i] for i in mine + headed if i in by_grid]
    for index in range(COUNT):
        if focus and rng.random() < 0.45:
            grid = rng.choice(focus)
        else:
            grid = rng.choice(grids)
        heads, members = teams.get(grid.pk, ([], []))
        if not heads or not members:
            continue
        with transaction.atomic():
            if _one(index, grid, heads[0], members, categories, users, hotline, rng, now):
                made += 1
    return {"incidents": made}


def _pick_category(categories, rng):
    with_text = [c for c in categories if c.code in DESCRIPTIONS]
    return rng.choice(with_text if rng.random() < 0.8 else categories)


def _one(index, grid, head, members, categories, users, hotline, rng, now) -> bool:
    from grid.services import incidents as svc

    category = _pick_category(categories, rng)
    description = rng.choice(DESCRIPTIONS.get(category.code, ["群众反映的问题，需要现场查看。"]))
    lat, lng = _points(grid, 1, rng)[0]
    age = timedelta(days=rng.random() ** 1.6 * DAYS, minutes=rng.randint(0, 600))
    target = _target(rng, age)
    if target in OPEN_TARGETS and rng.random() < 0.75:
        # most open work is recent, as in a grid that keeps up: some of it late, not most
        age = min(age, timedelta(hours=rng.uniform(1, 40)))
    at = now - age
    member = members[0]
    if users.get("gridmember") and any(m.pk == users["gridmember"].pk for m in members):
        member = users["gridmember"] if rng.random() < 0.7 else rng.choice(members)
    else:
        member = rng.choice(members)
    roll = rng.random()
    source = (
        Source.GRID_MEMBER
        if roll < 0.55
        else Source.RESIDENT
        if roll < 0.8
        else Source.HOTLINE
        if roll < 0.95
        else Source.PATROL
    )
    kwargs = {
        "category_code": category.code,
        "description": description,
        "lat": lat,
        "lng": lng,
        "address": rng.choice(ADDRESSES),
        "source_ref": f"{DEMO_TAG}:{index}",
        "now": at,
    }
    if source == Source.HOTLINE:
        reported = svc.incident_report(
            actor=hotline,
            source=source,
            external_number=f"12345-{at:%Y%m%d}-{index:04d}",
            reporter_name=rng.choice(["王先生", "李女士", "张先生", "刘女士"]),
            reporter_mobile=f"139{rng.randint(0, 99999999):08d}",
            **kwargs,
        )
    elif source == Source.RESIDENT:
        reported = svc.incident_report(
            actor=users["citizen"],
            source=source,
            anonymous=rng.random() < 0.2,
            photo_files=_photos(rng, rng.choice((0, 1, 1, 2))),
            **kwargs,
        )
    else:
        reported = svc.incident_report(
            actor=member,
            source=source,
            photo_files=_photos(rng, rng.choice((0, 1, 1, 2, 3))),
            **kwargs,
        )
    incident = reported.incident
    step = at
    limit = now - timedelta(minutes=5)

    def later(hours_low=0.5, hours_high=30):
        nonlocal step
        step = min(step + timedelta(hours=rng.uniform(hours_low, hours_high)), limit)
        return step

    if target == "reported":
        return True
    if incident.state == State.REPORTED:
        if target == "voided" and rng.random() < 0.5:
            return _void(svc, incident, head, rng, later(), users)
        incident = svc.incident_verify(
            actor=member,
            incident=incident,
            note="现场核实情况属实。",
            photo_files=_photos(rng, 1),
            now=later(),
        )
    if target == "verified":
        return True
    if target == "voided":
        return _void(svc, incident, head, rng, later(), users)
    handler = None
    if category.grid_may_handle and target != "accepted":
        handler = member if rng.random() < 0.6 else head
    centre = users.get("dispatcher") or head
    acceptor = head if category.grid_may_handle or rng.random() < 0.5 else centre
    incident = svc.incident_accept(
        actor=acceptor, incident=incident, handler=handler, now=later(0.5, 8)
    )
    if target == "accepted" or handler is None:
        # Left for the centre: the dispatch demo (grid/demo/dispatch.py) routes its own
        # incidents; these wait in the dispatcher's "to route" queue.
        return True
    if target == "on_hold":
        svc.incident_hold(
            actor=head,
            incident=incident,
            reason="需等待来年预算安排。",
            review_on=(now + timedelta(days=rng.randint(3, 40))).date(),
            now=later(),
        )
        return True
    if target == "extended" and category.max_extension > 0:
        extension = svc.extension_request(
            actor=handler,
            incident=incident,
            amount=max(1, category.max_extension),
            reason="需协调多户居民，时间不够。",
            now=later(1, 5),
        )
        if handler.pk != head.pk:
            svc.extension_decide(actor=head, extension=extension, approve=True, now=later(0.5, 4))
        return True
    if target == "handling":
        return True
    incident = svc.incident_report_result(
        actor=handler,
        incident=incident,
        note="已现场处置完毕，恢复原状。",
        photo_files=_photos(rng, rng.choice((1, 2))),
        now=later(2, 60),
    )
    if target == "feedback":
        return True
    closer = head if handler.pk != head.pk else (centre if centre.pk != head.pk else None)
    if closer is None:
        return True
    if rng.random() < 0.1:
        incident = svc.incident_send_back(
            actor=closer, incident=incident, reason="现场仍有残留，请继续清理。", now=later(1, 10)
        )
        incident = svc.incident_report_result(
            actor=handler,
            incident=incident,
            note="已全部清理。",
            photo_files=_photos(rng, 1),
            now=later(1, 24),
        )
    outcome = rng.choices(
        [Outcome.SOLVED, Outcome.PARTLY_SOLVED, Outcome.CANNOT_SOLVE_NOW, Outcome.NOT_RESPONSIBLE],
        weights=[80, 10, 6, 4],
    )[0]
    reason = "" if outcome == Outcome.SOLVED else "需进一步协调，已向群众说明情况。"
    incident = svc.incident_close(
        actor=closer, incident=incident, outcome=outcome, outcome_reason=reason, now=later(1, 20)
    )
    if incident.reporter_id == users["citizen"].pk and rng.random() < 0.6:
        svc.incident_rate(
            incident=incident,
            actor=users["citizen"],
            score=rng.choice((3, 4, 5, 5)),
            rater="reporter",
            now=later(1, 48),
        )
    return True


def _void(svc, incident, head, rng, at: datetime, users) -> bool:
    duplicate = None
    reason = rng.choice([VoidReason.NOT_TRUE, VoidReason.NOT_A_PROBLEM, VoidReason.DUPLICATE])
    if reason == VoidReason.DUPLICATE:
        duplicate = (
            Incident.objects.filter(category_code=incident.category_code, grid=incident.grid)
            .exclude(pk=incident.pk)
            .exclude(state=State.VOIDED)
            .order_by("-reported_at")
            .first()
        )
        if duplicate is None:
            reason = VoidReason.NOT_TRUE
    svc.incident_void(
        actor=head,
        incident=incident,
        reason=reason,
        note="" if duplicate else "现场查看未发现所述情况。",
        duplicate_of=duplicate,
        now=at,
    )
    return True


OPEN_TARGETS = {"reported", "verified", "accepted", "handling", "extended", "feedback"}


def _target(rng, age: timedelta) -> str:
    """Older incidents are mostly finished; recent ones still open. Never "dispatched": the
    dispatch demo (grid/demo/dispatch.py, seeded after this one) owns the incidents routed to
    departments and makes them through its own services; the ones accepted here without a
    handler wait in the centre's "to route" queue for it and for ``dispatcher``."""
    old = age > timedelta(days=12)
    states = [
        "reported",
        "verified",
        "accepted",
        "handling",
        "extended",
        "on_hold",
        "feedback",
        "closed",
        "voided",
    ]
    weights = [2, 2, 3, 4, 1, 2, 2, 30, 4] if old else [12, 9, 9, 14, 3, 2, 8, 12, 4]
    return rng.choices(states, weights=weights)[0]
