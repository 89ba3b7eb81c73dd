"""A small hand-drawn town for area tests: two villages side by side, each with two grids of
two micro-grids, and one special grid. Cells are 0.01° squares near Xiabu (lng 113.70, lat
27.60), so shared edges and corners sit at known coordinates."""

from datetime import date

from portal.areas import imports, services
from portal.areas.imports import Feature

X0, Y0, D = 113.70, 27.60, 0.01
SINCE = date(2024, 1, 1)


def square(x0, y0, x1, y1) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
    }


def cell(i0, j0, i1, j1) -> dict:
    """Cells (i, j) counted in D steps east and north of (X0, Y0)."""
    return square(
        round(X0 + i0 * D, 7), round(Y0 + j0 * D, 7), round(X0 + i1 * D, 7), round(Y0 + j1 * D, 7)
    )


def point(i, j) -> tuple[float, float]:
    """(lat, lng) of a grid position (i, j) in D steps; fractions allowed."""
    return Y0 + j * D, X0 + i * D


def town_features() -> list[Feature]:
    rows = [
        # code, name, kind, parent, geometry, special kind
        ("V1", "东村", "village", "", cell(0, 0, 2, 2), ""),
        ("V2", "西村", "community", "", cell(2, 0, 4, 2), ""),
        ("V1G1", "东村一网格", "grid", "V1", cell(0, 0, 1, 2), ""),
        ("V1G2", "东村二网格", "grid", "V1", cell(1, 0, 2, 2), ""),
        ("V2G1", "西村一网格", "grid", "V2", cell(2, 0, 3, 2), ""),
        ("V2G2", "西村二网格", "grid", "V2", cell(3, 0, 4, 2), ""),
        ("V1G1M1", "东一南微网格", "micro_grid", "V1G1", cell(0, 0, 1, 1), ""),
        ("V1G1M2", "东一北微网格", "micro_grid", "V1G1", cell(0, 1, 1, 2), ""),
        ("V1G2M1", "东二南微网格", "micro_grid", "V1G2", cell(1, 0, 2, 1), ""),
        ("V1G2M2", "东二北微网格", "micro_grid", "V1G2", cell(1, 1, 2, 2), ""),
        ("V2G1M1", "西一南微网格", "micro_grid", "V2G1", cell(2, 0, 3, 1), ""),
        ("V2G1M2", "西一北微网格", "micro_grid", "V2G1", cell(2, 1, 3, 2), ""),
        ("V2G2M1", "西二南微网格", "micro_grid", "V2G2", cell(3, 0, 4, 1), ""),
        ("V2G2M2", "西二北微网格", "micro_grid", "V2G2", cell(3, 1, 4, 2), ""),
        ("S1", "中学专属网格", "special_grid", "V1", cell(0.25, 0.25, 0.75, 0.75), "school"),
    ]
    return [
        Feature(
            position=n,
            code=code,
            name=name,
            kind=kind,
            parent=parent,
            geometry=geom,
            special_kind=special,
            figures={"households": 60, "residents": 180, "enterprises": 1},
            active_from=SINCE,
        )
        for n, (code, name, kind, parent, geom, special) in enumerate(rows, start=1)
    ]


def make_town():
    """Create the town and its areas; returns {code: Area}."""
    from portal.models import Area

    services.ensure_town(code="T", name="测试镇", active_from=SINCE)
    plan = imports.check(town_features())
    assert plan.ok, [str(p) for p in plan.problems]
    imports.apply(plan, actor="system", source="test")
    return {a.code: a for a in Area.objects.all()}
