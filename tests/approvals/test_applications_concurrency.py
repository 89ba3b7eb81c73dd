"""Races against a real database: threads with their own connections act at the same moment."""

import threading
from datetime import date

import pytest
from django.db import close_old_connections, connection

from approvals.models import Application, State
from approvals.services import applications as svc
from portal.errors import ActionError, Conflict
from portal.models import AuditEntry
from tests.approvals.app_fixtures import World

pytestmark = pytest.mark.django_db(transaction=True)
DAY = date(2026, 9, 24)


def _race(functions):
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(i, fn):
        try:
            barrier.wait(timeout=10)
            results[i] = ("ok", fn())
        except Exception as exc:  # noqa: BLE001 - the outcome is what we assert
            results[i] = ("error", exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.fixture
def world(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    return World()


def test_two_clerks_accepting_at_once_one_wins_one_conflict(world):
    app = svc.application_create(
        actor=world.citizen, matter=world.matter, channel="online", today=DAY
    )
    app = svc.application_update_draft(
        application=app, actor=world.citizen, declaration_accepted=True
    )
    app = svc.application_submit(application=app, actor=world.citizen, today=DAY)
    checks = [{"id": m.pk, "status": "received"} for m in app.materials.all()]
    seen_by_1 = Application.objects.get(pk=app.pk)
    seen_by_2 = Application.objects.get(pk=app.pk)

    results = _race(
        [
            lambda: svc.application_accept(
                application=seen_by_1, actor=world.clerk, checks=checks, today=DAY
            ),
            lambda: svc.application_accept(
                application=seen_by_2, actor=world.clerk2, checks=checks, today=DAY
            ),
        ]
    )
    outcomes = sorted(r[0] for r in results)
    assert outcomes == ["error", "ok"], results
    error = next(r[1] for r in results if r[0] == "error")
    assert isinstance(error, Conflict) and error.status_code == 409
    assert (
        AuditEntry.objects.filter(action="application.accept", object_id=str(app.pk)).count() == 1
    )
    app.refresh_from_db()
    assert app.state == State.ACCEPTED
    assert app.history.filter(action="accept").count() == 1
    assert app.notices.filter(kind="acceptance").count() == 1


def test_fifty_parallel_submissions_get_fifty_distinct_numbers(world):
    drafts = []
    for _ in range(50):
        app = svc.application_create(
            actor=world.citizen, matter=world.matter, channel="online", today=DAY
        )
        drafts.append(
            svc.application_update_draft(
                application=app, actor=world.citizen, declaration_accepted=True
            )
        )
    results = _race(
        [
            lambda a=a: svc.application_submit(application=a, actor=world.citizen, today=DAY)
            for a in drafts
        ]
    )
    assert all(r[0] == "ok" for r in results), [r for r in results if r[0] != "ok"][:3]
    numbers = sorted(Application.objects.exclude(number=None).values_list("number", flat=True))
    assert len(numbers) == 50 == len(set(numbers))
    sequences = [int(n[-5:]) for n in numbers]
    assert sequences == list(range(1, 51))  # no gaps, no repeats


def test_a_rolled_back_submission_gives_its_number_back(world):
    from django.db import transaction

    first = svc.application_create(
        actor=world.citizen, matter=world.matter, channel="online", today=DAY
    )
    first = svc.application_update_draft(
        application=first, actor=world.citizen, declaration_accepted=True
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        svc.application_submit(application=first, actor=world.citizen, today=DAY)
        raise RuntimeError("something later in the request failed")
    first.refresh_from_db()
    assert first.number is None and first.state == State.DRAFT
    first = svc.application_submit(application=first, actor=world.citizen, today=DAY)
    assert first.number.endswith("00001")


def test_correction_twice_at_once_only_one_notice(world):
    app = svc.application_create(
        actor=world.citizen, matter=world.matter, channel="online", today=DAY
    )
    app = svc.application_update_draft(
        application=app, actor=world.citizen, declaration_accepted=True
    )
    app = svc.application_submit(application=app, actor=world.citizen, today=DAY)
    checks = [{"id": m.pk, "status": "missing"} for m in app.materials.all()]
    a, b = Application.objects.get(pk=app.pk), Application.objects.get(pk=app.pk)
    results = _race(
        [
            lambda: svc.application_request_correction(
                application=a, actor=world.clerk, checks=checks, today=DAY
            ),
            lambda: svc.application_request_correction(
                application=b, actor=world.clerk2, checks=checks, today=DAY
            ),
        ]
    )
    assert sorted(r[0] for r in results) == ["error", "ok"]
    error = next(r[1] for r in results if r[0] == "error")
    assert isinstance(error, ActionError)
    assert app.correction_notices.count() == 1
