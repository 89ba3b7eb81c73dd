"""The dashboards' filter lists (departments, windows, villages) come from the shared cache under
change stamps (approvals.selectors.dashboard.names, issue 19): a later request reads none of
them, and a renamed department, window or village shows on the very next request, in either
language."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import DepartmentFactory, WindowFactory
from tests.portal.area_fixtures import make_town

pytestmark = pytest.mark.django_db

LISTS = ('FROM "portal_department"', 'FROM "portal_window"', 'FROM "portal_area"')


@pytest.fixture
def page(client, world, make_user):
    cache.clear()
    areas = make_town()
    client.force_login(make_user("supervisor"))

    def get(path="/dashboard/", language="zh-hans", **params):
        response = client.get(path, params, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        return response.content.decode()

    get.areas = areas
    return get


def test_the_lists_are_read_once_then_come_from_the_cache(page):
    DepartmentFactory(name="环境卫生所")
    page()
    for path in ("/dashboard/", "/dashboard/applications/", "/api/v1/dashboard/time-limits/"):
        with CaptureQueriesContext(connection) as ctx:
            page(path)
        read = [q["sql"] for q in ctx.captured_queries if any(t in q["sql"] for t in LISTS)]
        assert read == [], (path, read)


def test_a_renamed_department_window_or_village_shows_on_the_next_request(page):
    department = DepartmentFactory(name="环境卫生所", short_name="环卫所")
    window = WindowFactory(number=71, name="老窗口")
    village = page.areas["V1"]
    before = page()
    assert f'<option value="{department.pk}">环卫所</option>' in before
    assert f'<option value="{window.pk}">71号窗口 老窗口</option>' in before
    assert '<option value="V1">东村</option>' in before

    # one at a time: each change alone must reach the next request
    department.short_name = "环境所"
    department.save()
    for language in ("zh-hans", "en"):
        after = page(language=language)
        assert f'<option value="{department.pk}">环境所</option>' in after
        assert "环卫所" not in after
    window.name = "新窗口"
    window.save()
    for language in ("zh-hans", "en"):
        after = page(language=language)
        assert f'<option value="{window.pk}">' in after and "新窗口" in after
        assert "老窗口" not in after
    village.name = "东风村"
    village.save()  # a plain save: the villages' stamp (approvals.signals)
    for language in ("zh-hans", "en"):
        after = page(language=language)
        assert '<option value="V1">东风村</option>' in after and "东村<" not in after


def test_a_closed_or_deleted_village_leaves_the_list_on_the_next_request(page):
    from portal.areas import services as area_services
    from portal.models import Area

    assert '<option value="V2">' in page()
    area_services.area_update(
        actor="system", area=page.areas["V2"], changes={"name": "西村新"}, note="test"
    )
    assert '<option value="V2">西村新</option>' in page()
    spare = Area.objects.create(
        code="V9",
        name="临时村",
        kind=Area.Kind.VILLAGE,
        parent=page.areas["T"],
        boundary=page.areas["V2"].boundary,
        active_from=page.areas["V2"].active_from,
    )
    assert '<option value="V9">临时村</option>' in page()
    spare.delete()
    assert "临时村" not in page()
