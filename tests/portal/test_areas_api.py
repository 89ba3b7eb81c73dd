"""/api/v1/areas/: the map as GeoJSON (cached, invalidated on change), one area, and the point
lookup exactly as the interface says (404 with the usual error body outside the town)."""

import gzip

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from portal.areas import services
from portal.models import Area
from tests.portal.area_fixtures import point

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(make_user):
    client = APIClient()
    client.force_authenticate(make_user("grid_member"))
    return client


def test_locate_answers_the_documented_shape(api, town):
    lat, lng = point(0.5, 0.5)
    response = api.get("/api/v1/areas/locate/", {"lat": lat, "lng": lng})
    assert response.status_code == 200
    assert response.json() == {
        "village": {"code": "V1", "name": "东村"},
        "grid": {"code": "V1G1", "name": "东村一网格"},
        "micro_grid": {"code": "V1G1M1", "name": "东一南微网格"},
        "special_grids": [{"code": "S1", "name": "中学专属网格"}],
    }


def test_locate_on_an_edge_is_deterministic(api, town):
    lat, lng = point(2, 1.5)  # the edge between the two villages
    answers = {
        str(api.get("/api/v1/areas/locate/", {"lat": lat, "lng": lng}).json()) for _ in range(3)
    }
    assert len(answers) == 1 and "'V1'" in answers.pop()


def test_outside_the_town_is_404_with_the_error_body(api, town):
    response = api.get("/api/v1/areas/locate/", {"lat": 30.0, "lng": 120.0})
    assert response.status_code == 404
    assert response.json() == {
        "code": "outside_town",
        "message": "该位置不在本镇范围内。",
        "fields": {},
    }


@pytest.mark.parametrize(
    "params, field",
    [
        ({"lng": 113.7}, "lat"),
        ({"lat": "north", "lng": 113.7}, "lat"),
        ({"lat": 27.6, "lng": 200}, "lng"),
        ({"lat": "nan", "lng": 113.7}, "lat"),
        ({"lat": 27.6, "lng": 113.7, "on": "yesterday"}, "on"),
    ],
)
def test_bad_coordinates_are_400_naming_the_field(api, town, params, field):
    response = api.get("/api/v1/areas/locate/", params)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_signing_in_is_required(town):
    assert APIClient().get("/api/v1/areas/locate/", {"lat": 27.6, "lng": 113.7}).status_code in (
        401,
        403,
    )
    assert APIClient().get("/api/v1/areas/").status_code in (401, 403)


def test_the_map_geojson_filters_and_is_cached_until_a_change(api, town, make_user):
    data = api.get("/api/v1/areas/").json()
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 15
    first = data["features"][0]
    assert first["properties"]["label"] and first["geometry"]["type"] == "Polygon"
    grids = api.get("/api/v1/areas/", {"kind": "grid", "village": "V2"}).json()["features"]
    assert sorted(f["id"] for f in grids) == ["V2G1", "V2G2"]
    assert api.get("/api/v1/areas/", {"kind": "block"}).status_code == 400
    assert api.get("/api/v1/areas/", {"village": "V1G1"}).status_code == 400
    with CaptureQueriesContext(connection) as queries:
        api.get("/api/v1/areas/")
    assert len(queries) <= 3  # session/user and the stamp: the body comes from the cache
    services.area_update(
        actor=make_user("register_admin"), area=town["V2"], changes={"name": "西社区"}
    )
    names = {f["id"]: f["properties"]["name"] for f in api.get("/api/v1/areas/").json()["features"]}
    assert names["V2"] == "西社区"


def test_one_area_and_a_closed_one_on_a_past_date(api, town, make_user):
    from datetime import date

    feature = api.get("/api/v1/areas/V1G1M1/").json()
    assert feature["properties"]["parent"] == "V1G1" and feature["properties"]["village"] == "V1"
    assert api.get("/api/v1/areas/NOPE/").status_code == 404
    services.area_close(
        actor=make_user("register_admin"), area=town["S1"], on=date(2025, 1, 1), note="撤"
    )
    lat, lng = point(0.5, 0.5)
    now = api.get("/api/v1/areas/locate/", {"lat": lat, "lng": lng}).json()
    then = api.get("/api/v1/areas/locate/", {"lat": lat, "lng": lng, "on": "2024-12-31"}).json()
    assert now["special_grids"] == [] and then["special_grids"] == [
        {"code": "S1", "name": "中学专属网格"}
    ]


def test_the_map_geojson_has_an_etag_answers_304_and_is_gzipped(api, town, make_user):
    first = api.get("/api/v1/areas/")
    etag = first["ETag"]
    assert etag.startswith('"areas-') and "no-cache" in first["Cache-Control"]
    assert "Accept-Encoding" in first["Vary"]
    again = api.get("/api/v1/areas/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    # another question is another version
    grids = api.get("/api/v1/areas/", {"kind": "grid"}, HTTP_IF_NONE_MATCH=etag)
    assert grids.status_code == 200 and grids["ETag"] != etag
    zipped = api.get("/api/v1/areas/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == first.content
    # a change to the map: the old ETag no longer matches, the body is the new map
    services.area_update(
        actor=make_user("register_admin"), area=town["V2"], changes={"name": "西社区"}
    )
    changed = api.get("/api/v1/areas/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "西社区" in changed.content.decode()


def test_the_map_draws_a_detailed_boundary_simplified_and_keeps_it_whole(api, town, make_user):
    import math

    from portal.areas import imports

    lat0, lng0 = point(1.5, 1.5)
    ring = [
        [
            round(lng0 + 0.002 * math.cos(t / 200 * 2 * math.pi), 7),
            round(lat0 + 0.002 * math.sin(t / 200 * 2 * math.pi), 7),
        ]
        for t in range(200)
    ]
    ring.append(ring[0])
    detailed = {"type": "Polygon", "coordinates": [ring]}
    plan = imports.check(
        [
            imports.Feature(
                position=1,
                code="S2",
                name="圆形专属网格",
                kind="special_grid",
                parent="V1",
                special_kind="market",
                geometry=detailed,
            )
        ]
    )
    assert not plan.problems, plan.problems
    imports.apply(plan, actor=make_user("register_admin"))
    drawn = {f["id"]: f for f in api.get("/api/v1/areas/").json()["features"]}["S2"]
    points = drawn["geometry"]["coordinates"][0]
    assert 10 < len(points) < 120  # simplified to about a metre
    assert all(len(str(c).split(".")[-1]) <= 6 for p in points for c in p)
    label_lng, label_lat = drawn["properties"]["label"]
    assert abs(label_lng - lng0) < 0.002 and abs(label_lat - lat0) < 0.002
    # the stored boundary (and the single-area answer) keep every point
    assert len(Area.objects.get(code="S2").boundary["coordinates"][0]) == 201
    assert len(api.get("/api/v1/areas/S2/").json()["geometry"]["coordinates"][0]) == 201
