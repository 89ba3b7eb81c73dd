"""Shared set-up of the hall tests: two windows, two categories, two clerks."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from approvals.models import BusinessCategory, Ticket
from approvals.services import hall as services
from portal import roles
from portal.models import User, Window
from tests.factories import DepartmentFactory, UserFactory, WindowFactory


@dataclass
class Hall:
    w1: Window
    w2: Window
    a: BusinessCategory  # served by windows 1 and 2
    b: BusinessCategory  # served by window 2 only
    clerk1: User  # staffs window 1
    clerk2: User  # staffs window 2


def make_hall() -> Hall:
    dept = DepartmentFactory(code="XZSPJ", name="行政审批局")
    w1 = WindowFactory(number=1, name="综合受理一窗")
    w2 = WindowFactory(number=2, name="综合受理二窗")
    a = BusinessCategory.objects.create(code="SHBZ", name="社会保障", ticket_prefix="A", order=1)
    b = BusinessCategory.objects.create(code="SCZR", name="市场准入", ticket_prefix="B", order=2)
    a.windows.set([w1, w2])
    b.windows.set([w2])
    clerk1 = UserFactory.with_role(roles.WINDOW_CLERK, department=dept, windows=[w1])
    clerk2 = UserFactory.with_role(roles.WINDOW_CLERK, department=dept, windows=[w2])
    return Hall(w1=w1, w2=w2, a=a, b=b, clerk1=clerk1, clerk2=clerk2)


def at(text: str) -> datetime:
    """An aware datetime in the hall's time zone: at("2026-10-12 09:00")."""
    return timezone.make_aware(datetime.fromisoformat(text))


def take(category, when=None, priority="", **kwargs) -> Ticket:
    return services.ticket_take(
        category=category,
        source=Ticket.Source.KIOSK,
        priority_reason=priority,
        now=when,
        **kwargs,
    )
