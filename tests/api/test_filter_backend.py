"""The API's filter backend (portal.api_filters, issue 19): the same rows as django-filter's,
the same 400 for a bad value and the same 404 for a retrieve its filters exclude — without the
per-request FilterSet class and form when the query string names no filter."""

import pytest
from rest_framework.test import APIClient

from portal.api_filters import FilterBackend
from portal.models import Department
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def _codes(response):
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def test_department_filters_return_the_same_rows(world):
    DepartmentFactory(code="OLD", name="撤销的部门", is_active=False)
    api = APIClient()
    everyone = list(Department.objects.order_by("kind", "code").values_list("code", flat=True))
    assert _codes(api.get("/api/v1/departments/")) == everyone
    assert _codes(api.get("/api/v1/departments/?page=1")) == everyone
    assert _codes(api.get("/api/v1/departments/?kind=external")) == list(
        Department.objects.filter(kind="external").order_by("code").values_list("code", flat=True)
    )
    assert _codes(api.get("/api/v1/departments/?is_active=false")) == ["OLD"]
    assert api.get("/api/v1/departments/?kind=nonsense").status_code == 400
    # a retrieve is filtered too, as DRF does: one its filters exclude is not found
    assert api.get("/api/v1/departments/XZSPJ/").json()["code"] == "XZSPJ"
    assert api.get("/api/v1/departments/XZSPJ/?kind=external").status_code == 404


def test_application_filters_return_the_same_rows(world):
    from tests.approvals.test_applications_api import online_submitted

    submitted = online_submitted(world)
    api = APIClient()
    api.force_authenticate(world.supervisor)

    def numbers(query=""):
        body = api.get(f"/api/v1/applications/{query}").json()
        return body["count"], [row["number"] for row in body["results"]]

    everything = numbers()
    assert everything == (1, [submitted["number"]])
    assert numbers("?page=1") == everything
    assert numbers("?state=submitted") == everything
    assert numbers("?state=in_review") == (0, [])
    assert numbers("?state=submitted&state=in_review") == everything
    assert api.get("/api/v1/applications/?state=bogus").status_code == 400
    assert api.get("/api/v1/applications/?submitted_from=yesterday").status_code == 400


def test_the_class_built_from_filterset_fields_is_built_once():
    from portal.api import DepartmentViewSet

    backend, view = FilterBackend(), DepartmentViewSet()
    first = backend.get_filterset_class(view, Department.objects.all())
    assert first is backend.get_filterset_class(view, Department.objects.all())
    assert list(first.base_filters) == ["kind", "is_active"]
