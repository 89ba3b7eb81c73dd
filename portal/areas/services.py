"""Every change to the map outside a file import: the town itself, editing an area's name and
figures, closing, splitting and merging. Keyword-only, atomic, the row locked and its revision
re-checked (Conflict when someone changed it since the caller loaded it), history written,
the change stamp bumped so that every process rebuilds its lookup."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import audit
from portal.areas import geometry
from portal.areas.lookup import bump_stamp
from portal.errors import ActionError, Conflict
from portal.models.areas import VILLAGE_KINDS, Area, AreaChange, AreaKind

EDITABLE = ("name", "households", "residents", "enterprises", "special_kind")


def _actor_fields(actor) -> dict:
    actor_obj = actor if getattr(actor, "pk", None) else None
    label = str(actor) if actor_obj else (actor if isinstance(actor, str) else "system")
    return {"actor": actor_obj, "actor_label": label[:128]}


def _lock(area: Area, expected_revision: int | None) -> Area:
    locked = Area.objects.select_for_update().get(pk=area.pk)
    revision = area.revision if expected_revision is None else expected_revision
    if locked.revision != revision:
        raise Conflict(
            _("区域“%(name)s”已被他人修改，请刷新后再试。") % {"name": locked.name},
            code="area_changed",
        )
    return locked


def _history(area, action, *, actor, on, before=None, after=None, note="", source=""):
    AreaChange.objects.create(
        area=area,
        action=action,
        effective_on=on,
        before=before or {},
        after=after or {},
        note=note,
        source=source,
        **_actor_fields(actor),
    )
    audit.record(
        actor=actor,
        action=f"area.{action}",
        obj=area,
        before=before,
        after=after,
        note=note,
    )


@transaction.atomic
def ensure_town(*, code: str, name: str, actor="system", active_from: date | None = None) -> Area:
    """The town row (there is exactly one). Creates it, or renames it when asked."""
    town = Area.objects.filter(kind=AreaKind.TOWN).first()
    if town is None:
        town = Area.objects.create(
            code=code,
            name=name,
            kind=AreaKind.TOWN,
            active_from=active_from or timezone.localdate(),
        )
        _history(
            town,
            AreaChange.Action.CREATED,
            actor=actor,
            on=town.active_from,
            after={"code": code, "name": name},
        )
        bump_stamp()
    elif town.name != name:
        area_update(actor=actor, area=town, changes={"name": name})
        town.refresh_from_db()
    return town


@transaction.atomic
def area_update(
    *,
    actor,
    area: Area,
    changes: dict,
    effective_on: date | None = None,
    expected_revision: int | None = None,
    note: str = "",
) -> Area:
    """Change an area's name, figures or special kind (boundaries and parents come through an
    import, which checks them against their neighbours)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ActionError(_("这些字段不能在此修改：%(f)s") % {"f": ", ".join(sorted(unknown))})
    locked = _lock(area, expected_revision)
    if not locked.is_active(effective_on):
        raise ActionError(_("已停用的区域不能修改。"), code="area_closed")
    if "name" in changes and not str(changes["name"]).strip():
        raise ActionError(_("名称不能为空。"), code="invalid", fields={"name": _("名称不能为空。")})
    if changes.get("special_kind") and locked.kind != AreaKind.SPECIAL_GRID:
        raise ActionError(_("只有专属网格才有专属网格类型。"), fields={"special_kind": _("无效")})
    before, after = {}, {}
    for key, value in changes.items():
        if getattr(locked, key) != value:
            before[key] = getattr(locked, key)
            after[key] = value
            setattr(locked, key, value)
    if not after:
        return locked
    locked.revision += 1
    locked.save()
    _history(
        locked,
        AreaChange.Action.CHANGED,
        actor=actor,
        on=effective_on or timezone.localdate(),
        before=before,
        after=after,
        note=note,
    )
    bump_stamp()
    return locked


def active_children(area: Area, on: date | None = None):
    return Area.objects.active(on).filter(parent=area)


@transaction.atomic
def area_close(
    *,
    actor,
    area: Area,
    on: date,
    note: str,
    expected_revision: int | None = None,
    with_children: bool = False,
) -> list[Area]:
    """Close ``area`` from ``on`` (it is no longer in force that day). An explicit act, with a
    reason; areas below it must be closed first, or with it (``with_children``)."""
    if not note.strip():
        raise ActionError(_("请填写停用原因。"), fields={"note": _("请填写停用原因。")})
    if area.kind == AreaKind.TOWN:
        raise ActionError(_("镇不能停用。"), code="town")
    locked = _lock(area, expected_revision)
    if locked.active_to is not None and locked.active_to <= on:
        raise Conflict(_("该区域已于 %(d)s 停用。") % {"d": locked.active_to}, code="area_closed")
    if on <= locked.active_from:
        raise ActionError(
            _("停用日期应晚于启用日期 %(d)s。") % {"d": locked.active_from},
            fields={"on": _("停用日期应晚于启用日期。")},
        )
    below = list(Area.objects.active(on).within(locked).exclude(pk=locked.pk).order_by("-kind"))
    if below and not with_children:
        raise ActionError(
            _("该区域下还有 %(n)s 个在用的区域（如 %(names)s），请先停用或一并停用。")
            % {"n": len(below), "names": "、".join(a.name for a in below[:3])},
            code="has_children",
        )
    closed = []
    for target in [*below, locked]:
        before = {"active_to": str(target.active_to) if target.active_to else None}
        target.active_to = on
        target.revision += 1
        target.save(update_fields=["active_to", "revision", "updated_at"])
        _history(
            target,
            AreaChange.Action.CLOSED,
            actor=actor,
            on=on,
            before=before,
            after={"active_to": str(on)},
            note=note,
        )
        closed.append(target)
    bump_stamp()
    return closed


@transaction.atomic
def area_split(
    *,
    actor,
    area: Area,
    on: date,
    parts: list[dict],
    note: str,
    expected_revision: int | None = None,
) -> list[Area]:
    """Split ``area`` on ``on`` into ``parts`` (dicts with code, name, boundary and figures):
    the parts start that day, the old area closes that day, and its children move to the part
    that holds most of each. The parts must tile the old area."""
    return _reshape(
        actor=actor,
        olds=[area],
        on=on,
        parts=parts,
        note=note,
        action=AreaChange.Action.SPLIT,
        expected={area.pk: expected_revision},
    )


@transaction.atomic
def area_merge(
    *,
    actor,
    areas: list[Area],
    on: date,
    into: dict,
    note: str,
) -> Area:
    """Merge ``areas`` (siblings of one kind) on ``on`` into one new area ``into`` (code, name;
    the boundary is their union unless given)."""
    if len(areas) < 2:
        raise ActionError(_("至少选择两个区域合并。"), code="merge_too_few")
    if len({(a.kind, a.parent_id) for a in areas}) != 1:
        raise ActionError(_("只能合并同一上级下的同类区域。"), code="merge_mixed")
    if "boundary" not in into:
        into = {
            **into,
            "boundary": geometry.to_geojson(
                geometry.union(geometry.parse(a.boundary) for a in areas)
            ),
        }
    for key in ("households", "residents", "enterprises"):
        into.setdefault(key, sum(getattr(a, key) for a in areas))
    return _reshape(
        actor=actor,
        olds=list(areas),
        on=on,
        parts=[into],
        note=note,
        action=AreaChange.Action.MERGED,
        expected={a.pk: a.revision for a in areas},
    )[0]


def _reshape(*, actor, olds, on, parts, note, action, expected) -> list[Area]:
    if not note.strip():
        raise ActionError(_("请填写原因。"), fields={"note": _("请填写原因。")})
    if on > timezone.localdate():
        raise ActionError(
            _("拆分、合并的生效日期不能晚于今天。"), fields={"on": _("不能晚于今天。")}
        )
    locked = [_lock(a, expected.get(a.pk)) for a in sorted(olds, key=lambda a: a.pk)]
    first = locked[0]
    for old in locked:
        if not old.is_active(on) or on <= old.active_from:
            raise ActionError(
                _("%(name)s 在 %(d)s 不是在用状态，或生效日期不晚于其启用日期。")
                % {"name": old.name, "d": on},
                code="area_not_active",
            )
    old_shape = geometry.union(geometry.parse(o.boundary) for o in locked)
    shapes = []
    for part in parts:
        code = (part.get("code") or "").strip()
        if not code or not (part.get("name") or "").strip():
            raise ActionError(_("每个新区域都要有编码和名称。"), code="invalid")
        if Area.objects.filter(code=code).exists():
            raise ActionError(
                _("编码 %(code)s 已被使用，编码不能重复。") % {"code": code},
                code="code_taken",
                fields={"code": _("编码已被使用。")},
            )
        try:
            shape = geometry.parse(part["boundary"])
        except (KeyError, geometry.GeometryError) as exc:
            raise ActionError(_("%(code)s 的边界无效：%(e)s") % {"code": code, "e": exc}) from None
        found = geometry.problems(shape)
        if found:
            raise ActionError(_("%(code)s 的边界无效：%(e)s") % {"code": code, "e": found[0]})
        shapes.append(shape)
    from portal.areas.imports import tolerance_m2

    gap, _where = geometry.uncovered(old_shape, shapes)
    outside = geometry.outside_m2(geometry.union(shapes), old_shape)
    if gap > tolerance_m2() or outside > tolerance_m2():
        raise ActionError(
            _("新区域应正好覆盖原区域（缺 %(gap).0f 平方米，多出 %(out).0f 平方米）。")
            % {"gap": gap, "out": outside},
            code="parts_do_not_tile",
        )
    created = []
    for part, shape in zip(parts, shapes, strict=True):
        new = Area.objects.create(
            code=part["code"].strip(),
            name=part["name"].strip(),
            kind=first.kind,
            special_kind=first.special_kind,
            parent=first.parent,
            village=first.village,
            boundary=geometry.to_geojson(shape),
            households=part.get("households", 0),
            residents=part.get("residents", 0),
            enterprises=part.get("enterprises", 0),
            active_from=on,
        )
        new.predecessors.set(locked)
        _history(
            new,
            AreaChange.Action.CREATED,
            actor=actor,
            on=on,
            after={"code": new.code, "name": new.name, "from": [o.code for o in locked]},
            note=note,
        )
        created.append((new, shape))
    for old in locked:
        for child in Area.objects.active(on).filter(parent=old):
            child_shape = geometry.parse(child.boundary)
            target = max(created, key=lambda c: geometry.overlap_m2(c[1], child_shape))[0]
            child.parent = target
            if target.kind in VILLAGE_KINDS:
                Area.objects.filter(parent=child).update(village=target)
                child.village = target
            child.revision += 1
            child.save()
            _history(
                child,
                AreaChange.Action.CHANGED,
                actor=actor,
                on=on,
                before={"parent": old.code},
                after={"parent": target.code},
                note=note,
            )
        old.active_to = on
        old.revision += 1
        old.save(update_fields=["active_to", "revision", "updated_at"])
        _history(
            old,
            action,
            actor=actor,
            on=on,
            before={"active_to": None},
            after={"active_to": str(on), "into": [c[0].code for c in created]},
            note=note,
        )
    bump_stamp()
    return [c[0] for c in created]
