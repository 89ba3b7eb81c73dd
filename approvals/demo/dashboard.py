"""The dashboards' rollups for the demo's history (idempotent: a refresh rebuilds the days it
covers). Runs after the other approvals seeders, so that the supervisors' dashboards have their
period figures from the first minute of `make run` instead of after the beat's first refresh."""

from datetime import timedelta

from django.db.models import Min
from django.utils import timezone

from approvals.models import Application


def seed() -> None:
    from approvals.services import dashboard as rollups

    today = timezone.localdate()
    earliest = Application.objects.aggregate(first=Min("received_on"))["first"]
    start = today - timedelta(days=rollups.lookback_days())
    if earliest is not None:
        start = min(start, earliest)
    rollups.rollup_refresh(start=start, end=today)
