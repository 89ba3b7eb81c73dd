"""Patrols on the phone: start, positions while walking, findings with photos, finish. Every
call carries the phone's own UUID (patrol and finding), so a request resent after a lost signal
returns what the first one made instead of making a second one."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grid.models import Assignment, AssignmentRole, DutyStandard, Finding, FindingPhoto, Patrol
from portal import audit, roles
from portal import photos as evidence
from portal.areas import geometry, locate
from portal.errors import ActionError, Conflict, Forbidden, NotFound
from portal.models import Area

PATROL_ROLES = (AssignmentRole.MEMBER, AssignmentRole.HEAD, AssignmentRole.INSTRUCTOR)
MAX_POINTS = 5000  # about seven hours at one position every five seconds


def _uuid(value, field: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError):
        raise ActionError(_("编号格式无效。"), fields={field: _("编号格式无效。")}) from None


def patrol_areas(member):
    """The grids ``member`` may patrol today."""
    return Area.objects.filter(
        pk__in=Assignment.objects.on().filter(user=member, role__in=PATROL_ROLES).values("area_id")
    ).order_by("code")


@transaction.atomic
def patrol_start(
    *, member, area: Area, public_id, started_at: datetime | None = None
) -> tuple[Patrol, bool]:
    """Start (or, for a resent request, find) the patrol ``public_id``. Returns (patrol, created)."""
    public_id = _uuid(public_id, "public_id")
    existing = Patrol.objects.filter(public_id=public_id).first()
    if existing is not None:
        if existing.member_id != member.pk:
            raise Conflict(_("该编号已被他人使用。"), code="uuid_taken")
        return existing, False
    if not member.has_role(roles.GRID_MEMBER, roles.GRID_HEAD):
        raise Forbidden(_("只有网格员和网格长可以巡查。"), code="not_allowed")
    if not patrol_areas(member).filter(pk=area.pk).exists():
        raise ActionError(
            _("您今天不负责%(area)s，不能在此巡查。") % {"area": area.name},
            code="not_your_grid",
            fields={"area": _("不是您负责的网格。")},
        )
    walking = (
        Patrol.objects.select_for_update()
        .filter(member=member, status=Patrol.Status.WALKING)
        .first()
    )
    if walking is not None:
        raise Conflict(
            _("您有一次巡查（%(area)s，%(at)s 开始）还没有结束，请先结束它。")
            % {
                "area": walking.area.name,
                "at": timezone.localtime(walking.started_at).strftime("%H:%M"),
            },
            code="patrol_in_progress",
        )
    now = timezone.now()
    started = started_at or now
    if started > now + timedelta(minutes=5):
        raise ActionError(_("开始时间不能晚于现在。"), fields={"started_at": _("不能晚于现在。")})
    try:
        with transaction.atomic():
            patrol = Patrol.objects.create(
                public_id=public_id, member=member, area=area, started_at=started
            )
    except IntegrityError:  # the same UUID sent twice at once: the other request made it
        return Patrol.objects.get(public_id=public_id), False
    audit.record(actor=member, action="grid.patrol.start", obj=patrol, after={"area": area.code})
    return patrol, True


def _lock_own(member, patrol: Patrol) -> Patrol:
    locked = Patrol.objects.select_for_update().select_related("area").get(pk=patrol.pk)
    if locked.member_id != member.pk:
        raise NotFound(_("未找到。"))
    return locked


def _clean_points(points) -> list[list[float]]:
    cleaned = []
    for p in points or []:
        try:
            lng, lat = float(p["lng"]), float(p["lat"])
            accuracy = float(p.get("accuracy") or 0)
            at = int(p["at"])
        except (KeyError, TypeError, ValueError):
            raise ActionError(
                _("位置数据格式无效。"), fields={"points": _("每个位置需要 lat、lng、at。")}
            ) from None
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            raise ActionError(_("位置坐标超出范围。"), fields={"points": _("坐标超出范围。")})
        cleaned.append([round(lng, 7), round(lat, 7), round(accuracy, 1), at])
    return cleaned


def track_distance(track) -> float:
    """Metres walked along a track of [lng, lat, …] points."""
    total = 0.0
    for a, b in zip(track, track[1:], strict=False):
        total += geometry.distance_m((a[0], a[1]), (b[0], b[1]))
    return round(total, 1)


@transaction.atomic
def patrol_track(*, member, patrol: Patrol, points) -> Patrol:
    """Add sampled positions (each {lat, lng, accuracy, at: epoch ms}); a position already
    stored (same ``at``) is not added twice. Positions sent after the finish are ignored."""
    cleaned = _clean_points(points)
    locked = _lock_own(member, patrol)
    if locked.status != Patrol.Status.WALKING or not cleaned:
        return locked
    known = {p[3] for p in locked.track}
    fresh = [p for p in cleaned if p[3] not in known]
    if not fresh:
        return locked
    track = sorted(locked.track + fresh, key=lambda p: p[3])
    if len(track) > MAX_POINTS:
        raise ActionError(_("轨迹点过多，请结束本次巡查。"), code="track_too_long")
    locked.track = track
    locked.distance_m = track_distance(track)
    locked.save(update_fields=["track", "distance_m"])
    return locked


@transaction.atomic
def patrol_finish(
    *, member, patrol: Patrol, households_visited: int = 0, note: str = "", finished_at=None
) -> Patrol:
    """Finish the patrol. Finishing a finished patrol again (a resend) changes nothing."""
    locked = _lock_own(member, patrol)
    if locked.status == Patrol.Status.FINISHED:
        return locked
    if households_visited is None or households_visited < 0 or households_visited > 1000:
        raise ActionError(
            _("走访户数应为0到1000之间的整数。"),
            fields={"households_visited": _("走访户数应为0到1000之间的整数。")},
        )
    finished = finished_at or timezone.now()
    if finished < locked.started_at:
        finished = locked.started_at
    locked.status = Patrol.Status.FINISHED
    locked.finished_at = finished
    locked.households_visited = households_visited
    locked.note = note
    locked.save(update_fields=["status", "finished_at", "households_visited", "note"])
    audit.record(
        actor=member,
        action="grid.patrol.finish",
        obj=locked,
        after={"households_visited": households_visited, "distance_m": locked.distance_m},
    )
    return locked


@transaction.atomic
def finding_add(
    *,
    member,
    patrol: Patrol,
    public_id,
    category: str,
    description: str,
    lat: float | None = None,
    lng: float | None = None,
    reported_at=None,
    photos=(),
) -> tuple[Finding, bool]:
    """Record a finding with its photos (or return the one a resend already made). Every
    problem — fields and each photo — is reported at once; nothing is written then."""
    public_id = _uuid(public_id, "public_id")
    existing = Finding.objects.filter(public_id=public_id).select_related("patrol").first()
    if existing is not None:
        if existing.patrol.member_id != member.pk:
            raise Conflict(_("该编号已被他人使用。"), code="uuid_taken")
        return existing, False
    locked = _lock_own(member, patrol)
    errors = {}
    if category not in Finding.Category.values:
        errors["category"] = [_("请选择类别。")]
    if not (description or "").strip():
        errors["description"] = [_("请描述发现的情况。")]
    if (lat is None) != (lng is None):
        errors["lat"] = [_("经纬度需同时提供。")]
    checked = []
    try:
        checked = evidence.check_many(photos, field="photos")
    except evidence.PhotoRejected as exc:
        errors.update(exc.fields)
    if errors:
        raise ActionError(_("请按提示修改。"), fields=errors)
    micro_grid_id = None
    if lat is not None:
        where = locate(lat, lng)
        micro_grid_id = where.micro_grid.id if where and where.micro_grid else None
    finding = Finding.objects.create(
        public_id=public_id,
        patrol=locked,
        category=category,
        description=description.strip(),
        lat=lat,
        lng=lng,
        micro_grid_id=micro_grid_id,
        reported_at=reported_at or timezone.now(),
    )
    for photo in evidence.store_many(checked, actor=member, purpose="grid.patrol_finding"):
        FindingPhoto.objects.create(finding=finding, photo=photo)
    audit.record(
        actor=member,
        action="grid.finding.add",
        obj=finding,
        after={"category": category, "photos": len(checked)},
    )
    return finding, True


@transaction.atomic
def duty_standard_set(
    *, actor, area: Area, patrols_per_week: int, visits_per_month: int
) -> DutyStandard:
    if not (actor.is_superuser or actor.has_role(roles.SUPERVISOR, roles.REGISTER_ADMIN)):
        from grid.services.people import can_manage

        if not can_manage(actor, area):
            raise Forbidden(_("您不能调整该网格的巡查标准。"), code="not_allowed")
    errors = {}
    if not isinstance(patrols_per_week, int) or not 0 <= patrols_per_week <= 50:
        errors["patrols_per_week"] = _("应为0到50之间的整数。")
    if not isinstance(visits_per_month, int) or not 0 <= visits_per_month <= 5000:
        errors["visits_per_month"] = _("应为0到5000之间的整数。")
    if errors:
        raise ActionError(_("请按提示修改。"), fields=errors)
    standard = DutyStandard.objects.select_for_update().filter(area=area).first()
    before = (
        {
            "patrols_per_week": standard.patrols_per_week,
            "visits_per_month": standard.visits_per_month,
        }
        if standard
        else None
    )
    if standard is None:
        standard = DutyStandard(area=area)
    standard.patrols_per_week = patrols_per_week
    standard.visits_per_month = visits_per_month
    standard.updated_by = actor if getattr(actor, "pk", None) else None
    standard.save()
    audit.record(
        actor=actor,
        action="grid.duty_standard.set",
        obj=area,
        before=before,
        after={"patrols_per_week": patrols_per_week, "visits_per_month": visits_per_month},
    )
    return standard
