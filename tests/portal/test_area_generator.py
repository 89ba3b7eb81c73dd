"""The areas part of manage.py generate on a small town: the counts asked for, a consistent
tree, micro-grids and grids that tile their parents, the point lookup finding the generated
areas, the same seed giving the same map, and an existing map left alone."""

from datetime import date

import pytest
from django.core.management import call_command

from portal.areas import generate as areas_generate
from portal.areas import geometry, locate
from portal.models import Area, AreaChange, AreaKind
from portal.models.areas import ChangeStamp

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 9)
SMALL = {"villages": 4, "grids": 13, "micro_grids": 70, "special_grids": 3}


def generate(seed=7, **counts):
    return areas_generate.Generator(
        seed=seed, today=TODAY, years=1, log=lambda m: None, vacuum=False, **(counts or SMALL)
    ).run()


def test_small_town_has_the_counts_and_a_consistent_tree():
    stamp_before = ChangeStamp.objects.filter(key="areas").values_list("value", flat=True).first()
    result = generate()
    counts = result["counts"]
    assert counts["community"] == 4 and counts["grid"] == 13
    assert counts["micro_grid"] == 70 and counts["special_grid"] == 3
    assert Area.objects.count() == counts["areas"] == 1 + 4 + 13 + 70 + 3
    assert AreaChange.objects.filter(action="created").count() == Area.objects.count()
    since = areas_generate.since(TODAY, 1)
    assert set(Area.objects.values_list("active_from", flat=True)) == {since}
    town = Area.objects.get(kind=AreaKind.TOWN)
    for grid in Area.objects.filter(kind=AreaKind.GRID).select_related("parent"):
        assert grid.parent.kind == AreaKind.COMMUNITY and grid.village_id == grid.parent_id
        assert 1 <= grid.children.count() <= 12
        assert grid.households == sum(grid.children.values_list("households", flat=True))
    for micro in Area.objects.filter(kind=AreaKind.MICRO_GRID).select_related("parent"):
        assert micro.parent.kind == AreaKind.GRID and micro.village_id == micro.parent.village_id
        assert 50 <= micro.households <= 80
    for special in Area.objects.filter(kind=AreaKind.SPECIAL_GRID):
        assert special.special_kind
        assert special.parent_id == town.pk or special.village_id == special.parent_id
    # a new change stamp: every process rebuilds its lookup and the map's GeoJSON
    assert ChangeStamp.objects.get(key="areas").value not in (None, 0, stamp_before)
    # new areas after a COPY load get fresh ids (the sequence was moved on)
    extra = Area.objects.create(
        code="X1",
        name="x",
        kind=AreaKind.GRID,
        parent=Area.objects.filter(kind=AreaKind.COMMUNITY).first(),
        boundary={"type": "Polygon", "coordinates": []},
        active_from=TODAY,
    )
    assert extra.pk > max(Area.objects.exclude(pk=extra.pk).values_list("pk", flat=True))


def test_grids_and_micro_grids_tile_their_parents():
    generate()
    shapes = {
        a.pk: (a, geometry.parse(a.boundary))
        for a in Area.objects.exclude(kind=AreaKind.TOWN).exclude(kind=AreaKind.SPECIAL_GRID)
    }
    for pk, (area, shape) in shapes.items():
        if area.kind == AreaKind.MICRO_GRID:
            continue
        children = [s for a, s in shapes.values() if a.parent_id == pk]
        assert children, area.code
        gap, _where = geometry.uncovered(shape, children)
        assert gap < 5, (area.code, gap)  # m²: rounding to 1 cm, no more
        for i, a in enumerate(children):
            assert geometry.outside_m2(a, shape) < 5
            for b in children[i + 1 :]:
                assert geometry.overlap_m2(a, b) < 5, area.code


def test_the_lookup_finds_the_generated_areas():
    generate()
    for micro in Area.objects.filter(kind=AreaKind.MICRO_GRID).select_related("parent")[:25]:
        lng, lat = geometry.representative_xy(geometry.parse(micro.boundary))
        where = locate(lat, lng, on=TODAY)
        assert where.micro_grid.code == micro.code
        assert where.grid.code == micro.parent.code
        assert where.village.id == micro.village_id
    assert locate(0.0, 0.0, on=TODAY) is None


def test_same_seed_same_map_and_another_seed_another():
    def shape(seed):
        spec = areas_generate.town_spec(seed=seed, **SMALL)
        return [
            (f.code, f.name, f.kind, f.parent, f.geometry, f.figures)
            for f in areas_generate.features(spec, TODAY)
        ]

    first = shape(11)
    assert shape(11) == first
    assert shape(12) != first


def test_longgang_shape_by_default():
    spec = areas_generate.town_spec(seed=20261122)
    assert len(spec.villages) == 102
    assert sum(spec.grids) == 469 and all(3 <= n <= 7 for n in spec.grids)
    assert sum(map(sum, spec.micro_grids)) == 3311
    assert [len(m) for m in spec.micro_grids] == spec.grids
    assert len(spec.specials) == 15
    assert len({s.special_kind for s in spec.specials}) == 5
    assert len({name for _c, name, _k in spec.villages}) == 102


def test_refuses_a_database_that_has_a_map(town):
    with pytest.raises(RuntimeError, match="already has a map"):
        generate()


@pytest.mark.django_db(transaction=True)
def test_the_command_runs_the_part():
    call_command(
        "generate",
        "--only",
        "areas",
        "--today",
        TODAY.isoformat(),
        "--villages",
        "3",
        "--grids",
        "6",
        "--micro-grids",
        "20",
        "--special-grids",
        "2",
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    assert Area.objects.filter(kind=AreaKind.MICRO_GRID).count() == 20
    assert Area.objects.filter(kind=AreaKind.SPECIAL_GRID).count() == 2


def test_the_generated_town_passes_the_imports_checks():
    from portal.areas import imports, services

    spec = areas_generate.town_spec(seed=5, **SMALL)
    services.ensure_town(code=spec.town_code, name="龙岗", active_from=date(2024, 1, 1))
    plan = imports.check(areas_generate.features(spec, date(2024, 1, 1)))
    assert plan.problems == []
    assert plan.count("create") == 4 + 13 + 70 + 3
