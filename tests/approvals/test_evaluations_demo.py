"""The evaluations demo seeder: ratings through the services, idempotent."""

import pytest

from approvals.demo import applications as demo_applications
from approvals.demo import evaluations as demo
from approvals.demo import register as demo_register
from approvals.models import Callback, Evaluation, Rectification
from portal.demo import seed_core

pytestmark = pytest.mark.django_db


def test_seed_rates_through_the_services_once():
    demo.seed()  # nothing loaded yet: does nothing, raises nothing
    assert not Evaluation.objects.exists()
    seed_core()
    demo_register.seed()
    demo_applications.seed()
    demo.seed()
    demo.seed()
    ratings = dict(Evaluation.objects.values_list("application__details__demo", "rating"))
    assert ratings == {"eval-good": 5, "eval-bad": 2, "eval-proxy": 1}
    assert Evaluation.objects.get(rating=1).on_behalf
    assert Rectification.objects.filter(status="open").count() == 2
    assert Callback.objects.count() == 1
    # the applications seeder's completed application stays for the demo citizen to rate
    assert not Evaluation.objects.filter(application__details__demo="completed").exists()
