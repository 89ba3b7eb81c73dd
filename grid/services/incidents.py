"""Every state change of an incident. Keyword-only, atomic, row-locked, audited.

Races: callers pass the incident as they loaded it. The service locks the row; if its state
moved on in the meantime it raises Conflict (409); if the state is unchanged but the action is
not allowed in it, ActionError (400) with a stable code; a person whose role or grid does not
allow the action gets Forbidden (403) — pages and the API only offer incidents in the person's
scope, so a foreign incident is a 404 before any service runs.

Side effects (notifications, e-mail/SMS) are written in the same transaction through
portal.notifications, whose deliveries go out after commit: a rolled-back change tells nobody."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from grid.models import (
    Category,
    Incident,
    IncidentExtension,
    IncidentFollower,
    IncidentHold,
    IncidentNumberCounter,
    IncidentPhoto,
    IncidentRating,
    IncidentStep,
)
from grid.models.incidents import (
    OUTCOMES_WITH_REASON,
    LocationSource,
    Outcome,
    Source,
    State,
    Step,
    VoidReason,
)
from grid.selectors import categories as category_sel
from grid.selectors import incident_scope as scope
from portal import audit, clock, counters, photos, roles
from portal.errors import ActionError, Conflict, Forbidden
from portal.notifications import absolute_url, notify_many

PHOTO_PURPOSE = "grid.incident"
RATING_SALT = "grid.incident.rating"


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _label(actor) -> str:
    return (
        str(actor) if getattr(actor, "pk", None) else (actor if isinstance(actor, str) else "系统")
    )


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def reopen_days() -> int:
    return int(settings.ONEWINDOW.get("INCIDENT_REOPEN_DAYS", 7))


# --- numbers ---------------------------------------------------------------------------------


def allocate_number(day: date) -> str:
    """The next incident number of ``day`` (SJ + date + 5 digits). Inside the caller's
    transaction: the counter row stays locked until commit; a rollback gives the number back."""
    return f"SJ{day:%Y%m%d}{counters.next_value(IncidentNumberCounter, day=day):05d}"


# --- locking, history, clock -----------------------------------------------------------------


def _lock(incident: Incident) -> Incident:
    """Lock the row; Conflict when someone changed its state since the caller loaded it.
    The grid comes along (without its boundary) for the name the notifications show."""
    locked = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("category", "category__branch", "grid")
        .defer("grid__boundary")
        .get(pk=incident.pk)
    )
    if locked.state != incident.state:
        raise Conflict(
            _("该事件已被他人处理（当前状态：%(state)s），请刷新后再试。")
            % {"state": locked.get_state_display()},
            code="state_changed",
        )
    _remember_row(locked)
    return locked


def _remember_row(incident: Incident) -> None:
    incident._row_as_locked = {
        f.attname: getattr(incident, f.attname)
        for f in Incident._meta.concrete_fields
        if not f.primary_key
    }


def _save(incident: Incident) -> None:
    """Save the row, writing only the columns changed since ``_lock`` read it (the row is
    locked: nobody else changed it meanwhile) — an UPDATE of a dozen columns instead of sixty
    for each transition; every column when the row was not read by ``_lock``."""
    as_locked = getattr(incident, "_row_as_locked", None)
    if as_locked is None:
        incident.save()
    else:
        changed = [
            f.name
            for f in Incident._meta.concrete_fields
            if not f.primary_key
            and (
                getattr(f, "auto_now", False)
                or getattr(incident, f.attname) != as_locked[f.attname]
            )
        ]
        incident.save(update_fields=changed)
    _remember_row(incident)


def _ensure(incident: Incident, transition, code: str = "invalid_transition"):
    if not can_proceed(transition):
        raise ActionError(
            _("事件当前状态（%(state)s）不允许此操作。") % {"state": incident.get_state_display()},
            code=code,
        )


def _paused(incident: Incident, since: datetime, now: datetime) -> timedelta:
    """Time on hold since ``since`` (the start of the current handling clock)."""
    total = timedelta(0)
    for hold in incident.holds.all():
        start = max(hold.started_at, since)
        end = hold.ended_at or now
        if end > start:
            total += end - start
    return total


def refresh_clock(incident: Incident, now: datetime) -> None:
    """Recompute the current step's deadline and warning from the category version the
    incident started with, its holds, its approved extension and the hotline's own date."""
    category = incident.category
    state = incident.state
    before = (incident.step, incident.step_started_at)
    if state == State.REPORTED:
        step, start, limit = Step.VERIFY, incident.reported_at, category.limit("verify")
    elif state == State.VERIFIED:
        step, start, limit = Step.ACCEPT, incident.verified_at, category.limit("accept")
    elif state in (State.ACCEPTED, State.HANDLING, State.DISPATCHED, State.ON_HOLD):
        step, start = Step.HANDLE, incident.handle_started_at
        limit = category.limit("handle").extended(incident.extension)
    elif state == State.FEEDBACK:
        step, start, limit = Step.CHECK, incident.feedback_at, category.limit("verify")
    else:
        # Closed or voided: the clock stops where it was (its last deadline stays on record).
        incident.step = ""
        return
    start = start or now
    # A clock that starts now has had no time on hold (acceptance, a reopen): no need to ask.
    paused = (
        _paused(incident, start, now)
        if step == Step.HANDLE and incident.pk and start < now
        else None
    )
    due = clock.due_at(start, limit, paused=paused or None)
    if step == Step.HANDLE:
        if incident.external_due_at and incident.external_due_at < due:
            due = incident.external_due_at
        incident.handle_due_at = due
    incident.step = step
    incident.step_started_at = start
    incident.due_at = due
    incident.warn_at = clock.warn_at(due, limit)
    if (incident.step, incident.step_started_at) != before:
        incident.step_seq += 1


def _record(incident, action, *, actor, before, note="", data=None, now):
    IncidentStep.objects.create(
        incident=incident,
        at=now,
        actor=_user(actor),
        actor_label=_label(actor),
        action=action,
        from_state=before,
        to_state=incident.state,
        note=note,
        data=data or {},
    )
    audit.record(
        actor=_user(actor) or _label(actor),
        action=f"incident.{action}",
        obj=incident,
        before={"state": before} if before else None,
        after={"state": incident.state, **({"note": note} if note else {}), **(data or {})},
    )


def _move(incident: Incident, name: str, *, actor, now, note: str = "", data=None) -> None:
    """Run the FSM transition, recompute the clock, save, write history and audit."""
    before = incident.state
    transition = getattr(incident, name)
    _ensure(incident, transition)
    transition()
    refresh_clock(incident, now)
    _save(incident)
    _record(incident, name, actor=actor, before=before, note=note, data=data, now=now)


def _attach(incident: Incident, checked, *, actor, stage: str) -> list[IncidentPhoto]:
    if not checked:
        return []
    start = incident.photos.count()
    links = []
    for index, stored in enumerate(photos.store_many(checked, actor=actor, purpose=PHOTO_PURPOSE)):
        links.append(
            IncidentPhoto(incident=incident, photo=stored, stage=stage, order=start + index)
        )
    return IncidentPhoto.objects.bulk_create(links)


# --- who may ---------------------------------------------------------------------------------


def _deny(message=None):
    raise Forbidden(message or _("您的角色不能执行此操作。"), code="role_not_allowed")


def _require_grid_people(actor, incident: Incident):
    """A head or member of the incident's grid."""
    if not scope.is_in_grid(actor, incident.grid_id):
        _deny(_("只有本网格的网格员或网格长可以执行此操作。"))


def _require_head_or_centre(actor, incident: Incident):
    if scope.is_centre(actor) or scope.is_head_of(actor, incident.grid_id):
        return
    _deny(_("只有本网格的网格长或指挥中心可以执行此操作。"))


def _require_handler_side(actor, incident: Incident):
    if incident.handler_id == getattr(actor, "pk", None):
        return
    if scope.is_head_of(actor, incident.grid_id) or scope.is_centre(actor):
        return
    _deny(_("只有处置人或网格长可以执行此操作。"))


def _require_reporter(actor, incident: Incident):
    if not getattr(actor, "pk", None):
        _deny()
    if incident.reporter_id == actor.pk:
        return
    if incident.followers.filter(user=actor).exists():
        return
    _deny(_("只有上报人可以执行此操作。"))


def may_close(actor, incident: Incident) -> bool:
    """Someone other than the handler: the reporter when a grid member, the grid head, or the
    centre."""
    if not getattr(actor, "pk", None) or actor.pk == incident.handler_id:
        return False
    if scope.is_centre(actor) or scope.is_head_of(actor, incident.grid_id):
        return True
    return (
        incident.reporter_id == actor.pk
        and incident.source in (Source.GRID_MEMBER, Source.PATROL)
        and scope.is_in_grid(actor, incident.grid_id)
    )


def _text(value: str, field: str, *, required: bool = True, limit: int = 2000) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ActionError(
            _("请填写%(what)s。") % {"what": _field_label(field)},
            code="required",
            fields={field: _("必填。")},
        )
    if len(value) > limit:
        raise ActionError(
            _("%(what)s最多%(n)s字。") % {"what": _field_label(field), "n": limit},
            code="too_long",
            fields={field: _("最多%(n)s字。") % {"n": limit}},
        )
    return value


def _field_label(field: str) -> str:
    return {
        "description": _("情况描述"),
        "note": _("说明"),
        "reason": _("理由"),
        "outcome_reason": _("结果说明"),
        "address": _("地址"),
    }.get(field, field)


# --- people to tell --------------------------------------------------------------------------


def incident_url(incident: Incident) -> str:
    return reverse("grid:incident-detail", args=[incident.number])


def _tell(people, kind: str, incident: Incident, url: str | None = None, **context):
    people = {p.pk: p for p in people if p is not None and getattr(p, "pk", None)}
    if not people:
        return 0
    base = {
        "number": incident.number,
        "category": incident.category.name,
        "grid": _grid_name(incident),
        "due_at": incident.due_at,
    }
    return notify_many(
        recipients=people.values(),
        kind=f"grid.{kind}",
        obj=incident,
        context={**base, **context},
        url=url or incident_url(incident),
    )


def _grid_name(incident: Incident) -> str:
    """The grid's name without loading its boundary (big GeoJSON): from the grid _lock loaded,
    else one query (remembered on the incident: a close tells every reporter in turn)."""
    if not incident.grid_id:
        return ""
    if Incident.grid.is_cached(incident) and incident.grid is not None:
        return incident.grid.name
    known = getattr(incident, "_grid_name_of", None)
    if known is not None and known[0] == incident.grid_id:
        return known[1]
    from portal.models import Area

    name = Area.objects.filter(pk=incident.grid_id).values_list("name", flat=True).first() or ""
    incident._grid_name_of = (incident.grid_id, name)
    return name


def _reporters(incident: Incident) -> list:
    """The people a reporter-facing message goes to: the reporter (with an account) and every
    follower, each once — but never the grid member (or patrol) who reported it themselves,
    who is not even loaded."""
    skip = incident.reporter_id if incident.source in (Source.GRID_MEMBER, Source.PATROL) else None
    people = {}
    if incident.reporter_id and incident.reporter_id != skip:
        people[incident.reporter_id] = incident.reporter
    for follower in incident.followers.select_related("user"):
        if follower.user_id and follower.user_id != skip:
            people.setdefault(follower.user_id, follower.user)
    return list(people.values())


def _centre_people() -> list:
    from portal.models import User

    return list(User.objects.filter(is_active=True, groups__name=roles.DISPATCHER).order_by("pk"))


def _heads_or_centre(incident: Incident) -> list:
    return scope.heads_of(incident.grid_id) or _centre_people()


# --- location --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    lat: float | None
    lng: float | None
    village_id: int | None
    grid_id: int | None
    micro_grid_id: int | None


def _coordinate(value, field: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = None
    if number is None or number != number or not low <= number <= high:
        raise ActionError(
            _("位置坐标无效。"), code="invalid_location", fields={field: _("坐标超出范围。")}
        )
    return number


def locate_place(
    *, lat=None, lng=None, village_code: str = "", coords: str = "wgs84", on: date | None = None
) -> Place:
    """Where an incident is: a point (WGS-84; GCJ-02 from some maps is converted), or only a
    village (hotline orders without coordinates). A point outside the town is refused."""
    from portal.areas import locate

    if lat not in (None, "") or lng not in (None, ""):
        lat = _coordinate(lat, "lat", -90, 90)
        lng = _coordinate(lng, "lng", -180, 180)
        if coords == "gcj02":
            from portal.areas.geometry import gcj02_to_wgs84

            lng, lat = gcj02_to_wgs84(lng, lat)
        where = locate(lat, lng, on=on)
        if where is None:
            raise ActionError(
                _("该位置不在本镇范围内，请确认定位或在地图上重新选点。"),
                code="outside_town",
                fields={"lat": _("该位置不在本镇范围内。"), "lng": _("该位置不在本镇范围内。")},
            )
        return Place(
            lat=round(lat, 7),
            lng=round(lng, 7),
            village_id=where.village.id if where.village else None,
            grid_id=where.grid.id if where.grid else None,
            micro_grid_id=where.micro_grid.id if where.micro_grid else None,
        )
    if village_code:
        from portal.areas import selectors as area_sel

        village = area_sel.by_code(village_code, on=on)
        if village is None or not village.is_village:
            raise ActionError(
                _("没有编码为 %(code)s 的村（社区）。") % {"code": village_code},
                code="unknown_village",
                fields={"village": _("村（社区）编码不存在。")},
            )
        return Place(None, None, village.pk, None, None)
    raise ActionError(
        _("请提供事件位置（手机定位或在地图上选点）。"),
        code="location_required",
        fields={"lat": _("必填。"), "lng": _("必填。")},
    )


# --- report ----------------------------------------------------------------------------------


@dataclass
class Reported:
    incident: Incident
    created: bool


def _existing_for_uuid(client_uuid, actor) -> Incident | None:
    existing = Incident.objects.filter(client_uuid=client_uuid).first()
    if existing is None:
        return None
    if existing.reporter_id != getattr(actor, "pk", None):
        raise Conflict(
            _("该客户端编号已被其他上报使用。"),
            code="client_uuid_taken",
        )
    return existing


def _existing_hotline(external_number: str) -> Incident | None:
    return Incident.objects.filter(source=Source.HOTLINE, external_number=external_number).first()


def incident_report(
    *,
    actor,
    source: str,
    category_code: str,
    description: str,
    lat=None,
    lng=None,
    village_code: str = "",
    coords: str = "wgs84",
    location_source: str = LocationSource.GPS,
    address: str = "",
    photo_files=(),
    stored_photos=(),
    client_uuid: uuid.UUID | str | None = None,
    anonymous: bool = False,
    external_number: str = "",
    external_due_at: datetime | None = None,
    reporter_name: str = "",
    reporter_mobile: str = "",
    source_ref: str = "",
    now: datetime | None = None,
) -> Reported:
    """采集上报. Idempotent on ``client_uuid`` (the phone's) and, for the hotline, on
    ``external_number``: the same one again returns the incident made the first time
    (``created=False``) and writes nothing."""
    now = _now(now)
    if client_uuid not in (None, ""):
        try:
            client_uuid = uuid.UUID(str(client_uuid))
        except ValueError:
            raise ActionError(
                _("客户端编号格式不正确。"),
                code="invalid",
                fields={"client_uuid": _("应为UUID。")},
            ) from None
        existing = _existing_for_uuid(client_uuid, actor)
        if existing:
            return Reported(existing, False)
    else:
        client_uuid = None
    external_number = (external_number or "").strip()
    if source == Source.HOTLINE:
        if not getattr(actor, "pk", None) or not actor.has_role(roles.HOTLINE):
            _deny(_("只有12345热线系统账号可以推送热线工单。"))
        if not external_number:
            raise ActionError(
                _("请提供热线工单号。"),
                code="required",
                fields={"external_number": _("必填。")},
            )
        existing = _existing_hotline(external_number)
        if existing:
            return Reported(existing, False)
    elif source == Source.RESIDENT:
        if not (getattr(actor, "pk", None) and actor.has_role(roles.CITIZEN)):
            _deny(_("请以群众账号登录后上报。"))
    elif source in (Source.GRID_MEMBER, Source.PATROL):
        if not (getattr(actor, "pk", None) and actor.has_role(roles.GRID_MEMBER, roles.GRID_HEAD)):
            _deny(_("只有网格员或网格长可以上报。"))
    elif not scope.is_centre(actor):
        _deny()

    problems: dict[str, list[str]] = {}
    category = category_sel.leaf_in_force(category_code, now)
    if category is None:
        problems["category"] = [_("请选择现行有效的事件分类。")]
    try:
        description = _text(description, "description")
    except ActionError as exc:
        problems.update(exc.fields)
    try:
        address = _text(address, "address", required=False, limit=200)
    except ActionError as exc:
        problems.update(exc.fields)
    place = None
    try:
        place = locate_place(
            lat=lat, lng=lng, village_code=village_code, coords=coords, on=timezone.localdate(now)
        )
    except ActionError as exc:
        problems.update(exc.fields)
    checked = []
    try:
        checked = photos.check_many(photo_files, field="photos")
    except photos.PhotoRejected as exc:
        problems.update(exc.fields)
    if problems:
        raise ActionError(_("上报内容有误，请按提示修改。"), code="invalid", fields=problems)

    try:
        with transaction.atomic():
            incident = Incident(
                number=allocate_number(timezone.localdate(now)),
                client_uuid=client_uuid,
                source=source,
                external_number=external_number if source == Source.HOTLINE else "",
                external_due_at=external_due_at,
                source_ref=(source_ref or "")[:64],
                category=category,
                category_code=category.code,
                urgency=category.urgency,
                description=description,
                address=address,
                lat=place.lat,
                lng=place.lng,
                location_source=location_source
                if place.lat is not None
                else LocationSource.VILLAGE,
                village_id=place.village_id,
                grid_id=place.grid_id,
                micro_grid_id=place.micro_grid_id,
                reporter=_user(actor) if source != Source.HOTLINE else None,
                reporter_name=(reporter_name or "")[:64],
                reporter_mobile=(reporter_mobile or "")[:20],
                anonymous=bool(anonymous) and source == Source.RESIDENT,
                reported_at=now,
            )
            refresh_clock(incident, now)
            incident.save()
            _attach(incident, checked, actor=actor, stage=IncidentPhoto.Stage.REPORT)
            IncidentPhoto.objects.bulk_create(
                [
                    IncidentPhoto(
                        incident=incident,
                        photo=photo,
                        stage=IncidentPhoto.Stage.REPORT,
                        order=len(checked) + index,
                    )
                    for index, photo in enumerate(stored_photos)
                ]
            )
            _record(
                incident,
                "report",
                actor=actor,
                before="",
                data={"source": source, "photos": len(checked) + len(stored_photos)},
                now=now,
            )
            # A grid member's own report with a photo counts as verified.
            if (
                source in (Source.GRID_MEMBER, Source.PATROL)
                and (checked or stored_photos)
                and incident.grid_id is not None
            ):
                incident.verified_at = now
                incident.verified_by = _user(actor)
                _move(
                    incident,
                    "verify",
                    actor=actor,
                    now=now,
                    note=_("网格员现场上报并拍照，视为已核实"),
                    data={"automatic": True},
                )
                _tell(_heads_or_centre(incident), "incident_to_accept", incident)
            else:
                _tell(
                    scope.members_of(incident.grid_id) or _centre_people(),
                    "incident_to_verify",
                    incident,
                )
    except IntegrityError:
        # Two sends of the same report at once: the other one won; answer with it.
        if client_uuid is not None:
            existing = Incident.objects.filter(client_uuid=client_uuid).first()
            if existing:
                return Reported(existing, False)
        if source == Source.HOTLINE:
            existing = _existing_hotline(external_number)
            if existing:
                return Reported(existing, False)
        raise
    return Reported(incident, True)


def incident_from_finding(
    *, actor, finding, category_code: str, now: datetime | None = None
) -> Reported:
    """A patrol finding becomes an incident (source ``patrol``) with the finding's words, place
    and photos. Idempotent: the same finding again returns the incident made the first time."""
    ref = f"finding:{finding.public_id}"
    existing = Incident.objects.filter(source=Source.PATROL, source_ref=ref).first()
    if existing:
        return Reported(existing, False)
    # The finding's photos are already evidence in portal.Photo: linked, not copied.
    stored = [link.photo for link in finding.photos.select_related("photo")]
    return incident_report(
        actor=actor,
        source=Source.PATROL,
        category_code=category_code,
        description=finding.description,
        lat=finding.lat,
        lng=finding.lng,
        stored_photos=stored,
        source_ref=ref,
        client_uuid=uuid.uuid5(uuid.NAMESPACE_URL, f"onewindow:{ref}"),
        now=now,
    )


@transaction.atomic
def incident_join(
    *, actor, incident: Incident, client_uuid=None, note: str = "", now: datetime | None = None
) -> tuple[IncidentFollower, bool]:
    """ "Is it one of these?" — yes: the reporter follows the open incident instead of making a
    new one, and is told its outcome. Idempotent (per person, and per client UUID)."""
    now = _now(now)
    if not getattr(actor, "pk", None):
        _deny()
    if client_uuid:
        existing = IncidentFollower.objects.filter(client_uuid=client_uuid).first()
        if existing:
            return existing, False
    locked = Incident.objects.select_for_update(of=("self",)).get(pk=incident.pk)
    if not locked.is_open:
        raise ActionError(_("该事件已办结或作废，请直接上报新事件。"), code="incident_not_open")
    if locked.reporter_id == actor.pk:
        raise ActionError(_("这是您自己上报的事件。"), code="own_incident")
    existing = IncidentFollower.objects.filter(incident=locked, user=actor).first()
    if existing:
        return existing, False
    follower = IncidentFollower.objects.create(
        incident=locked,
        user=actor,
        kind=IncidentFollower.Kind.JOINED,
        client_uuid=client_uuid or None,
        note=(note or "")[:300],
        joined_at=now,
    )
    audit.record(actor=actor, action="incident.join", obj=locked, after={"follower": actor.pk})
    IncidentStep.objects.create(
        incident=locked,
        at=now,
        actor=actor,
        actor_label=_label(actor),
        action="join",
        from_state=locked.state,
        to_state=locked.state,
        note=(note or "")[:300],
    )
    return follower, True


# --- verify, accept, void --------------------------------------------------------------------


@transaction.atomic
def incident_verify(
    *, actor, incident: Incident, note: str = "", photo_files=(), now: datetime | None = None
) -> Incident:
    """信息核实: a member of the grid checked it on site."""
    now = _now(now)
    checked = photos.check_many(photo_files, field="photos")
    incident = _lock(incident)
    _require_grid_people(actor, incident)
    _ensure(incident, incident.verify)
    incident.verified_at = now
    incident.verified_by = _user(actor)
    incident.verify_note = _text(note, "note", required=False)
    _attach(incident, checked, actor=actor, stage=IncidentPhoto.Stage.VERIFY)
    _move(incident, "verify", actor=actor, now=now, note=incident.verify_note)
    _tell(_heads_or_centre(incident), "incident_to_accept", incident)
    return incident


@transaction.atomic
def incident_accept(
    *,
    actor,
    incident: Incident,
    note: str = "",
    handler=None,
    now: datetime | None = None,
) -> Incident:
    """确认受理 by the grid head or the centre; with ``handler``, handled in the grid at once."""
    now = _now(now)
    incident = _lock(incident)
    _require_head_or_centre(actor, incident)
    _ensure(incident, incident.accept)
    incident.accepted_at = now
    incident.accepted_by = _user(actor)
    incident.handle_started_at = now
    _move(incident, "accept", actor=actor, now=now, note=_text(note, "note", required=False))
    reporters = _reporters(incident)
    _tell(
        reporters,
        "incident_accepted",
        incident,
        url=reverse("grid:my-report", args=[incident.number]),
        text=incident.category.accepted_text,
    )
    if handler is not None:
        _start_handling(incident, actor=actor, handler=handler, now=now)
    elif incident.grid_id and not incident.category.grid_may_handle:
        _tell(_centre_people(), "incident_to_dispatch", incident)
    return incident


@transaction.atomic
def incident_void(
    *,
    actor,
    incident: Incident,
    reason: str,
    note: str = "",
    duplicate_of: Incident | None = None,
    now: datetime | None = None,
) -> Incident:
    """作废 with a reason; a duplicate names the incident it duplicates, whose reporters it
    joins (they are told its outcome)."""
    now = _now(now)
    if reason not in VoidReason.values:
        raise ActionError(
            _("请选择作废原因。"), code="invalid", fields={"reason": _("请选择作废原因。")}
        )
    if reason == VoidReason.DUPLICATE and duplicate_of is None:
        raise ActionError(
            _("重复上报须指明与哪个事件重复。"),
            code="duplicate_required",
            fields={"duplicate_of": _("请填写重复的事件编号。")},
        )
    # Not true / not a problem: say why in words; a duplicate names the original instead.
    note = _text(note, "note", required=reason != VoidReason.DUPLICATE, limit=1000)
    incident = _lock(incident)
    _require_head_or_centre(actor, incident)
    _ensure(incident, incident.void)
    original = None
    if reason == VoidReason.DUPLICATE:
        original = _check_original(incident, duplicate_of)
    incident.voided_at = now
    incident.void_reason = reason
    incident.void_note = note
    incident.duplicate_of = original
    _move(
        incident,
        "void",
        actor=actor,
        now=now,
        note=note,
        data={"reason": reason, **({"duplicate_of": original.number} if original else {})},
    )
    if original is not None:
        _merge_people(incident, original, now=now)
    _tell(
        _reporters(incident),
        "incident_voided",
        incident,
        url=reverse("grid:my-report", args=[incident.number]),
        reason=incident.get_void_reason_display(),
        note=note,
        original=original.number if original else "",
    )
    return incident


def _check_original(incident: Incident, original: Incident | None) -> Incident:
    if original is None or original.pk == incident.pk:
        raise ActionError(
            _("不能与自身重复。"),
            code="invalid_duplicate",
            fields={"duplicate_of": _("请填写另一个事件的编号。")},
        )
    original = Incident.objects.select_for_update(of=("self",)).get(pk=original.pk)
    if original.state == State.VOIDED:
        raise ActionError(
            _("事件 %(number)s 已作废，请指明最初的那个事件。") % {"number": original.number},
            code="invalid_duplicate",
            fields={"duplicate_of": _("该事件已作废。")},
        )
    return original


def _merge_people(duplicate: Incident, original: Incident, *, now) -> None:
    """The duplicate's reporter and followers follow the original (each once)."""
    have = set(
        IncidentFollower.objects.filter(incident=original, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )
    if original.reporter_id:
        have.add(original.reporter_id)
    people = []
    if duplicate.reporter_id:
        people.append(duplicate.reporter_id)
    people += list(duplicate.followers.filter(user__isnull=False).values_list("user_id", flat=True))
    rows = []
    for user_id in dict.fromkeys(people):
        if user_id in have:
            continue
        have.add(user_id)
        rows.append(
            IncidentFollower(
                incident=original,
                user_id=user_id,
                kind=IncidentFollower.Kind.MERGED,
                merged_from=duplicate,
                joined_at=now,
            )
        )
    IncidentFollower.objects.bulk_create(rows)


@transaction.atomic
def incident_merge(
    *, actor, incident: Incident, into: Incident, note: str = "", now: datetime | None = None
) -> Incident:
    """Staff merge two incidents afterwards: ``incident`` is voided as a duplicate of
    ``into`` (whatever step it had reached, as long as it is open), its people follow ``into``
    and are told its outcome once."""
    now = _now(now)
    incident = _lock(incident)
    if not (scope.is_centre(actor) or scope.is_head_of(actor, incident.grid_id)):
        _deny(_("只有网格长或指挥中心可以合并事件。"))
    if not incident.is_open:
        raise ActionError(_("只能合并未办结的事件。"), code="incident_not_open")
    original = _check_original(incident, into)
    if not (scope.is_centre(actor) or scope.is_head_of(actor, original.grid_id)):
        _deny(_("只有网格长或指挥中心可以合并事件。"))
    incident.voided_at = now
    incident.void_reason = VoidReason.DUPLICATE
    incident.void_note = _text(note, "note", required=False, limit=1000)
    incident.duplicate_of = original
    for hold in incident.holds.filter(ended_at__isnull=True):
        hold.ended_at = now
        hold.ended_by = _user(actor)
        hold.save(update_fields=["ended_at", "ended_by"])
    _move(
        incident,
        "merge",
        actor=actor,
        now=now,
        note=incident.void_note,
        data={"duplicate_of": original.number},
    )
    _merge_people(incident, original, now=now)
    IncidentStep.objects.create(
        incident=original,
        at=now,
        actor=_user(actor),
        actor_label=_label(actor),
        action="merged_in",
        from_state=original.state,
        to_state=original.state,
        data={"merged": incident.number},
    )
    return incident


# --- handle in the grid ----------------------------------------------------------------------


def _check_handler(incident: Incident, handler) -> None:
    if handler is None or not getattr(handler, "pk", None):
        raise ActionError(
            _("请选择处置人。"), code="invalid", fields={"handler": _("请选择处置人。")}
        )
    if not scope.is_in_grid(handler, incident.grid_id):
        raise ActionError(
            _("处置人须为本网格的网格长或网格员。"),
            code="handler_not_in_grid",
            fields={"handler": _("处置人须为本网格的网格长或网格员。")},
        )


def _start_handling(incident: Incident, *, actor, handler, now) -> None:
    if not incident.category.grid_may_handle:
        raise ActionError(
            _("“%(category)s”类事件不能由网格自行处置，请由指挥中心分流交办。")
            % {"category": incident.category.name},
            code="grid_may_not_handle",
        )
    _check_handler(incident, handler)
    incident.handler = handler
    _move(
        incident,
        "start_handling",
        actor=actor,
        now=now,
        data={"handler": handler.pk, "handler_name": str(handler)},
    )
    if handler.pk != getattr(actor, "pk", None):
        _tell([handler], "incident_assigned", incident)


@transaction.atomic
def incident_start_handling(
    *, actor, incident: Incident, handler=None, now: datetime | None = None
) -> Incident:
    """网格长处置: the grid head assigns a handler (or takes it); a member may take it."""
    now = _now(now)
    incident = _lock(incident)
    handler = handler or actor
    if scope.is_head_of(actor, incident.grid_id) or scope.is_centre(actor):
        pass
    elif scope.is_in_grid(actor, incident.grid_id) and handler.pk == actor.pk:
        pass
    else:
        _deny(_("只有本网格的网格长可以指派处置人；网格员只能自己承接。"))
    _ensure(incident, incident.start_handling, code="grid_may_not_handle")
    _start_handling(incident, actor=actor, handler=handler, now=now)
    return incident


@transaction.atomic
def incident_reassign(
    *, actor, incident: Incident, handler, note: str = "", now: datetime | None = None
) -> Incident:
    now = _now(now)
    incident = _lock(incident)
    _require_head_or_centre(actor, incident)
    _ensure(incident, incident.reassign)
    _check_handler(incident, handler)
    previous = incident.handler
    incident.handler = handler
    _move(
        incident,
        "reassign",
        actor=actor,
        now=now,
        note=_text(note, "note", required=False),
        data={"from": previous.pk if previous else None, "to": handler.pk},
    )
    _tell([handler], "incident_assigned", incident)
    return incident


@transaction.atomic
def incident_report_result(
    *, actor, incident: Incident, note: str, photo_files=(), now: datetime | None = None
) -> Incident:
    """结果反馈: the handler reports what was done, with photos."""
    now = _now(now)
    note = _text(note, "note")
    checked = photos.check_many(photo_files, field="photos", min_count=1)
    incident = _lock(incident)
    _require_handler_side(actor, incident)
    _ensure(incident, incident.report_result)
    incident.feedback_at = now
    incident.feedback_note = note
    _attach(incident, checked, actor=actor, stage=IncidentPhoto.Stage.RESULT)
    _move(incident, "report_result", actor=actor, now=now, note=note)
    _tell(_checkers(incident), "incident_to_check", incident)
    return incident


def _checkers(incident: Incident) -> list:
    """Who should check the result on site: the grid head and a reporting member (never the
    handler), else the centre."""
    people = [p for p in scope.heads_of(incident.grid_id) if p.pk != incident.handler_id]
    if (
        incident.reporter_id
        and incident.reporter_id != incident.handler_id
        and incident.source in (Source.GRID_MEMBER, Source.PATROL)
    ):
        people.append(incident.reporter)
    return people or _centre_people()


def _score(outcome: str, on_time: bool | None) -> int | None:
    """The closing step's score of the handling: the outcome, less 20 when late."""
    base = {
        Outcome.SOLVED: 100,
        Outcome.PARTLY_SOLVED: 70,
        Outcome.CANNOT_SOLVE_NOW: 50,
        Outcome.NOT_RESPONSIBLE: 60,
        Outcome.DUPLICATE: None,
    }.get(outcome)
    if base is None:
        return None
    return base - (20 if on_time is False else 0)


def rating_token(incident: Incident, *, user=None, rater: str) -> str:
    return signing.dumps(
        {"i": incident.pk, "u": getattr(user, "pk", None), "r": rater}, salt=RATING_SALT
    )


def rating_url(incident: Incident, *, user=None, rater: str) -> str:
    return reverse("grid:rate", args=[rating_token(incident, user=user, rater=rater)])


@transaction.atomic
def incident_close(
    *,
    actor,
    incident: Incident,
    outcome: str,
    outcome_reason: str = "",
    note: str = "",
    photo_files=(),
    now: datetime | None = None,
) -> Incident:
    """核查结案: someone other than the handler checked the result on site. Closed carries an
    outcome; "closed" is never "fixed" unless the outcome says so."""
    now = _now(now)
    if outcome not in Outcome.values:
        raise ActionError(
            _("请选择办理结果。"), code="invalid", fields={"outcome": _("请选择办理结果。")}
        )
    if outcome == Outcome.DUPLICATE:
        raise ActionError(
            _("重复事件请用“合并”，指明与哪个事件重复。"),
            code="use_merge",
            fields={"outcome": _("重复事件请用“合并”。")},
        )
    outcome_reason = _text(
        outcome_reason, "outcome_reason", required=outcome in OUTCOMES_WITH_REASON
    )
    checked = photos.check_many(photo_files, field="photos")
    incident = _lock(incident)
    _ensure(incident, incident.close)
    if not may_close(actor, incident):
        _deny(_("结案核查须由处置人以外的人员（网格长、上报的网格员或指挥中心）进行。"))
    incident.closed_at = now
    incident.closed_by = _user(actor)
    incident.outcome = outcome
    incident.outcome_reason = outcome_reason
    deadline = incident.handle_due_at
    incident.on_time = (incident.feedback_at or now) <= deadline if deadline else None
    incident.handling_score = _score(outcome, incident.on_time)
    _attach(incident, checked, actor=actor, stage=IncidentPhoto.Stage.CHECK)
    _move(
        incident,
        "close",
        actor=actor,
        now=now,
        note=_text(note, "note", required=False),
        data={"outcome": outcome, "on_time": incident.on_time},
    )
    _tell_outcome(incident, now=now)
    return incident


def _tell_outcome(incident: Incident, *, now) -> None:
    """Every reporter — the reporter, people who joined, reporters of merged duplicates — is
    told the outcome once, each with their own rating link."""
    people = _reporters(incident)
    for person in people:
        rater = (
            IncidentRating.Rater.REPORTER
            if person.pk == incident.reporter_id
            else IncidentRating.Rater.FOLLOWER
        )
        _tell(
            [person],
            "incident_closed",
            incident,
            url=reverse("grid:my-report", args=[incident.number]),
            outcome=incident.get_outcome_display(),
            outcome_reason=incident.outcome_reason,
            text=incident.category.closed_text,
            rating_url=absolute_url(rating_url(incident, user=person, rater=rater)),
        )
    incident.followers.filter(user__isnull=False).update(told_outcome_at=now)


@transaction.atomic
def incident_send_back(
    *, actor, incident: Incident, reason: str, photo_files=(), now: datetime | None = None
) -> Incident:
    """Not fixed: back to the handler with a reason."""
    now = _now(now)
    reason = _text(reason, "reason")
    checked = photos.check_many(photo_files, field="photos")
    incident = _lock(incident)
    _ensure(incident, incident.send_back)
    if not may_close(actor, incident):
        _deny(_("结案核查须由处置人以外的人员（网格长、上报的网格员或指挥中心）进行。"))
    _attach(incident, checked, actor=actor, stage=IncidentPhoto.Stage.CHECK)
    # The handling clock goes on from where it was: sending back does not give new time.
    _move(incident, "send_back", actor=actor, now=now, note=reason)
    _tell(
        [incident.handler] if incident.handler_id else _centre_people(),
        "incident_sent_back",
        incident,
        reason=reason,
    )
    return incident


@transaction.atomic
def incident_reopen(
    *, actor, incident: Incident, reason: str, photo_files=(), now: datetime | None = None
) -> Incident:
    """重新打开 by the reporter within the reopen window (days after closing)."""
    now = _now(now)
    reason = _text(reason, "reason")
    checked = photos.check_many(photo_files, field="photos")
    incident = _lock(incident)
    _require_reporter(actor, incident)
    _ensure(incident, incident.reopen)
    if incident.outcome == Outcome.DUPLICATE:
        raise ActionError(_("重复事件不能重新打开。"), code="not_reopenable")
    window = reopen_days()
    if incident.closed_at and now > incident.closed_at + timedelta(days=window):
        raise ActionError(
            _("结案已超过%(days)s天，不能重新打开；如问题仍在，请重新上报。") % {"days": window},
            code="reopen_window_passed",
        )
    incident.reopen_count += 1
    incident.outcome = ""
    incident.outcome_reason = ""
    incident.closed_at = None
    incident.closed_by = None
    incident.on_time = None
    incident.handling_score = None
    # A fresh handling clock from the reopening.
    incident.handle_started_at = now
    incident.extension = 0
    _attach(incident, checked, actor=actor, stage=IncidentPhoto.Stage.REOPEN)
    _move(incident, "reopen", actor=actor, now=now, note=reason)
    _tell(
        [incident.handler] if incident.handler_id else _heads_or_centre(incident),
        "incident_reopened",
        incident,
        reason=reason,
    )
    return incident


# --- hold, extension ---------------------------------------------------------------------------


@transaction.atomic
def incident_hold(
    *, actor, incident: Incident, reason: str, review_on: date, now: datetime | None = None
) -> Incident:
    """挂账: the clock pauses until resumed; the review date is reminded."""
    now = _now(now)
    reason = _text(reason, "reason")
    if not isinstance(review_on, date) or review_on <= timezone.localdate(now):
        raise ActionError(
            _("复查日期应晚于今天。"),
            code="invalid",
            fields={"review_on": _("复查日期应晚于今天。")},
        )
    incident = _lock(incident)
    _require_head_or_centre(actor, incident)
    _ensure(incident, incident.hold)
    incident.held_from = incident.state
    IncidentHold.objects.create(
        incident=incident, reason=reason, review_on=review_on, started_at=now, started_by=actor
    )
    _move(incident, "hold", actor=actor, now=now, note=reason, data={"review_on": review_on})
    return incident


@transaction.atomic
def incident_resume(
    *, actor, incident: Incident, note: str = "", now: datetime | None = None
) -> Incident:
    now = _now(now)
    incident = _lock(incident)
    _require_head_or_centre(actor, incident)
    _ensure(incident, incident.resume)
    incident.holds.filter(ended_at__isnull=True).update(ended_at=now, ended_by=actor)
    _move(incident, "resume", actor=actor, now=now, note=_text(note, "note", required=False))
    incident.held_from = ""
    incident.save(update_fields=["held_from"])
    return incident


@transaction.atomic
def extension_request(
    *, actor, incident: Incident, amount: int, reason: str, now: datetime | None = None
) -> IncidentExtension:
    """延期: once per incident, within the category's maximum."""
    now = _now(now)
    reason = _text(reason, "reason")
    incident = _lock(incident)
    _require_handler_side(actor, incident)
    if incident.state not in (State.ACCEPTED, State.HANDLING, State.DISPATCHED):
        raise ActionError(
            _("事件当前状态（%(state)s）不能申请延期。") % {"state": incident.get_state_display()},
            code="invalid_transition",
        )
    if incident.extensions.filter(
        status__in=[IncidentExtension.Status.PENDING, IncidentExtension.Status.APPROVED]
    ).exists():
        raise ActionError(_("每个事件只能延期一次。"), code="extension_used")
    room = incident.category.max_extension
    try:
        amount = int(amount)
    except (TypeError, ValueError):
        amount = 0
    if room <= 0:
        raise ActionError(
            _("“%(category)s”类事件不可延期。") % {"category": incident.category.name},
            code="extension_not_allowed",
        )
    if not 1 <= amount <= room:
        raise ActionError(
            _("延期最多%(n)s%(unit)s。") % {"n": room, "unit": incident.category.unit_label},
            code="invalid",
            fields={"amount": _("应为1到%(n)s之间的整数。") % {"n": room}},
        )
    extension = IncidentExtension.objects.create(
        incident=incident, amount=amount, reason=reason, requested_by=actor, requested_at=now
    )
    audit.record(
        actor=actor, action="incident.extension_request", obj=incident, after={"amount": amount}
    )
    IncidentStep.objects.create(
        incident=incident,
        at=now,
        actor=actor,
        actor_label=_label(actor),
        action="extension_request",
        from_state=incident.state,
        to_state=incident.state,
        note=reason,
        data={"amount": amount, "unit": incident.category.limit_unit},
    )
    approvers = [
        p for p in scope.heads_of(incident.grid_id) if p.pk != actor.pk
    ] or _centre_people()
    _tell(approvers, "incident_extension_requested", incident, amount=amount, reason=reason)
    return extension


@transaction.atomic
def extension_decide(
    *,
    actor,
    extension: IncidentExtension,
    approve: bool,
    note: str = "",
    now: datetime | None = None,
) -> IncidentExtension:
    now = _now(now)
    extension = IncidentExtension.objects.select_for_update().get(pk=extension.pk)
    if extension.status != IncidentExtension.Status.PENDING:
        raise Conflict(_("该延期申请已被他人审批。"), code="already_decided")
    incident = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("category")
        .get(pk=extension.incident_id)
    )
    _require_head_or_centre(actor, incident)
    if extension.requested_by_id == actor.pk:
        _deny(_("不能审批自己提出的延期申请。"))
    if not approve:
        note = _text(note, "note")
    extension.status = (
        IncidentExtension.Status.APPROVED if approve else IncidentExtension.Status.REJECTED
    )
    extension.decided_by = actor
    extension.decided_at = now
    extension.decision_note = note
    extension.save()
    if approve:
        incident.extension = extension.amount
        refresh_clock(incident, now)
        incident.save()
    IncidentStep.objects.create(
        incident=incident,
        at=now,
        actor=actor,
        actor_label=_label(actor),
        action="extension_approve" if approve else "extension_reject",
        from_state=incident.state,
        to_state=incident.state,
        note=note,
        data={"amount": extension.amount, "due_at": incident.due_at.isoformat()},
    )
    audit.record(
        actor=actor,
        action="incident.extension_decide",
        obj=incident,
        after={"approved": approve, "amount": extension.amount},
    )
    _tell(
        [extension.requested_by],
        "incident_extension_decided",
        incident,
        approved=approve,
        note=note,
    )
    return extension


# --- where it is -----------------------------------------------------------------------------


@transaction.atomic
def incident_relocate(
    *, actor, incident: Incident, lat, lng, note: str = "", now: datetime | None = None
) -> Incident:
    """Correct the location (and so the grid) of an incident that is not yet accepted: the
    centre, or the grid head of the grid it was in."""
    now = _now(now)
    incident = _lock(incident)
    _require_head_or_centre(actor, incident)
    if incident.state not in (State.REPORTED, State.VERIFIED):
        raise ActionError(_("已受理的事件不能更改位置。"), code="invalid_transition")
    place = locate_place(lat=lat, lng=lng, on=timezone.localdate(now))
    before = {"grid": incident.grid_id, "lat": incident.lat, "lng": incident.lng}
    incident.lat, incident.lng = place.lat, place.lng
    incident.village_id, incident.grid_id = place.village_id, place.grid_id
    incident.micro_grid_id = place.micro_grid_id
    incident.location_source = LocationSource.MAP
    incident.save()
    after = {"grid": incident.grid_id, "lat": incident.lat, "lng": incident.lng}
    audit.record(actor=actor, action="incident.relocate", obj=incident, before=before, after=after)
    IncidentStep.objects.create(
        incident=incident,
        at=now,
        actor=actor,
        actor_label=_label(actor),
        action="relocate",
        from_state=incident.state,
        to_state=incident.state,
        note=_text(note, "note", required=False),
        data=after,
    )
    return incident


# --- assess --------------------------------------------------------------------------------------


def read_rating_token(token: str) -> dict | None:
    try:
        return signing.loads(
            token, salt=RATING_SALT, max_age=timedelta(days=settings.INCIDENT_RATING_LINK_DAYS)
        )
    except signing.BadSignature:
        return None


@transaction.atomic
def incident_rate(
    *,
    incident: Incident,
    score: int,
    comment: str = "",
    actor=None,
    rater: str = IncidentRating.Rater.REPORTER,
    now: datetime | None = None,
) -> IncidentRating:
    """考核评价: a reporter (or follower, or the hotline caller by the link in the message)
    rates the handling 1–5, once."""
    now = _now(now)
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ActionError(
            _("请选择1到5分。"), code="invalid", fields={"score": _("请选择1到5分。")}
        )
    comment = _text(comment, "comment", required=False, limit=500)
    incident = Incident.objects.select_for_update(of=("self",)).get(pk=incident.pk)
    if incident.state != State.CLOSED:
        raise ActionError(_("事件办结后才能评价。"), code="not_closed")
    user = _user(actor)
    if rater != IncidentRating.Rater.CALLER:
        if user is None:
            _deny()
        if user.pk != incident.reporter_id and not incident.followers.filter(user=user).exists():
            _deny(_("只有上报人可以评价。"))
        done = IncidentRating.objects.filter(incident=incident, user=user)
    else:
        done = IncidentRating.objects.filter(incident=incident, rater=rater)
    if done.exists():
        raise Conflict(_("您已经评价过了，感谢您的反馈。"), code="already_rated")
    rating = IncidentRating.objects.create(
        incident=incident, user=user, rater=rater, score=score, comment=comment, at=now
    )
    audit.record(
        actor=user or _("热线来电人"),
        action="incident.rate",
        obj=incident,
        after={"score": score, "rater": rater},
    )
    return rating


def record_reporter_view(*, actor, incident: Incident) -> None:
    """A view of a resident's or caller's personal data goes into the audit trail."""
    audit.record(
        actor=actor,
        action="incident.reporter_view",
        obj=incident,
        after={"anonymous": incident.anonymous, "source": incident.source},
    )


# --- the dispatch slot (issue 13) -----------------------------------------------------------------
#
# The dispatch services of the next issue route work orders to departments and squads. They
# call these inside their own transaction, passing the incident as they loaded it; each locks,
# re-checks, moves the state, recomputes the clock and records history and audit like every
# other transition here.


@transaction.atomic
def dispatch_enter(
    *, actor, incident: Incident, note: str = "", data=None, now: datetime | None = None
) -> Incident:
    """分流交办: the incident leaves the grid for work orders (accepted or handling →
    dispatched)."""
    now = _now(now)
    incident = _lock(incident)
    _ensure(incident, incident.dispatch)
    _move(incident, "dispatch", actor=actor, now=now, note=note, data=data)
    return incident


@transaction.atomic
def dispatch_done(
    *, actor, incident: Incident, note: str, data=None, now: datetime | None = None
) -> Incident:
    """The lead work order is done and every co-handler answered: to verification and close."""
    now = _now(now)
    incident = _lock(incident)
    _ensure(incident, incident.dispatch_done)
    incident.feedback_at = now
    incident.feedback_note = note
    _move(incident, "dispatch_done", actor=actor, now=now, note=note, data=data)
    _tell(_checkers(incident), "incident_to_check", incident)
    return incident


@transaction.atomic
def dispatch_recall(
    *, actor, incident: Incident, note: str = "", data=None, now: datetime | None = None
) -> Incident:
    """Work orders withdrawn (or all returned): back to accepted, to be routed again."""
    now = _now(now)
    incident = _lock(incident)
    _ensure(incident, incident.dispatch_recall)
    _move(incident, "dispatch_recall", actor=actor, now=now, note=note, data=data)
    return incident


__all__ = [
    "Category",
    "Reported",
    "allocate_number",
    "dispatch_done",
    "dispatch_enter",
    "dispatch_recall",
    "extension_decide",
    "extension_request",
    "incident_accept",
    "incident_close",
    "incident_hold",
    "incident_join",
    "incident_merge",
    "incident_rate",
    "incident_relocate",
    "incident_reopen",
    "incident_report",
    "incident_report_result",
    "incident_reassign",
    "incident_resume",
    "incident_send_back",
    "incident_start_handling",
    "incident_verify",
    "incident_void",
    "locate_place",
    "may_close",
    "rating_url",
    "record_reporter_view",
    "refresh_clock",
]
