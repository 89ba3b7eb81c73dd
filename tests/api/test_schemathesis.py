"""Schemathesis over every operation of /api/schema/ against a live test server (issue 17).

Each operation gets ``MAX_EXAMPLES`` generated cases (valid data, data with the path naming a
real object of the test town, and invalid data), with a fixed seed; each case is sent as every
role of fuzz_support.roles_for (citizen, clerk, supervisor; dispatcher, department staff and
officer for the grid, dispatch, enforcement and centre endpoints). Every answer must pass
fuzz_support.CHECKS: no 5xx, only status codes the operation declares, the declared content
type, a body matching the declared schema. Run it alone: see docs/api.md."""

from __future__ import annotations

import collections
import os
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.api import fuzz_support as fuzz

MAX_EXAMPLES = int(os.environ.get("ONEWINDOW_FUZZ_EXAMPLES", "4"))

pytestmark = pytest.mark.django_db(transaction=True)


def _short(error: BaseException) -> str:
    parts = getattr(error, "exceptions", None) or (error,)
    lines = []
    for part in parts:
        text = [line.strip() for line in str(part).strip().splitlines() if line.strip()]
        lines.append(" | ".join(text[:7])[:500])
    return " || ".join(lines)


def _runner(strategy, roles, label, *, base_url, headers, failures, counts):
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate),
    )
    @given(case=strategy)
    def run(case):
        counts["cases"] += 1
        for role in roles:
            counts["requests"] += 1
            try:
                case.call_and_validate(
                    base_url=base_url, headers=headers[role], checks=fuzz.CHECKS, timeout=30
                )
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 — reported together
                failures[label].append(f"[{role}] {_short(error)}")

    return run


def test_every_operation_as_every_role(live_server):
    from portal.services import calendar_seed_from_package

    calendar_seed_from_package()
    town, people = fuzz.build_town()
    headers = fuzz.tokens(people)
    values = fuzz.path_values(town)
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")
    base_url = live_server.url

    failures: dict[str, list[str]] = collections.defaultdict(list)
    counts = collections.Counter()
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        path, method = operation.path, operation.method.upper()
        names = [p.name for p in operation.path_parameters]
        real = fuzz.real_parameters(path, names, values)
        strategies = [
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        ]
        if real:
            strategies.insert(
                0, operation.as_strategy(GenerationMode.POSITIVE, path_parameters=real)
            )
        run = _runner(
            st.one_of(*strategies),
            fuzz.roles_for(path),
            f"{method} {path}",
            base_url=base_url,
            headers=headers,
            failures=failures,
            counts=counts,
        )
        run()
        counts["operations"] += 1

    elapsed = time.monotonic() - started
    print(
        f"\nschemathesis: {counts['operations']} operations, {counts['cases']} cases, "
        f"{counts['requests']} requests "
        f"as {len(fuzz.ROLES + fuzz.FIELD_ROLES)} roles in {elapsed:.0f} s"
    )
    report = "\n".join(
        f"{operation}: {len(items)} failures:\n    " + "\n    ".join(sorted(set(items))[:4])
        for operation, items in sorted(failures.items())
    )
    assert not failures, f"{len(failures)} operations failed:\n{report}"
