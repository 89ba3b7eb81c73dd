"""The map's register pages: import with preview, problems, stale previews; edit, close,
merge, split; export; who may do what."""

import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.areas import services
from portal.models import Area, AreaImport
from tests.portal.area_fixtures import cell, town_features
from tests.portal.test_area_import import broken_town, collection

pytestmark = pytest.mark.django_db


@pytest.fixture
def registrar(client, make_user):
    user = make_user("register_admin")
    client.force_login(user)
    return user


def upload(client, data, name="town.geojson", **extra):
    payload = json.dumps(data).encode() if isinstance(data, dict) else data
    return client.post(
        reverse("areas:import"),
        {"file": SimpleUploadedFile(name, payload), "on": "2025-01-01", **extra},
    )


def test_upload_preview_confirm(client, registrar):
    services.ensure_town(code="T", name="测试镇", active_from=date(2024, 1, 1))
    response = upload(client, collection(town_features()))
    assert response.status_code == 302
    job = AreaImport.objects.get()
    page = client.get(response.url)
    text = page.content.decode()
    assert "将新增 <strong>15</strong> 个" in text and "确认导入" in text
    assert Area.objects.count() == 1  # nothing written before the confirmation
    applied = client.post(reverse("areas:import-apply", args=[job.public_id]), follow=True)
    assert "已导入：新增 15 个" in applied.content.decode()
    assert Area.objects.count() == 16
    again = client.post(reverse("areas:import-apply", args=[job.public_id]), follow=True)
    assert "该文件已经导入" in again.content.decode()


def test_a_broken_upload_lists_every_problem_and_writes_nothing(client, registrar):
    services.ensure_town(code="T", name="测试镇", active_from=date(2024, 1, 1))
    response = upload(client, broken_town(), name="broken.geojson")
    page = client.get(response.url).content.decode()
    assert "未写入任何数据" in page
    for code in ("V1G1M1", "V2G1M1", "S1", "V2"):
        assert f"<code>{code}</code>" in page
    assert "确认导入" not in page
    assert Area.objects.count() == 1


def test_a_preview_made_stale_by_another_change_is_checked_again(client, registrar, town):
    features = town_features()
    features[0].name = "东村（新）"
    job_url = upload(client, collection(features)).url
    job = AreaImport.objects.get()
    services.area_update(actor=registrar, area=town["S1"], changes={"households": 1})
    response = client.post(reverse("areas:import-apply", args=[job.public_id]), follow=True)
    assert "预览之后区域又被修改过" in response.content.decode()
    assert Area.objects.get(code="V1").name == "东村"
    assert client.get(job_url).status_code == 200
    client.post(reverse("areas:import-apply", args=[job.public_id]))
    assert Area.objects.get(code="V1").name == "东村（新）"


def test_an_upload_that_is_not_a_boundary_file(client, registrar, town):
    response = upload(client, b"hello", name="notes.txt")
    page = client.get(response.url).content.decode()
    assert "无法识别的文件类型" in page


def test_supervisors_read_but_do_not_import(client, make_user, town):
    client.force_login(make_user("supervisor"))
    assert client.get(reverse("areas:list")).status_code == 200
    assert client.get(reverse("areas:detail", args=["V1G1"])).status_code == 200
    assert client.get(reverse("areas:import")).status_code == 403
    assert client.post(reverse("areas:close", args=["S1"]), {}).status_code == 403
    client.force_login(make_user("grid_member"))
    assert client.get(reverse("areas:list")).status_code == 403


def test_list_queries_do_not_grow_with_the_page(client, registrar, town):
    client.get(reverse("areas:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("areas:list") + "?kind=grid")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("areas:list"))
    assert len(few) == len(many)


def test_edit_with_a_stale_revision_is_refused(client, registrar, town):
    area = town["V1G1"]
    form = {
        "name": "东村一号网格",
        "households": 500,
        "residents": 1500,
        "enterprises": 3,
        "effective_on": "2025-02-01",
        "revision": area.revision,
    }
    response = client.post(reverse("areas:edit", args=["V1G1"]), form)
    assert response.status_code == 302
    assert Area.objects.get(code="V1G1").name == "东村一号网格"
    stale = client.post(reverse("areas:edit", args=["V1G1"]), {**form, "name": "别的名字"})
    assert stale.status_code == 409 and "已被他人修改" in stale.content.decode()
    bad = client.post(reverse("areas:edit", args=["V1G1"]), {**form, "households": -1})
    assert bad.status_code == 400


def test_closing_needs_confirmation_and_children(client, registrar, town):
    url = reverse("areas:close", args=["V1G1"])
    form = {"on": "2025-06-01", "note": "撤并", "revision": town["V1G1"].revision}
    assert client.post(url, form).status_code == 400  # not confirmed
    response = client.post(url, {**form, "confirm": "on"})
    assert response.status_code == 400 and "下还有 2 个在用的区域" in response.content.decode()
    assert client.post(url, {**form, "confirm": "on", "with_children": "on"}).status_code == 302
    assert Area.objects.get(code="V1G1M1").active_to == date(2025, 6, 1)


def test_merge_and_split_pages(client, registrar, town):
    response = client.post(
        reverse("areas:merge", args=["V2G1"]),
        {"others": "V2G2", "code": "V2G9", "name": "西村网格", "on": "2025-03-01", "note": "合并"},
    )
    assert response.status_code == 302 and response.url.endswith("/areas/V2G9/")
    parts = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "V1G5", "name": "南半"},
                "geometry": cell(0, 0, 1, 1),
            },
            {
                "type": "Feature",
                "properties": {"code": "V1G6", "name": "北半"},
                "geometry": cell(0, 1, 1, 2),
            },
        ],
    }
    response = client.post(
        reverse("areas:split", args=["V1G1"]),
        {
            "file": SimpleUploadedFile("parts.geojson", json.dumps(parts).encode()),
            "on": "2025-03-01",
            "note": "拆分",
        },
    )
    assert response.status_code == 302
    assert Area.objects.get(code="V1G1").active_to == date(2025, 3, 1)
    assert Area.objects.get(code="V1G1M2").parent.code == "V1G6"


def test_export_downloads_geojson(client, registrar, town):
    response = client.get(reverse("areas:export"))
    data = json.loads(response.content)
    assert response["Content-Type"].startswith("application/geo+json")
    assert len(data["features"]) == 15
    assert data["features"][0]["properties"]["kind"] in ("village", "community")
