"""Support of tests/api/test_schemathesis.py: the town the fuzzing runs against, a token per
role, real values for path parameters, and the checks every answer must pass."""

from __future__ import annotations

import re

from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# Every answer: no 5xx, a status the operation declares, the declared content type, and a
# body that matches the declared schema.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# The roles every operation is tried as, and those added for the field apps' endpoints.
ROLES = ("citizen", "clerk", "supervisor")
FIELD_ROLES = ("dispatcher", "department_staff", "officer")
FIELD_PATHS = re.compile(
    r"^/api/v1/(incidents|patrols|dispatches|work-orders|whistles|routing-rules|enforcement|centre)/"
)


def roles_for(path: str) -> tuple[str, ...]:
    return ROLES + FIELD_ROLES if FIELD_PATHS.match(path) else ROLES


def build_town():
    """The command centre's test town (approvals, grid and enforcement through their real
    services) and a department's staff member; returns (town, {role: user})."""
    from portal import roles
    from tests.centre.town import Town
    from tests.factories import UserFactory

    town = Town()
    people = {
        "citizen": town.apps.citizen,
        "clerk": town.apps.clerk,
        "supervisor": town.apps.supervisor,
        "dispatcher": town.dispatcher,
        "department_staff": UserFactory.with_role(
            roles.DEPARTMENT_STAFF, department=town.apps.dept
        ),
        "officer": town.enf.officer1.user,
    }
    return town, people


def tokens(people) -> dict[str, dict[str, str]]:
    from portal import tokens as api_tokens

    return {
        role: {"Authorization": f"Token {api_tokens.issue(user=user)[1]}"}
        for role, user in people.items()
    }


def path_values(town) -> dict[tuple[str, str], object]:
    """(path prefix, parameter) → a real value, so that generated cases reach real objects."""
    from approvals.models import Evaluation, Rectification
    from portal.models import Area

    values = {
        ("/api/v1/applications/", "reference"): town.ap1.number,
        ("/api/v1/matters/", "code"): town.apps.matter.code,
        ("/api/v1/matter-versions/", "id"): town.apps.matter.pk,
        ("/api/v1/departments/", "code"): town.apps.dept.code,
        ("/api/v1/windows/", "number"): town.apps.window.number,
        ("/api/v1/hall/windows/", "number"): town.apps.window.number,
        ("/api/v1/incidents/", "number"): town.in3.number,
        ("/api/v1/enforcement/cases/", "number"): town.c1.number,
        ("/api/v1/enforcement/leads/", "number"): town.l1.number,
        ("/api/v1/enforcement/callouts/", "number"): town.co1.number,
    }
    area = Area.objects.order_by("id").first()
    if area is not None:
        values[("/api/v1/areas/", "code")] = area.code
    for model, prefix in (
        (Evaluation, "/api/v1/evaluations/"),
        (Rectification, "/api/v1/rectifications/"),
    ):
        obj = model.objects.order_by("id").first()
        if obj is not None:
            values[(prefix, "id")] = obj.pk
    return values


def real_parameters(path: str, names, values) -> dict[str, object]:
    found = {}
    for name in names:
        for (prefix, param), value in values.items():
            if param == name and path.startswith(prefix):
                found[name] = value
                break
    return found if len(found) == len(list(names)) else {}
