"""Boundary import and export: each format good and broken, every problem named at once,
nothing written on error, idempotent, projected and GCJ-02 coordinates, closing only on request."""

import io
import json
import zipfile
from datetime import date

import pytest
import shapefile
from django.core.management import CommandError, call_command
from django.utils import translation
from pyproj import CRS, Transformer
from pyproj.enums import WktVersion

from portal.areas import formats, geometry, imports
from portal.models import Area, AreaChange
from tests.portal.area_fixtures import cell, town_features

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese():
    """The command speaks the active language (Chinese unless a test switched it)."""
    with translation.override("zh-hans"):
        yield


def collection(features) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "code": f.code,
                    "name": f.name,
                    "kind": f.kind,
                    "parent": f.parent,
                    **({"special_kind": f.special_kind} if f.special_kind else {}),
                    **f.figures,
                },
                "geometry": f.geometry,
            }
            for f in features
        ],
    }


@pytest.fixture
def empty_town(db):
    from portal.areas import services

    return services.ensure_town(code="T", name="测试镇", active_from=date(2024, 1, 1))


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("areas", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return 1, out.getvalue(), err.getvalue() + str(exc)
    return 0, out.getvalue(), err.getvalue()


def write(tmp_path, name, data) -> str:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else json.dumps(data).encode())
    return str(path)


# --- GeoJSON through the command --------------------------------------------------------------


def test_geojson_dry_run_writes_nothing_then_import_then_again_changes_nothing(
    empty_town, tmp_path
):
    path = write(tmp_path, "town.geojson", collection(town_features()))
    code, out, _err = run("import", path, "--dry-run")
    assert code == 0 and "create 15" in out
    assert Area.objects.count() == 1
    code, out, _err = run("import", path)
    assert code == 0 and Area.objects.count() == 16
    history = AreaChange.objects.count()
    code, out, _err = run("import", path)
    assert code == 0 and "unchanged 15" in out
    assert AreaChange.objects.count() == history


def test_export_writes_the_shape_import_reads(town, tmp_path):
    path = str(tmp_path / "out.geojson")
    code, out, _err = run("export", path)
    assert code == 0 and "15 areas" in out
    data = json.loads((tmp_path / "out.geojson").read_text())
    first = data["features"][0]["properties"]
    assert set(first) >= {"code", "name", "kind", "parent"}
    code, out, _err = run("import", path, "--dry-run")
    assert code == 0 and "change 0, unchanged 15" in out


def broken_town() -> dict:
    features = town_features()
    by = {f.code: f for f in features}
    by["V1G2"].geometry = cell(0.5, 0, 2, 2)  # overlaps its sibling V1G1
    by["V2G2"].geometry = cell(3, 0, 4, 1.5)  # leaves a gap in V2 (and V2G2M2 sticks out)
    by["V1G1M1"].geometry = {  # a bow-tie
        "type": "Polygon",
        "coordinates": [
            [[113.70, 27.60], [113.71, 27.61], [113.71, 27.60], [113.70, 27.61], [113.70, 27.60]]
        ],
    }
    by["S1"].parent = "NOPE"
    by["V2G1M1"].geometry = {"type": "Point", "coordinates": [113.725, 27.605]}
    by["V2G1M2"].kind = "block"
    by["V1G1M2"].parent = "V1"  # a micro-grid straight under a village
    data = collection(features)
    data["features"].append(
        {"type": "Feature", "properties": {"name": "无编码"}, "geometry": cell(0, 0, 1, 1)}
    )
    data["features"].append(data["features"][2])  # V1G1 twice
    return data


EXPECTED = {
    "V2G2M2": "超出上级区域 V2G2",
    "V1G1M1": "自相交",
    "S1": "上级编码“NOPE”不存在",
    "V2G1M1": "不是面",
    "V2G1M2": "类别“block”无效",
    "V1G1M2": "微网格的上级不能是村",
    "第16个要素（无编码）": "缺少编码",
    "V1G1": "编码重复",
    "V2": "没有网格覆盖",
}


def test_a_broken_geojson_names_every_problem_and_writes_nothing(empty_town, tmp_path):
    path = write(tmp_path, "broken.geojson", broken_town())
    code, _out, err = run("import", path)
    assert code == 1
    lines = [line for line in err.splitlines() if ": " in line]
    for where, text in EXPECTED.items():
        assert any(line.startswith(f"{where}: ") and text in line for line in lines), where
    assert "V1G1: 与同级区域 V1G2 重叠约 1,09" in err  # 0.005° × 0.02°: about 1.09 km²
    assert Area.objects.count() == 1
    code, _out, err = run("import", path, "--dry-run")
    assert code == 1 and Area.objects.count() == 1


def test_a_file_that_is_not_geojson(empty_town, tmp_path):
    code, _out, err = run("import", write(tmp_path, "x.geojson", b"{not json"))
    assert code == 1 and "GeoJSON 无法解析" in err


def test_closing_is_never_implied_by_absence(town, tmp_path):
    features = [f for f in town_features() if f.code != "S1"]
    code, out, _err = run("import", write(tmp_path, "town.geojson", collection(features)))
    assert code == 0 and "not in the file (not closed): 1" in out
    assert Area.objects.get(code="S1").active_to is None
    code, out, _err = run("close", "S1", "--on", "2025-01-01", "--reason", "学校撤并")
    assert code == 0 and Area.objects.get(code="S1").active_to == date(2025, 1, 1)


def test_changes_are_previewed_and_written_with_history(town, tmp_path):
    features = town_features()
    by = {f.code: f for f in features}
    by["V1G1"].name = "东村第一网格"
    by["V1G1"].figures = {"households": 420}
    code, out, _err = run("import", write(tmp_path, "t.geojson", collection(features)))
    assert code == 0 and "change V1G1: households, name" in out
    change = AreaChange.objects.filter(area__code="V1G1", action="changed").get()
    assert change.before["name"] == "东村一网格" and change.after["households"] == 420


# --- GCJ-02 --------------------------------------------------------------------------------------


def shifted(features, fn):
    for f in features:
        f.geometry = geometry.to_geojson(geometry.transform(geometry.parse(f.geometry), fn))
    return features


def test_gcj02_coordinates_are_detected_and_converted_on_request(town, tmp_path):
    features = shifted(town_features(), geometry.wgs84_to_gcj02)
    for f in features:
        f.name += "（新）"
    path = write(tmp_path, "gcj.geojson", collection(features))
    code, _out, err = run("import", path)
    assert code == 1 and "整个文件: 坐标疑似 GCJ-02" in err
    code, out, _err = run("import", path, "--from-gcj02")
    assert code == 0, _err
    assert "change 15" in out
    v1 = geometry.parse(Area.objects.get(code="V1").boundary)
    assert geometry.equal(v1, geometry.parse(cell(0, 0, 2, 2)))  # back where it was


# --- KML -----------------------------------------------------------------------------------------


def kml(features, extra="") -> bytes:
    marks = []
    for f in features:
        ring = " ".join(f"{x},{y},0" for x, y in f.geometry["coordinates"][0])
        data = "".join(
            f'<Data name="{k}"><value>{v}</value></Data>'
            for k, v in {"code": f.code, "kind": f.kind, "parent": f.parent, **f.figures}.items()
        )
        if f.special_kind:
            data += f'<Data name="special_kind"><value>{f.special_kind}</value></Data>'
        marks.append(
            f"<Placemark><name>{f.name}</name><ExtendedData>{data}</ExtendedData>"
            f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{ring}</coordinates>"
            f"</LinearRing></outerBoundaryIs></Polygon></Placemark>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
        f"<Document>{''.join(marks)}{extra}</Document></kml>"
    ).encode()


def test_kml_good_and_broken(empty_town, tmp_path):
    features = town_features()
    code, out, err = run("import", write(tmp_path, "town.kml", kml(features)))
    assert code == 0, err
    assert Area.objects.get(code="S1").special_kind == "school"
    assert Area.objects.get(code="V1G1").households == 60
    broken = (
        "<Placemark><name>坏网格</name><ExtendedData><Data name='code'><value>V1G9</value></Data>"
        "<Data name='kind'><value>网格</value></Data><Data name='parent'><value>V1</value></Data>"
        "</ExtendedData><LineString><coordinates>113.70,27.60 113.71,27.61</coordinates>"
        "</LineString></Placemark>"
    )
    code, _out, err = run("import", write(tmp_path, "bad.kml", kml(features, broken)))
    assert code == 1 and "V1G9: 不是面" in err
    assert not Area.objects.filter(code="V1G9").exists()
    code, _out, err = run("import", write(tmp_path, "bad2.kml", b"<kml><Document><Placemark>"))
    assert code == 1 and "KML 无法解析" in err


# --- shapefiles ----------------------------------------------------------------------------------


def shapefile_zip(features, *, epsg=None, encoding="utf-8", cpg=True, transform=None) -> bytes:
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    with shapefile.Writer(
        shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POLYGON, encoding=encoding
    ) as w:
        for name, size in (
            ("CODE", 20),
            ("NAME", 40),
            ("KIND", 16),
            ("PARENT", 20),
            ("SPECIAL", 20),
        ):
            w.field(name, "C", size=size)
        w.field("HOUSEHOLDS", "N", size=8)
        for f in features:
            ring = f.geometry["coordinates"][0]
            if transform:
                ring = [list(transform(x, y)) for x, y in ring]
            w.poly([ring[::-1]])  # shapefile outer rings run clockwise
            w.record(
                f.code, f.name, f.kind, f.parent, f.special_kind, f.figures.get("households", 0)
            )
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("areas/areas.shp", shp.getvalue())
        z.writestr("areas/areas.shx", shx.getvalue())
        z.writestr("areas/areas.dbf", dbf.getvalue())
        if cpg:
            z.writestr("areas/areas.cpg", "GBK" if encoding == "gbk" else "UTF-8")
        if epsg:
            z.writestr("areas/areas.prj", CRS.from_epsg(epsg).to_wkt(WktVersion.WKT1_ESRI))
    return archive.getvalue()


def test_shapefile_in_cgcs2000_with_gbk_names(empty_town, tmp_path):
    data = shapefile_zip(town_features(), epsg=4490, encoding="gbk")
    code, out, err = run("import", write(tmp_path, "areas.zip", data))
    assert code == 0, err
    assert Area.objects.get(code="V2").name == "西村"
    assert Area.objects.get(code="V2").kind == "community"


@pytest.mark.parametrize("epsg", [4526, 4545])  # GK zone 38 (zone in the easting), CM 114°E
def test_shapefile_in_gauss_kruger_is_reprojected(empty_town, tmp_path, epsg):
    to_gk = Transformer.from_crs(4490, epsg, always_xy=True)
    data = shapefile_zip(town_features(), epsg=epsg, transform=to_gk.transform)
    code, out, err = run("import", write(tmp_path, "gk.zip", data))
    assert code == 0, err
    assert f"EPSG:{epsg}" in out
    v1 = geometry.parse(Area.objects.get(code="V1").boundary)
    assert geometry.equal(v1.normalize(), geometry.parse(cell(0, 0, 2, 2)).normalize())


def test_shapefile_without_prj_but_zone_in_the_easting(empty_town, tmp_path):
    to_gk = Transformer.from_crs(4490, 4526, always_xy=True)
    data = shapefile_zip(town_features(), transform=to_gk.transform)
    code, out, err = run("import", write(tmp_path, "gk.zip", data))
    assert code == 0, err
    assert "EPSG:4526" in out


def test_broken_shapefiles(empty_town, tmp_path):
    features = town_features()
    features[2].parent = "NOWHERE"
    code, _out, err = run("import", write(tmp_path, "a.zip", shapefile_zip(features, epsg=4490)))
    assert code == 1 and "V1G1: 上级编码“NOWHERE”不存在" in err
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.shp", b"\x00" * 100)
    code, _out, err = run("import", write(tmp_path, "b.zip", archive.getvalue()))
    assert code == 1 and ".dbf" in err
    code, _out, err = run("import", write(tmp_path, "c.zip", b"PK\x03\x04 not really"))
    assert code == 1 and "zip" in err
    data = shapefile_zip(town_features(), epsg=3857)
    code, _out, err = run("import", write(tmp_path, "d.zip", data))
    assert code == 1 and "不受支持" in err
    assert Area.objects.count() == 1


def test_reading_chinese_property_names_and_kinds():
    result = formats.read_geojson(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"编码": "X1", "名称": "甲村", "类别": "村", "户数": "120"},
                        "geometry": cell(0, 0, 1, 1),
                    }
                ],
            }
        ).encode()
    )
    f = result.features[0]
    assert (f.code, f.name, f.kind, f.figures) == ("X1", "甲村", "village", {"households": 120})


def test_check_reports_and_apply_refuses_after_someone_else_changed_the_map(town, make_user):
    from portal.areas import services
    from portal.errors import Conflict

    features = town_features()
    features[0].name = "东村（改）"
    plan = imports.check(features)
    assert plan.ok and plan.count("change") == 1
    services.area_update(
        actor=make_user("register_admin"), area=town["S1"], changes={"name": "中学"}
    )
    with pytest.raises(Conflict):
        imports.apply(plan, actor="test")
    assert Area.objects.get(code="V1").name == "东村"
