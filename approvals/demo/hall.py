"""Demo data of the hall (idempotent): the business categories and their windows (when the
register seeder has not made them), a default slot capacity, a few tickets of today and one
appointment of the demo citizen on the next working day."""

from datetime import time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from approvals.models import (
    Appointment,
    AppointmentCapacity,
    BusinessCategory,
    HallDevice,
    Ticket,
)
from portal import clock, roles, workdays
from portal.models import User, Window

# code, name, ticket prefix, windows (demo windows of portal.demo)
CATEGORIES = [
    ("SHBZ", "社会保障", "A", [1, 2, 5]),
    ("SCZR", "市场准入", "B", [1, 2, 4]),
    ("GHJS", "规划建设", "C", [3, 6]),
    ("HJ", "户籍", "D", [7]),
    ("ZH", "综合", "E", [1, 2, 3, 9]),
    ("NYNC", "农业农村", "F", [3, 8]),
]


def ensure_categories() -> list[BusinessCategory]:
    """The six demo categories. A category the register seeder already made (same code, name
    or prefix) is left as it is, windows included when it has some."""
    windows = {w.number: w for w in Window.objects.all()}
    result = []
    for order, (code, name, prefix, numbers) in enumerate(CATEGORIES, start=1):
        category = BusinessCategory.objects.filter(
            Q(code=code) | Q(name=name) | Q(ticket_prefix=prefix)
        ).first()
        if category is None:
            category = BusinessCategory.objects.create(
                code=code, name=name, ticket_prefix=prefix, order=order
            )
        if not category.windows.exists():
            category.windows.set([windows[n] for n in numbers if n in windows])
        result.append(category)
    return result


@transaction.atomic
def seed() -> None:
    from approvals.services import hall as services

    categories = ensure_categories()
    AppointmentCapacity.objects.get_or_create(
        category=None, start_time=None, defaults={"capacity": 4}
    )
    now = timezone.now()
    today = timezone.localdate(now)
    start_of_today = clock.start_of_day(today)
    # A morning queue for today: some tickets waiting in every category.
    if not Ticket.objects.filter(day=today).exists():
        for index, category in enumerate(categories):
            for n in range(3 if index < 2 else 1):
                services.ticket_take(
                    category=category,
                    source=Ticket.Source.KIOSK,
                    priority_reason=Ticket.PriorityReason.ELDERLY if n == 2 else "",
                    now=max(start_of_today, now - timedelta(minutes=30 - 5 * n - index)),
                )
    citizen = User.objects.filter(username="citizen", groups__name=roles.CITIZEN).first()
    if (
        citizen
        and not Appointment.objects.filter(
            citizen=citizen, status=Appointment.Status.BOOKED, day__gt=today
        ).exists()
    ):
        day = workdays.add_working_days(today, 1)
        services.appointment_book(
            citizen=citizen, category=categories[0], day=day, start_time=time(9, 30), now=now
        )


# The demo hall's unattended devices, with known tokens (like the demo password) so that
# `make run` can print their links: a kiosk and the hall TV, no one logged in.
DEMO_DEVICES = [
    ("大厅取号机（演示）", HallDevice.Kind.KIOSK, "demo-kiosk-2026"),
    ("大厅叫号大屏（演示）", HallDevice.Kind.SCREEN, "demo-screen-2026"),
    # The command centre's wall screen (centre/): the live board, no one logged in.
    ("指挥中心大屏（演示）", HallDevice.Kind.WALL, "demo-wall-2026"),
]


def seed_devices() -> None:
    from approvals.selectors import hall as sel
    from approvals.services import hall as services

    for name, kind, token in DEMO_DEVICES:
        if not HallDevice.objects.filter(token_hash=sel.token_hash(token)).exists():
            services.hall_device_register(name=name, kind=kind, actor=None, token=token)
