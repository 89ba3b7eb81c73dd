"""Two dispatchers routing the same incident at the same moment: one wins, the other is told
(409), one dispatch, one set of work orders, one history entry. Two people signing for the
same order at once: one sign-for."""

import threading

import pytest
from django.db import close_old_connections, connection

from grid.models import Incident
from grid.models.dispatch import Dispatch, WorkOrder
from grid.selectors import routing
from grid.services import dispatch as svc
from portal.errors import Conflict
from portal.models import AuditEntry
from tests.grid.dispatch_fixtures import DispatchWorld, at, staff

pytestmark = pytest.mark.django_db(transaction=True)
MON = at(2026, 9, 14, 10, 0)


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
def w(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    return DispatchWorld()


def test_two_dispatchers_routing_one_incident_at_once(w):
    from portal import roles
    from tests.grid.incident_fixtures import user

    second = user(roles.DISPATCHER)
    w.rule(10, "道路破损", category_code="DSP", handler_kind="department", department_code="GHJSB")
    incident = w.to_route(when=MON)
    seen_by_1 = Incident.objects.get(pk=incident.pk)
    seen_by_2 = Incident.objects.get(pk=incident.pk)
    routing.forget()
    results = _race(
        [
            lambda: svc.incident_dispatch(
                actor=w.dispatcher, incident=seen_by_1, seen_dispatches=0
            ),
            lambda: svc.incident_dispatch(
                actor=second,
                incident=seen_by_2,
                choice=routing.Choice(kind="department", department="SHSWB"),
                note="社会事务办更合适。",
                seen_dispatches=0,
            ),
        ]
    )
    outcomes = sorted(r[0] for r in results)
    assert outcomes == ["error", "ok"], results
    error = next(r[1] for r in results if r[0] == "error")
    assert isinstance(error, Conflict) and error.status_code == 409
    assert Dispatch.objects.filter(incident=incident).count() == 1
    dispatch = Dispatch.objects.get(incident=incident)
    assert WorkOrder.objects.filter(incident=incident).count() == 1
    assert Incident.objects.get(pk=incident.pk).history.filter(action="dispatch").count() == 1
    assert (
        AuditEntry.objects.filter(action="incident.dispatch", object_id=str(incident.pk)).count()
        == 1
    )
    assert dispatch.state == "active"


def test_two_staff_signing_for_one_order_at_once(w):
    w.rule(10, "道路破损", category_code="DSP", handler_kind="department", department_code="GHJSB")
    incident = w.to_route(when=MON)
    order = svc.incident_dispatch(actor=w.dispatcher, incident=incident).work_orders.get()
    other = staff(w.roads)
    seen_1, seen_2 = WorkOrder.objects.get(pk=order.pk), WorkOrder.objects.get(pk=order.pk)
    results = _race(
        [
            lambda: svc.work_order_sign_for(actor=w.roads_staff, work_order=seen_1),
            lambda: svc.work_order_sign_for(actor=other, work_order=seen_2),
        ]
    )
    assert sorted(r[0] for r in results) == ["error", "ok"], results
    assert isinstance(next(r[1] for r in results if r[0] == "error"), Conflict)
    assert WorkOrder.objects.get(pk=order.pk).history.filter(action="sign_for").count() == 1
