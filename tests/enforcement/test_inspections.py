"""Random inspections: seeded, logged, reproducible; conflicts excluded; a finding opens a lead."""

import pytest
from django.core.management import CommandError, call_command

from enforcement.models import InspectionTarget, LeadSource, OfficerConflict
from enforcement.services import inspections as svc
from portal.errors import ActionError


@pytest.fixture
def register(world):
    targets = [
        InspectionTarget.objects.create(
            code=f"T{i:03d}",
            name=f"食品小作坊{i}",
            kind="shop",
            matter_codes=["XB-JC-001"],
            address=f"下埠村{i}号",
        )
        for i in range(1, 21)
    ]
    InspectionTarget.objects.create(code="T900", name="不适用对象", kind="shop", matter_codes=[])
    return targets


def plan(world, code="JC2026-01", count=5):
    return svc.plan_create(
        actor=world.head,
        code=code,
        name="食品小作坊抽查",
        matter=world.inspection_matter,
        target_count=count,
    )


def test_the_same_seed_and_pool_give_the_same_draw(world, register, capsys):
    first = svc.plan_draw(plan=plan(world), actor=world.head, seed=20260302)
    second = svc.plan_draw(plan=plan(world, "JC2026-02"), actor=world.head, seed=20260302)
    third = svc.plan_draw(plan=plan(world, "JC2026-03"), actor=world.head, seed=7)
    assert first.draw_log["result"] == second.draw_log["result"]
    assert first.draw_log["result"] != third.draw_log["result"]
    assert "T900" not in first.draw_log["target_pool"]
    for task in first.tasks.all():
        inspectors = list(task.inspectors.all())
        assert len(inspectors) == 2
        assert all(o.kind == "officer" and o != world.expired for o in inspectors)
    call_command("enforcement", "check-draw")
    assert "3 draw(s) reproduced" in capsys.readouterr().out


def test_a_tampered_draw_fails_the_check(world, register):
    drawn = svc.plan_draw(plan=plan(world), actor=world.head, seed=1)
    task = drawn.tasks.first()
    task.inspectors.set([world.officer3, world.officer4])
    if set(drawn.draw_log["result"]["inspectors"][task.target.code]) == {
        world.officer3.pk,
        world.officer4.pk,
    }:
        task.inspectors.set([world.officer1, world.officer2])
    with pytest.raises(CommandError) as exc:
        call_command("enforcement", "check-draw", drawn.code)
    assert "differ" in str(exc.value)


def test_conflicts_of_interest_are_excluded(world, register):
    for target in register:
        OfficerConflict.objects.create(officer=world.officer1, target=target, reason="亲属")
    drawn = svc.plan_draw(plan=plan(world, count=20), actor=world.head, seed=99)
    assert not drawn.tasks.filter(inspectors=world.officer1).exists()


def test_a_finding_opens_a_lead_and_results_are_published(world, register):
    drawn = svc.plan_draw(plan=plan(world, count=2), actor=world.head, seed=5)
    assert drawn.results_due is not None
    first, second = list(drawn.tasks.order_by("order"))
    inspector = first.inspectors.first().user
    with pytest.raises(ActionError):
        svc.plan_publish(plan=drawn, actor=world.head)
    first = svc.task_record_result(
        task=first, actor=inspector, result="problem", findings="无健康证明从业"
    )
    assert first.lead.source == LeadSource.INSPECTION
    assert first.lead.source_ref == f"{drawn.code}/{first.target.code}"
    svc.task_record_result(task=second, actor=world.head, result="compliant")
    assert svc.plan_publish(plan=drawn, actor=world.head).state == "published"


def test_a_pool_smaller_than_the_plan_is_refused(world, register):
    with pytest.raises(ActionError) as exc:
        svc.plan_draw(plan=plan(world, count=21), actor=world.head)
    assert exc.value.code == "pool_too_small"
