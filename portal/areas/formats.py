"""Reading boundary files into import features, and writing the map back out.

GeoJSON (a FeatureCollection; an old-style ``crs`` member naming EPSG:4490 or a 3° Gauss–Krüger
zone is honoured), KML/KMZ (always WGS-84) and a zipped shapefile (pyshp; its .prj says the
coordinate system, its .cpg the text encoding, else UTF-8 then GBK). Properties are matched
without regard to case, also by their Chinese names and by the 10-character names a shapefile's
DBF truncates them to. Kinds may be given in Chinese (村, 社区, 网格, 微网格, 专属网格).

Everything wrong with the file itself is collected (never raised), so the import can report all
problems at once."""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from xml.etree import ElementTree

from django.utils.translation import gettext as _

from portal.areas import geometry
from portal.areas.imports import FIGURES, Feature

MAX_UNZIPPED = 200 * 1024 * 1024

ALIASES = {
    "code": ("code", "编码", "区域编码", "网格编码", "areacode", "area_code"),
    "name": ("name", "名称", "区域名称", "网格名称", "areaname", "area_name"),
    "kind": ("kind", "类别", "类型", "层级", "level"),
    "parent": ("parent", "parent_code", "parentcode", "上级编码", "上级"),
    "special_kind": ("special_kind", "special", "专属类型", "专属网格类型"),
    "households": ("households", "户数"),
    "residents": ("residents", "人口", "人数", "population"),
    "enterprises": ("enterprises", "enterprise", "企业数"),
    "active_from": ("active_from", "启用日期", "start_date"),
}
KIND_WORDS = {
    "village": "village",
    "community": "community",
    "grid": "grid",
    "micro_grid": "micro_grid",
    "microgrid": "micro_grid",
    "special_grid": "special_grid",
    "村": "village",
    "行政村": "village",
    "社区": "community",
    "网格": "grid",
    "微网格": "micro_grid",
    "专属网格": "special_grid",
}
SPECIAL_WORDS = {
    "工业园区": "industrial_park",
    "园区": "industrial_park",
    "港口": "port",
    "市场": "market",
    "学校": "school",
    "企业": "enterprise",
    "其他": "other",
}


@dataclass
class ReadResult:
    features: list[Feature] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the file as a whole
    notes: list[str] = field(default_factory=list)  # e.g. "reprojected from EPSG:4527"
    format: str = ""


def _lookup(props: dict, key: str):
    wanted = ALIASES[key]
    lowered = {str(k).strip().lower(): v for k, v in props.items()}
    for alias in wanted:
        if alias in lowered:
            return lowered[alias]
    for alias in wanted:  # a DBF's 10-character field names
        short = alias[:10]
        for k, v in lowered.items():
            if len(k) == 10 and k == short:
                return v
    return None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def feature_from(position: int, props: dict, geom: dict | None) -> Feature:
    problems = []
    kind_raw = _text(_lookup(props, "kind"))
    kind = KIND_WORDS.get(kind_raw.lower(), KIND_WORDS.get(kind_raw, kind_raw.lower()))
    special_raw = _text(_lookup(props, "special_kind"))
    special = SPECIAL_WORDS.get(special_raw, special_raw.lower())
    figures = {}
    for key in FIGURES:
        raw = _lookup(props, key)
        if raw is None or raw == "":
            continue
        try:
            number = int(float(raw))
            if number < 0 or float(raw) != number:
                raise ValueError
            figures[key] = number
        except (TypeError, ValueError):
            problems.append(_("%(field)s 应为非负整数（现为“%(v)s”）") % {"field": key, "v": raw})
    active_from = None
    raw_date = _text(_lookup(props, "active_from"))
    if raw_date:
        try:
            active_from = date.fromisoformat(raw_date[:10])
        except ValueError:
            problems.append(_("active_from 应为 YYYY-MM-DD（现为“%(v)s”）") % {"v": raw_date})
    return Feature(
        position=position,
        code=_text(_lookup(props, "code")),
        name=_text(_lookup(props, "name")),
        kind=kind,
        parent=_text(_lookup(props, "parent")),
        special_kind=special,
        geometry=geom,
        figures=figures,
        active_from=active_from,
        read_problems=problems,
    )


def read(data: bytes, filename: str) -> ReadResult:
    """Read ``data`` according to its file name's extension (or its first bytes)."""
    lower = filename.lower()
    if lower.endswith((".geojson", ".json")):
        return read_geojson(data)
    if lower.endswith(".kml"):
        return read_kml(data)
    if lower.endswith((".kmz", ".zip")):
        if not zipfile.is_zipfile(io.BytesIO(data)):
            return ReadResult(problems=[_("文件不是有效的 zip 压缩包")])
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n.lower() for n in archive.namelist()]
        if any(n.endswith(".shp") for n in names):
            return read_shapefile_zip(data)
        if any(n.endswith(".kml") for n in names):
            return read_kml_zip(data)
        return ReadResult(problems=[_("压缩包里没有 .shp 或 .kml 文件")])
    head = data[:200].lstrip()
    if head.startswith(b"{"):
        return read_geojson(data)
    if head.startswith(b"<"):
        return read_kml(data)
    return ReadResult(
        problems=[_("无法识别的文件类型：请上传 GeoJSON、KML/KMZ 或 zip 压缩的 shapefile")]
    )


# --- GeoJSON ---------------------------------------------------------------------------------

_EPSG = re.compile(r"EPSG:{1,2}(\d{4,5})", re.IGNORECASE)


def read_geojson(data: bytes) -> ReadResult:
    result = ReadResult(format="GeoJSON")
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        result.problems.append(_("GeoJSON 无法解析（%(e)s）") % {"e": exc})
        return result
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        doc = {"type": "FeatureCollection", "features": [doc]}
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        result.problems.append(_("GeoJSON 应为 FeatureCollection"))
        return result
    code = None
    crs_name = ((doc.get("crs") or {}).get("properties") or {}).get("name", "")
    if crs_name:
        match = _EPSG.search(crs_name.replace("::", ":"))
        code = int(match.group(1)) if match else None
        if code is None and "CRS84" not in crs_name.upper():
            result.problems.append(_("无法识别 crs“%(c)s”") % {"c": crs_name})
        elif code is not None and not geometry.supported_crs(code):
            result.problems.append(_("坐标系 EPSG:%(c)s 不受支持") % {"c": code})
            code = None
    for position, item in enumerate(doc.get("features") or [], start=1):
        if not isinstance(item, dict):
            result.features.append(
                Feature(position=position, code="", read_problems=[_("不是 GeoJSON 要素")])
            )
            continue
        props = item.get("properties") or {}
        geom = item.get("geometry")
        feature = feature_from(position, props if isinstance(props, dict) else {}, geom)
        result.features.append(feature)
    _reproject_all(result, code)
    return result


def _reproject_all(result: ReadResult, code: int | None) -> None:
    """Bring projected coordinates to longitude/latitude: the declared system, else a 3°
    Gauss–Krüger zone recognised from an easting with its zone number in front."""
    if code is None:
        code = _guess_projected(result.features)
        if code is None:
            return
        result.notes.append(
            _(
                "坐标为投影坐标，按东坐标前的带号识别为 EPSG:%(c)s（CGCS2000 3° 高斯-克吕格）并已转换为经纬度"
            )
            % {"c": code}
        )
    elif code in (geometry.CGCS2000, geometry.WGS84):
        return
    else:
        result.notes.append(_("已从 EPSG:%(c)s 转换为经纬度") % {"c": code})
    convert = geometry.reprojector(code)
    for feature in result.features:
        if feature.geometry is None:
            continue
        try:
            shape = geometry.parse(feature.geometry)
            feature.geometry = geometry.to_geojson(geometry.transform(shape, convert))
        except geometry.GeometryError:
            pass  # check() reports it


def _guess_projected(features) -> int | None:
    for feature in features:
        try:
            shape = geometry.parse(feature.geometry)
        except geometry.GeometryError:
            continue
        minx, _miny, _maxx, _maxy = shape.bounds
        if abs(minx) <= 180:
            return None
        return geometry.guess_gk_zone(minx)
    return None


# --- KML -------------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element, name):
    return [c for c in element if _local(c.tag) == name]


def _find_all(element, name):
    return [e for e in element.iter() if _local(e.tag) == name]


def _ring(element) -> list[list[float]]:
    coords = next((e for e in element.iter() if _local(e.tag) == "coordinates"), None)
    if coords is None or not (coords.text or "").strip():
        return []
    points = []
    for chunk in coords.text.split():
        parts = chunk.split(",")
        try:
            points.append([float(parts[0]), float(parts[1])])
        except (IndexError, ValueError):
            raise geometry.GeometryError(_("坐标“%(c)s”无法解析") % {"c": chunk[:40]}) from None
    return points


def _kml_polygon(element) -> list[list[list[float]]]:
    rings = []
    for outer in _find_all(element, "outerBoundaryIs"):
        rings.append(_ring(outer))
    for inner in _find_all(element, "innerBoundaryIs"):
        rings.append(_ring(inner))
    return rings


def _kml_geometry(placemark) -> dict | None:
    polygons = _find_all(placemark, "Polygon")
    if polygons:
        parts = [_kml_polygon(p) for p in polygons]
        if len(parts) == 1:
            return {"type": "Polygon", "coordinates": parts[0]}
        return {"type": "MultiPolygon", "coordinates": parts}
    for kind, gtype in (("Point", "Point"), ("LineString", "LineString")):
        found = _find_all(placemark, kind)
        if found:
            ring = _ring(found[0])
            return {"type": gtype, "coordinates": ring[0] if gtype == "Point" and ring else ring}
    return None


def read_kml(data: bytes) -> ReadResult:
    result = ReadResult(format="KML")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        result.problems.append(_("KML 无法解析（%(e)s）") % {"e": exc})
        return result
    for position, placemark in enumerate(_find_all(root, "Placemark"), start=1):
        props = {}
        for data_el in _find_all(placemark, "Data"):
            value = next((c.text for c in data_el if _local(c.tag) == "value"), "")
            props[data_el.get("name", "")] = value or ""
        for simple in _find_all(placemark, "SimpleData"):
            props[simple.get("name", "")] = simple.text or ""
        name_el = next(iter(_children(placemark, "name")), None)
        if name_el is not None and name_el.text and "name" not in {k.lower() for k in props}:
            props["name"] = name_el.text
        try:
            geom = _kml_geometry(placemark)
            problems = []
        except geometry.GeometryError as exc:
            geom, problems = None, [str(exc)]
        feature = feature_from(position, props, geom)
        feature.read_problems = problems + feature.read_problems
        result.features.append(feature)
    if not result.features:
        result.problems.append(_("KML 中没有地标（Placemark）"))
    return result


def read_kml_zip(data: bytes) -> ReadResult:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        problem = _zip_too_large(archive)
        if problem:
            return ReadResult(format="KMZ", problems=[problem])
        name = next(n for n in archive.namelist() if n.lower().endswith(".kml"))
        result = read_kml(archive.read(name))
    result.format = "KMZ"
    return result


# --- shapefile -------------------------------------------------------------------------------


def _zip_too_large(archive: zipfile.ZipFile) -> str | None:
    if sum(i.file_size for i in archive.infolist()) > MAX_UNZIPPED:
        return _("压缩包解压后超过 %(mb)s MB") % {"mb": MAX_UNZIPPED // (1024 * 1024)}
    return None


def _encoding(cpg: bytes | None) -> list[str]:
    if cpg:
        text = cpg.decode("ascii", "ignore").strip().lower()
        if text in ("936", "cp936", "gbk", "gb2312", "gb18030"):
            return ["gb18030"]
        if text:
            return [text, "utf-8", "gb18030"]
    return ["utf-8", "gb18030"]


def read_shapefile_zip(data: bytes) -> ReadResult:
    import shapefile  # pyshp

    result = ReadResult(format="Shapefile")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        problem = _zip_too_large(archive)
        if problem:
            result.problems.append(problem)
            return result
        names = archive.namelist()
        shp = next(n for n in names if n.lower().endswith(".shp"))
        stem = shp[:-4].lower()

        def part(ext):
            name = next((n for n in names if n.lower() == stem + ext), None)
            return archive.read(name) if name else None

        shp_bytes, shx, dbf, prj, cpg = (part(e) for e in (".shp", ".shx", ".dbf", ".prj", ".cpg"))
    if dbf is None:
        result.problems.append(_("缺少 .dbf 文件（属性表）"))
        return result
    code = None
    if prj:
        code, description = geometry.crs_from_prj(prj.decode("utf-8", "ignore"))
        if code is None:
            result.problems.append(description)
            return result
    records = None
    for encoding in _encoding(cpg):
        try:
            reader = shapefile.Reader(
                shp=io.BytesIO(shp_bytes),
                shx=io.BytesIO(shx) if shx else None,
                dbf=io.BytesIO(dbf),
                encoding=encoding,
            )
            field_names = [f[0] for f in reader.fields[1:]]
            records = [
                (sr.shape, dict(zip(field_names, sr.record, strict=False)))
                for sr in reader.iterShapeRecords()
            ]
            break
        except UnicodeDecodeError:
            continue
        except (shapefile.ShapefileException, LookupError, ValueError, OSError) as exc:
            result.problems.append(_("shapefile 无法读取（%(e)s）") % {"e": exc})
            return result
    if records is None:
        result.problems.append(_("属性表的文字编码无法识别（请附 .cpg 文件注明 UTF-8 或 GBK）"))
        return result
    for position, (shape, props) in enumerate(records, start=1):
        geom = None if shape.shapeType == shapefile.NULL else shape.__geo_interface__
        result.features.append(feature_from(position, props, geom))
    if code is None:
        _reproject_all(result, None)
        if not result.notes:
            result.notes.append(_("没有 .prj 文件，按经纬度（CGCS2000）读取"))
    else:
        _reproject_all(result, code)
    return result


# --- writing ---------------------------------------------------------------------------------


def export_features(areas) -> dict:
    """The map as a GeoJSON FeatureCollection in the import's own shape (so importing it back
    changes nothing)."""
    codes = {a.pk: a.code for a in areas}
    features = []
    for area in areas:
        properties = {
            "code": area.code,
            "name": area.name,
            "kind": area.kind,
            "parent": codes.get(area.parent_id) or (area.parent.code if area.parent_id else ""),
        }
        if area.special_kind:
            properties["special_kind"] = area.special_kind
        for key in FIGURES:
            properties[key] = getattr(area, key)
        properties["active_from"] = area.active_from.isoformat()
        features.append({"type": "Feature", "properties": properties, "geometry": area.boundary})
    return {"type": "FeatureCollection", "features": features}
