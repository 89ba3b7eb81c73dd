"""Importing boundaries: check every feature against the file and the map as it stands, report
every problem at once, preview what would be created and changed, and write it all or nothing.

The import adds and changes; it never closes an area that the file leaves out (closing is an
explicit act: :func:`portal.areas.services.area_close`). Importing the same file twice changes
nothing the second time. The management command (``areas import``), the register
administrator's page and the demo/generator all go through :func:`check` and :func:`apply`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import audit
from portal.areas import geometry
from portal.areas.lookup import STAMP_KEY, bump_stamp, read_stamp
from portal.errors import ActionError, Conflict
from portal.models.areas import (
    PARENT_KINDS,
    VILLAGE_KINDS,
    Area,
    AreaChange,
    AreaKind,
    ChangeStamp,
    SpecialKind,
)

FIGURES = ("households", "residents", "enterprises")
# kinds that tile their parent: every place of a village is in one grid, of a grid in one
# micro-grid; villages tile the town (whose boundary is the union of its villages)
TILING_CHILD = {
    AreaKind.VILLAGE: AreaKind.GRID,
    AreaKind.COMMUNITY: AreaKind.GRID,
    AreaKind.GRID: AreaKind.MICRO_GRID,
}
_LEVEL = {
    AreaKind.TOWN: 0,
    AreaKind.VILLAGE: 1,
    AreaKind.COMMUNITY: 1,
    AreaKind.GRID: 2,
    AreaKind.SPECIAL_GRID: 3,
    AreaKind.MICRO_GRID: 3,
}


def tolerance_m2() -> float:
    return float(getattr(settings, "AREA_OVERLAP_TOLERANCE_M2", 20.0))


@dataclass
class Feature:
    """One feature as read from a file (properties already mapped to our names)."""

    position: int  # 1-based, in file order
    code: str
    name: str = ""
    kind: str = ""
    parent: str = ""
    special_kind: str = ""
    geometry: dict | None = None
    figures: dict = field(default_factory=dict)  # households/residents/enterprises if given
    active_from: date | None = None
    read_problems: list[str] = field(default_factory=list)  # found while reading the file

    @property
    def label(self) -> str:
        return self.code or _("第%(n)s个要素（无编码）") % {"n": self.position}


@dataclass
class Problem:
    where: str  # the feature's code (or "第N个要素" without one), or "文件"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Item:
    action: str  # "create" | "change" | "unchanged"
    code: str
    name: str
    kind: str
    parent: str
    changes: dict = field(default_factory=dict)  # field -> [before, after]


@dataclass
class Plan:
    on: date
    stamp: int
    items: list[Item] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    absent: list[tuple[str, str]] = field(default_factory=list)  # (code, name) not in file
    converted_gcj02: bool = False
    gcj02_suspected: bool = False
    # what apply() writes: code -> resolved values
    rows: dict[str, dict] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, action: str) -> int:
        return sum(1 for i in self.items if i.action == action)

    def summary(self) -> dict:
        return {
            "create": self.count("create"),
            "change": self.count("change"),
            "unchanged": self.count("unchanged"),
            "absent": len(self.absent),
            "problems": len(self.problems),
        }


def _kind_label(kind: str) -> str:
    try:
        return str(AreaKind(kind).label)
    except ValueError:
        return kind


def check(
    features: list[Feature],
    *,
    on: date | None = None,
    from_gcj02: bool = False,
    file_problems: list[str] | None = None,
) -> Plan:
    """Check ``features`` against each other and the map in force on ``on``; never writes."""
    on = on or timezone.localdate()
    plan = Plan(on=on, stamp=read_stamp(), converted_gcj02=from_gcj02)
    problems = plan.problems
    for message in file_problems or []:
        problems.append(Problem(_("整个文件"), message))

    def problem(where: str, message: str) -> None:
        problems.append(Problem(where, message))

    existing = {a.code: a for a in Area.objects.all()}
    town = next((a for a in existing.values() if a.kind == AreaKind.TOWN), None)
    kinds = set(AreaKind.values) - {AreaKind.TOWN}

    # 1. each feature on its own
    seen: dict[str, int] = {}
    geoms: dict[str, geometry.Geometry] = {}
    good: list[Feature] = []
    for f in features:
        where = f.label
        for message in f.read_problems:
            problem(where, message)
        bad = bool(f.read_problems)
        if not f.code:
            problem(where, _("缺少编码（code）"))
            continue
        if f.code in seen:
            problem(
                where,
                _("编码重复（第%(a)s和第%(b)s个要素）") % {"a": seen[f.code], "b": f.position},
            )
            continue
        seen[f.code] = f.position
        if not f.name:
            problem(where, _("缺少名称（name）"))
            bad = True
        if f.kind not in kinds:
            problem(
                where,
                _("类别“%(kind)s”无效，应为 village、community、grid、micro_grid 或 special_grid")
                % {"kind": f.kind},
            )
            bad = True
        if f.special_kind and f.special_kind not in SpecialKind.values:
            problem(where, _("专属网格类型“%(v)s”无效") % {"v": f.special_kind})
            bad = True
        if f.special_kind and f.kind != AreaKind.SPECIAL_GRID:
            problem(where, _("只有专属网格才有专属网格类型"))
            bad = True
        old = existing.get(f.code)
        if old is not None and f.kind in kinds and old.kind != f.kind:
            problem(
                where,
                _("该编码已是%(old)s，不能改为%(new)s（编码不可挪用）")
                % {"old": _kind_label(old.kind), "new": _kind_label(f.kind)},
            )
            bad = True
        if old is not None and not old.is_active(on) and old.active_to and old.active_to <= on:
            problem(
                where,
                _("该编码的区域已于 %(d)s 停用，编码不能重复使用") % {"d": old.active_to},
            )
            bad = True
        if f.geometry is None:
            problem(where, _("缺少边界几何图形"))
            bad = True
        else:
            try:
                geom = geometry.parse(f.geometry)
                if from_gcj02:
                    geom = geometry.transform(geom, geometry.gcj02_to_wgs84)
                geom_problems = geometry.problems(geom)
            except geometry.GeometryError as exc:
                geom_problems = [str(exc)]
            for message in geom_problems:
                problem(where, message)
            if geom_problems:
                bad = True
            else:
                geoms[f.code] = geom
        if not bad:
            good.append(f)

    # 2. parents: in the file or on the map, of the right kind
    in_file = {f.code: f for f in good}
    parent_of: dict[str, str] = {}
    for f in good:
        parent = f.parent
        if not parent and f.kind in VILLAGE_KINDS and town is not None:
            parent = town.code
        if not parent:
            problem(f.code, _("缺少上级编码（parent）"))
            continue
        if parent == f.code:
            problem(f.code, _("上级编码不能是自己"))
            continue
        if parent in in_file:
            parent_kind = in_file[parent].kind
        elif parent in existing and existing[parent].is_active(on):
            parent_kind = existing[parent].kind
        elif parent in seen:
            continue  # the parent feature has its own problems, reported above
        else:
            problem(f.code, _("上级编码“%(p)s”不存在") % {"p": parent})
            continue
        if parent_kind not in PARENT_KINDS[f.kind]:
            problem(
                f.code,
                _("%(kind)s的上级不能是%(pkind)s（%(p)s）")
                % {"kind": _kind_label(f.kind), "pkind": _kind_label(parent_kind), "p": parent},
            )
            continue
        parent_of[f.code] = parent

    # 3. the map as it would stand: active areas, with the file's features laid over them
    state_kind: dict[str, str] = {}
    state_parent: dict[str, str] = {}
    state_geom: dict[str, geometry.Geometry] = {}
    code_by_id = {a.pk: a.code for a in existing.values()}
    for a in existing.values():
        if a.kind == AreaKind.TOWN or not a.is_active(on):
            continue
        state_kind[a.code] = a.kind
        state_parent[a.code] = code_by_id.get(a.parent_id, "")
        if a.boundary:
            try:
                state_geom[a.code] = geometry.parse(a.boundary)
            except geometry.GeometryError:
                pass
    reference = dict(state_geom)  # the map before the file, for the GCJ-02 test
    for code, parent in parent_of.items():
        state_kind[code] = in_file[code].kind
        state_parent[code] = parent
        state_geom[code] = geoms[code]
    children: dict[str, list[str]] = defaultdict(list)
    for code, parent in state_parent.items():
        children[parent].append(code)

    tol = tolerance_m2()
    touched = set(parent_of)
    # outside the parent
    for code in sorted(touched):
        parent = parent_of[code]
        if parent not in state_geom:
            continue
        out = geometry.outside_m2(state_geom[code], state_geom[parent])
        if out > tol:
            problem(
                code,
                _("超出上级区域 %(p)s 约 %(m)s 平方米") % {"p": parent, "m": _m2(out)},
            )
    # overlapping a sibling of the same kind
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for code in state_kind:
        if state_kind[code] == AreaKind.SPECIAL_GRID:
            continue  # special grids sit over ordinary grids and may overlap each other
        kind = state_kind[code]
        level = AreaKind.VILLAGE if kind in VILLAGE_KINDS else kind
        groups[(state_parent.get(code, ""), level)].append(code)
    reported: set[tuple[str, str]] = set()
    for (_parent, _level), codes in groups.items():
        if len(codes) < 2 or not touched.intersection(codes):
            continue
        codes.sort()
        index = geometry.PointIndex.build([state_geom[c] for c in codes])
        for i, j in index.intersecting_pairs():
            a, b = codes[i], codes[j]
            if a not in touched and b not in touched:
                continue
            overlap = geometry.overlap_m2(state_geom[a], state_geom[b])
            if overlap > tol and (a, b) not in reported:
                reported.add((a, b))
                where, other = (a, b) if a in touched else (b, a)
                problem(
                    where,
                    _("与同级区域 %(o)s 重叠约 %(m)s 平方米") % {"o": other, "m": _m2(overlap)},
                )
    # gaps: a village that has grids must be covered by them, a grid by its micro-grids
    parents_touched = {state_parent[c] for c in touched} | touched
    for parent in sorted(parents_touched):
        child_kind = TILING_CHILD.get(state_kind.get(parent, ""))
        if child_kind is None or parent not in state_geom:
            continue
        kids = [c for c in children.get(parent, []) if state_kind.get(c) == child_kind]
        if not kids:
            continue
        gap, where = geometry.uncovered(state_geom[parent], [state_geom[c] for c in kids])
        if gap > tol and where is not None:
            problem(
                parent,
                _("有约 %(m)s 平方米没有%(kind)s覆盖（约在 %(lng).6f, %(lat).6f）")
                % {"m": _m2(gap), "kind": _kind_label(child_kind), "lng": where.x, "lat": where.y},
            )

    # 4. GCJ-02 given as WGS-84: the file fits the map far better once converted
    if not from_gcj02 and reference:
        plan.gcj02_suspected = _looks_gcj02(geoms, parent_of, existing, reference)
        if plan.gcj02_suspected:
            sample = next(iter(geoms.values())).representative_point()
            problem(
                _("整个文件"),
                _(
                    "坐标疑似 GCJ-02（高德、腾讯地图坐标），与现有边界相差约 %(m)s 米；"
                    "请选择“从 GCJ-02 转换”（命令行 --from-gcj02）后重新检查"
                )
                % {"m": round(geometry.gcj02_offset_m(sample.x, sample.y))},
            )

    # 5. what would be created and changed
    for f in features:
        if f.code not in parent_of:
            continue
        old = existing.get(f.code)
        boundary = geometry.to_geojson(geoms[f.code])
        row = {
            "code": f.code,
            "name": f.name,
            "kind": f.kind,
            "special_kind": f.special_kind if f.kind == AreaKind.SPECIAL_GRID else "",
            "parent": parent_of[f.code],
            "boundary": boundary,
            **{k: v for k, v in f.figures.items() if k in FIGURES},
        }
        if old is None:
            if f.kind == AreaKind.SPECIAL_GRID and not row["special_kind"]:
                row["special_kind"] = SpecialKind.OTHER
            row["active_from"] = f.active_from or on
            plan.items.append(Item("create", f.code, f.name, f.kind, row["parent"]))
            plan.rows[f.code] = row
            continue
        changes = {}
        current = {
            "name": old.name,
            "special_kind": old.special_kind,
            "parent": code_by_id.get(old.parent_id, ""),
            "boundary": old.boundary,
            **{k: getattr(old, k) for k in FIGURES},
        }
        if f.kind == AreaKind.SPECIAL_GRID and not f.special_kind:
            row["special_kind"] = old.special_kind
        for key, value in row.items():
            if key in current and current[key] != value:
                if key == "boundary" and current[key] and _same_boundary(current[key], value):
                    continue
                changes[key] = [current[key], value]
        item = Item("change" if changes else "unchanged", f.code, f.name, f.kind, row["parent"])
        item.changes = {k: v for k, v in changes.items()}
        plan.items.append(item)
        if changes:
            plan.rows[f.code] = {"id": old.pk, **{k: v[1] for k, v in changes.items()}}
    whole_file = _("整个文件")
    plan.problems.sort(key=lambda p: p.where != whole_file)  # the file's own problems first
    listed = {f.code for f in features}
    plan.absent = sorted(
        (a.code, a.name)
        for a in existing.values()
        if a.kind != AreaKind.TOWN and a.is_active(on) and a.code not in listed
    )
    return plan


def _same_boundary(stored: dict, new: dict) -> bool:
    try:
        return geometry.equal(geometry.parse(stored), geometry.parse(new))
    except geometry.GeometryError:
        return False


def _m2(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def _looks_gcj02(geoms, parent_of, existing, reference) -> bool:
    """Compare how well each feature fits its reference on the map (the same code's current
    boundary, else its parent's) as given and once converted from GCJ-02."""
    better = tested = 0
    for code, geom in geoms.items():
        ref = reference.get(code)
        if ref is None:
            parent = parent_of.get(code)
            if parent and parent in reference and parent not in geoms:
                ref = reference[parent]
        if ref is None:
            continue
        area = geometry.area_m2(geom) or 1.0
        converted = geometry.transform(geom, geometry.gcj02_to_wgs84)
        raw_fit = 1 - geometry.outside_m2(geom, ref) / area
        new_fit = 1 - geometry.outside_m2(converted, ref) / area
        tested += 1
        if new_fit - raw_fit > 0.2:
            better += 1
        if tested >= 200:
            break
    return tested > 0 and better * 2 > tested


def apply(plan: Plan, *, actor, source: str = "", note: str = "") -> dict:
    """Write a checked plan: everything or nothing. Conflict (409) when the map changed since
    the plan was made; ValueError for a plan with problems (callers show them first)."""
    if plan.problems:
        raise ValueError("a plan with problems cannot be applied")
    with transaction.atomic():
        ChangeStamp.objects.get_or_create(key=STAMP_KEY)
        locked = ChangeStamp.objects.select_for_update().get(key=STAMP_KEY)
        if locked.value != plan.stamp:
            raise Conflict(_("检查之后区域又被修改过，请重新检查后再导入。"), code="areas_changed")
        result = _write(plan, actor=actor, source=source, note=note)
        if result["created"] or result["changed"]:
            audit.record(
                actor=actor,
                action="area.import",
                obj=None,
                after={**result, "source": source[:200]},
                note=note,
            )
            bump_stamp()
    return result


def _write(plan: Plan, *, actor, source: str, note: str) -> dict:
    actor_obj = actor if getattr(actor, "pk", None) else None
    actor_label = str(actor) if actor_obj else (actor if isinstance(actor, str) else "system")
    creates = [r for r in plan.rows.values() if "id" not in r]
    changes = [r for r in plan.rows.values() if "id" in r]
    needed = {r["parent"] for r in creates} | {r["parent"] for r in changes if "parent" in r}
    by_code = {
        a.code: a
        for a in Area.objects.filter(code__in=needed).only("id", "code", "kind", "village_id")
    }
    history: list[AreaChange] = []
    created: list[Area] = []
    # parents before children
    pending = sorted(creates, key=lambda r: (_LEVEL[r["kind"]], r["code"]))
    while pending:
        level_rows = [r for r in pending if r["parent"] in by_code]
        if not level_rows:  # check() guarantees every parent exists; defensive
            raise ValueError("unresolved parents: " + ", ".join(r["code"] for r in pending[:5]))
        objs = []
        for r in level_rows:
            parent = by_code[r["parent"]]
            objs.append(
                Area(
                    code=r["code"],
                    name=r["name"],
                    kind=r["kind"],
                    special_kind=r["special_kind"],
                    parent=parent,
                    village_id=_village_id(parent),
                    boundary=r["boundary"],
                    active_from=r["active_from"],
                    **{k: r.get(k, 0) for k in FIGURES},
                )
            )
        Area.objects.bulk_create(objs, batch_size=500)
        if objs[0].pk is None:  # backends that do not return keys
            fresh = Area.objects.filter(code__in=[o.code for o in objs]).only(
                "id", "code", "kind", "village_id"
            )
            objs = list(fresh)
        for obj in objs:
            by_code[obj.code] = obj
            created.append(obj)
        done = {r["code"] for r in level_rows}
        pending = [r for r in pending if r["code"] not in done]
    rows_by_code = {r["code"]: r for r in creates}
    for obj in created:
        r = rows_by_code[obj.code]
        history.append(
            AreaChange(
                area=obj,
                action=AreaChange.Action.CREATED,
                effective_on=r["active_from"],
                actor=actor_obj,
                actor_label=actor_label[:128],
                after=_snapshot(r),
                note=note,
                source=source[:200],
            )
        )
    for r in changes:
        area = Area.objects.select_for_update().get(pk=r["id"])
        before = {}
        after = {}
        for key, value in r.items():
            if key == "id":
                continue
            if key == "parent":
                parent = by_code[value]
                before["parent"] = area.parent.code if area.parent_id else ""
                area.parent = parent
                area.village_id = _village_id(parent)
                after["parent"] = value
                continue
            before[key] = getattr(area, key)
            setattr(area, key, value)
            after[key] = value
        area.revision += 1
        area.save()
        history.append(
            AreaChange(
                area=area,
                action=AreaChange.Action.CHANGED,
                effective_on=plan.on,
                actor=actor_obj,
                actor_label=actor_label[:128],
                before=before,
                after=after,
                note=note,
                source=source[:200],
            )
        )
    moved = [r["id"] for r in changes if "parent" in r]
    if moved:
        _refresh_villages(moved)
    AreaChange.objects.bulk_create(history, batch_size=1000)
    return {"created": len(created), "changed": len(changes), "unchanged": plan.count("unchanged")}


def _village_id(parent: Area) -> int | None:
    if parent.kind in VILLAGE_KINDS:
        return parent.pk
    return parent.village_id


def _refresh_villages(moved_ids: list[int]) -> None:
    """A grid moved to another village takes its micro-grids with it."""
    for grid in Area.objects.filter(pk__in=moved_ids, kind=AreaKind.GRID).only("id", "village_id"):
        Area.objects.filter(parent=grid).exclude(village_id=grid.village_id).update(
            village_id=grid.village_id
        )


def _snapshot(row: dict) -> dict:
    return {k: (str(v) if isinstance(v, date) else v) for k, v in row.items()}


# --- the register administrator's uploads ----------------------------------------------------

MAX_UPLOAD = 50 * 1024 * 1024
PREVIEW_ROWS = 500


def _report(plan: Plan, notes: list[str]) -> dict:
    items = []
    for item in plan.items:
        if item.action == "unchanged":
            continue
        changes = {
            k: (["…", "…"] if k == "boundary" else [str(v[0]), str(v[1])])
            for k, v in item.changes.items()
        }
        items.append(
            {
                "action": item.action,
                "code": item.code,
                "name": item.name,
                "kind": item.kind,
                "parent": item.parent,
                "changes": changes,
            }
        )
    return {
        "summary": plan.summary(),
        "problems": [[p.where, p.message] for p in plan.problems],
        "items": items[:PREVIEW_ROWS],
        "more_items": max(0, len(items) - PREVIEW_ROWS),
        "absent": [list(a) for a in plan.absent[:PREVIEW_ROWS]],
        "notes": notes,
        "gcj02_suspected": plan.gcj02_suspected,
    }


def _check_job(job) -> Plan:
    from portal.areas import formats

    read = formats.read(bytes(job.content), job.file_name)
    plan = check(
        read.features, on=job.effective_on, from_gcj02=job.from_gcj02, file_problems=read.problems
    )
    job.report = _report(plan, read.notes)
    job.ok = plan.ok
    job.stamp = plan.stamp
    return plan


def job_create(*, actor, file_name: str, content: bytes, on: date, from_gcj02: bool = False):
    """Store an uploaded boundary file and check it; nothing on the map changes."""
    import hashlib

    from portal.models import AreaImport

    if len(content) > MAX_UPLOAD:
        raise ActionError(
            _("文件不能超过 %(mb)s MB。") % {"mb": MAX_UPLOAD // (1024 * 1024)},
            fields={"file": _("文件过大。")},
        )
    job = AreaImport(
        file_name=file_name[:200],
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        effective_on=on,
        from_gcj02=from_gcj02,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _check_job(job)
    job.save()
    return job


def job_apply(*, actor, job):
    """Apply the previewed import. If the map changed since the preview, the file is checked
    again, the new preview stored, and Conflict raised so the person looks again first."""
    from portal.models import AreaImport

    stale = False
    with transaction.atomic():
        job = AreaImport.objects.select_for_update().get(pk=job.pk)
        if job.status == AreaImport.Status.APPLIED:
            raise Conflict(_("该文件已经导入。"), code="already_applied")
        previewed = job.stamp
        plan = _check_job(job)
        if plan.stamp != previewed or not plan.ok:
            stale = True  # keep the new preview, then tell the person
        else:
            job.result = apply(plan, actor=actor, source=job.file_name)
            job.status = AreaImport.Status.APPLIED
            job.applied_by = actor if getattr(actor, "pk", None) else None
            job.applied_at = timezone.now()
        job.save()
    if stale:
        raise Conflict(
            _("预览之后区域又被修改过，已重新检查，请再看一遍预览。"), code="areas_changed"
        )
    return job
