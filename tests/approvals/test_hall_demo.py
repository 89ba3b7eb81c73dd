"""The hall's demo seeder: the six categories on the demo windows, idempotent."""

import pytest

from approvals.demo import hall as demo
from approvals.models import Appointment, BusinessCategory, Ticket
from portal.demo import seed_core

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent_and_maps_windows():
    seed_core()
    demo.seed()
    demo.seed()
    categories = {c.ticket_prefix: c for c in BusinessCategory.objects.all()}
    assert set(categories) >= {"A", "B", "C", "D", "E", "F"}
    assert sorted(categories["D"].windows.values_list("number", flat=True)) == [7]
    assert Ticket.objects.count() == 10  # one morning queue (3+3+1+1+1+1), not two
    assert Appointment.objects.filter(citizen__username="citizen").count() == 1


def test_seed_leaves_categories_made_by_the_register_alone():
    seed_core()
    existing = BusinessCategory.objects.create(code="social", name="社会保障", ticket_prefix="A")
    demo.seed()
    assert BusinessCategory.objects.filter(ticket_prefix="A").get() == existing
    assert BusinessCategory.objects.count() == 6
