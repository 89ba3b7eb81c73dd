"""A real Celery worker on Redis escalates a call-out's missed steps: the beat's task sent twice
(two beats, a retry) still tells each person once per step."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from enforcement.callout_reminders import KINDS
from enforcement.models import DutyShift
from enforcement.services import callouts as svc
from portal.models import Notification, Reminder
from tests.conftest import redis_url
from tests.enforcement.world import World
from tests.portal.test_celery_integration import celery_worker_process  # noqa: F401  (fixture)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_the_worker_escalates_each_missed_step_once(celery_worker_process):  # noqa: F811
    from celery import current_app

    from enforcement.tasks import callout_sweep

    world = World()
    now = timezone.now()
    DutyShift.objects.create(
        squad=world.squad, day=timezone.localdate(now), officer=world.officer1, is_lead=True
    )
    callout = svc.callout_create(
        actor=world.dispatcher,
        squad=world.squad,
        description="消防通道被占用",
        now=now - timedelta(minutes=4),
    )
    svc.callout_step(
        actor=world.officer1.user,
        callout=callout,
        step="respond",
        now=now - timedelta(minutes=4) + timedelta(seconds=30),
    )
    with current_app.connection_for_write(redis_url()) as conn:
        for _ in range(2):
            callout_sweep.apply_async(queue=celery_worker_process, connection=conn)
    wanted = {KINDS["accept"], KINDS["set_out"]}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if set(Reminder.objects.filter(kind__in=wanted).values_list("kind", flat=True)) == wanted:
            break
        time.sleep(0.3)
    time.sleep(2)  # let the second task finish too
    assert Reminder.objects.filter(kind=KINDS["accept"]).count() == 1
    assert Reminder.objects.filter(kind=KINDS["set_out"]).count() == 1
    assert not Reminder.objects.filter(kind=KINDS["respond"]).exists()  # responded in time
    for kind in wanted:
        told = list(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))
        assert sorted(told) == sorted({world.leader.user.pk, world.dispatcher.pk})
