# ruff: noqa: F811 -- pytest fixtures imported from register_support
"""The guide's catalogue is rendered once per register change stamp, language, day and question
(issue 19): a second anonymous reader costs one query (the stamp), and a change to the
register — a new version published, a matter retired, a department renamed — shows on the very
next request."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from approvals.models import Matter
from approvals.selectors import guide as guide_sel
from approvals.services import register as services
from tests.approvals.register_support import make_matter, new_version, township  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(township):
    make_matter(township, "XB-XK-001", valid_from=date(2024, 1, 1), name="个体工商户设立登记")
    make_matter(township, "XB-XK-002", valid_from=date(2024, 1, 1), name="食品经营许可")
    return township


def test_a_second_reader_of_the_catalogue_costs_one_query(client, catalogue):
    url = reverse("approvals:guide")
    assert "个体工商户设立登记" in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as second:
        body = client.get(url).content.decode()
    assert "个体工商户设立登记" in body and "食品经营许可" in body
    assert len(second) == 1, [q["sql"] for q in second]


def test_a_new_version_shows_at_once(client, catalogue):
    url = reverse("approvals:guide")
    assert "个体工商户设立登记" in client.get(url).content.decode()
    current = Matter.objects.get(code="XB-XK-001", version=1)
    new_version(current, valid_from=timezone.localdate(), name="个体工商户设立登记（新）")
    assert "个体工商户设立登记（新）" in client.get(url).content.decode()


def test_a_retired_matter_leaves_the_catalogue_at_once(client, catalogue):
    url = reverse("approvals:guide")
    client.get(url)
    services.matter_retire(
        actor="test",
        matter=Matter.objects.get(code="XB-XK-002"),
        effective=timezone.localdate(),
        reason="收回",
    )
    assert "食品经营许可" not in client.get(url).content.decode()


def test_a_renamed_department_shows_at_once(client, catalogue):
    url = reverse("approvals:guide")
    client.get(url)
    department = Matter.objects.get(code="XB-XK-001").handling_department
    department.short_name = "改了名的部门"
    department.save()
    assert "改了名的部门" in client.get(url).content.decode()


def test_filters_and_pages_are_cached_apart_and_searches_not_at_all():
    from django.http import QueryDict

    def key(query, partial=False):
        return guide_sel.catalogue_cache_key(QueryDict(query), partial=partial)

    assert key("") != key("page=2") != key("kind=licensing")
    assert key("") != key("", partial=True)
    assert key("q=&kind=licensing") is not None
    assert key("q=宅基地") is None
    assert key("utm_source=x") is None
    assert key("page=1&page=2") is None


def test_the_htmx_results_follow_the_register_too(client, catalogue):
    url = reverse("approvals:guide") + "?kind=licensing"
    first = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "个体工商户设立登记" in first and "<h1>" not in first
    services.matter_retire(
        actor="test",
        matter=Matter.objects.get(code="XB-XK-001"),
        effective=timezone.localdate(),
        reason="收回",
    )
    assert "个体工商户设立登记" not in client.get(url, HTTP_HX_REQUEST="true").content.decode()
