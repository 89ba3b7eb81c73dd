# ruff: noqa: F811 -- pytest fixtures imported from register_support
"""Delegation instruments (赋权书): delegate, adjust, take back — all on the instrument's
effective date, all at once or not at all — and the history of who held what when."""

from datetime import date

import pytest

from approvals.models import DelegationInstrument, DelegationItem, Matter
from approvals.selectors import register as sel
from approvals.services import register as services
from portal.errors import ActionError, Conflict
from portal.models import AuditEntry
from tests.approvals.register_support import (  # noqa: F401
    demo_register,
    make_matter,
    new_version,
    township,
)

pytestmark = pytest.mark.django_db


def instrument(number="湘府发〔2024〕1号", effective=date(2024, 1, 1), end=None):
    return services.instrument_create(
        actor="test",
        fields={
            "title": "关于向下埠镇赋予县级管理权限的决定",
            "document_number": number,
            "issuing_authority": "萍乡市湘东区人民政府",
            "effective_date": effective,
            "end_date": end,
        },
    )


def test_delegate_publishes_the_drafts_from_the_effective_date(township):
    batch = instrument(end=date(2028, 12, 31))
    a = make_matter(township, "T-A")
    b = make_matter(township, "T-B", name="临时占用道路审批")
    for code in ("T-A", "T-B"):
        services.instrument_add_item(actor="test", instrument=batch, action="delegate", code=code)
    services.instrument_apply(actor="test", instrument=batch)

    for matter in (a, b):
        matter.refresh_from_db()
        assert (matter.status, matter.valid_from, matter.valid_to) == (
            "published",
            date(2024, 1, 1),
            date(2028, 12, 31),
        )
    batch.refresh_from_db()
    assert batch.status == DelegationInstrument.Status.APPLIED
    assert sel.matter_in_force("T-A", on=date(2023, 12, 31)) is None
    assert sel.matter_in_force("T-A", on=date(2024, 1, 1)).pk == a.pk
    assert sel.matter_in_force("T-A", on=date(2029, 1, 1)) is None


def test_adjust_replaces_the_version_in_force_and_take_back_ends_one(township):
    first = instrument()
    for code in ("T-A", "T-B"):
        make_matter(township, code)
        services.instrument_add_item(actor="test", instrument=first, action="delegate", code=code)
    services.instrument_apply(actor="test", instrument=first)

    second = instrument("湘府字〔2025〕41号", effective=date(2025, 7, 1))
    draft = new_version(Matter.objects.get(code="T-A"), committed_days=3)
    services.instrument_add_item(actor="test", instrument=second, action="adjust", code="T-A")
    services.instrument_add_item(actor="test", instrument=second, action="take_back", code="T-B")
    services.instrument_apply(actor="test", instrument=second)

    a1, a2 = Matter.objects.filter(code="T-A").order_by("version")
    (b1,) = Matter.objects.filter(code="T-B")
    assert (a1.valid_to, a2.pk, a2.valid_from, a2.committed_days) == (
        date(2025, 6, 30),
        draft.pk,
        date(2025, 7, 1),
        3,
    )
    assert (b1.status, b1.valid_to) == ("retired", date(2025, 6, 30))
    assert "湘府字〔2025〕41号" in b1.retire_reason
    # who held what when
    assert sel.matter_in_force("T-B", on=date(2025, 6, 30)).pk == b1.pk
    assert sel.matter_in_force("T-B", on=date(2025, 7, 1)) is None
    history = sel.matter_history("T-B")
    assert [
        sorted((i.action, i.instrument.document_number) for i in row["items"]) for row in history
    ] == [[("delegate", "湘府发〔2024〕1号"), ("take_back", "湘府字〔2025〕41号")]]
    take_back = DelegationItem.objects.get(instrument=second, code="T-B")
    assert take_back.matter_id == b1.pk


def test_items_are_checked_when_listed(township):
    batch = instrument()
    make_matter(township, "T-IN", valid_from=date(2023, 1, 1))
    make_matter(township, "T-NEW")
    with pytest.raises(ActionError) as exc:
        services.instrument_add_item(actor="test", instrument=batch, action="delegate", code="T-IN")
    assert exc.value.code in ("no_draft", "already_in_force")
    with pytest.raises(ActionError) as exc:
        services.instrument_add_item(actor="test", instrument=batch, action="adjust", code="T-NEW")
    assert exc.value.code == "not_in_force"
    with pytest.raises(ActionError) as exc:
        services.instrument_add_item(
            actor="test", instrument=batch, action="take_back", code="T-NEW"
        )
    assert exc.value.code == "not_in_force"
    with pytest.raises(ActionError) as exc:
        services.instrument_add_item(actor="test", instrument=batch, action="delegate", code="NOPE")
    assert exc.value.code == "not_found"
    services.instrument_add_item(actor="test", instrument=batch, action="delegate", code="T-NEW")
    with pytest.raises(ActionError) as exc:
        services.instrument_add_item(
            actor="test", instrument=batch, action="delegate", code="T-NEW"
        )
    assert exc.value.code == "duplicate"


def test_applying_is_all_or_nothing(township):
    batch = instrument(effective=date(2025, 1, 1))
    make_matter(township, "T-OK")
    make_matter(township, "T-GONE")
    services.instrument_add_item(actor="test", instrument=batch, action="delegate", code="T-OK")
    services.instrument_add_item(actor="test", instrument=batch, action="delegate", code="T-GONE")
    # meanwhile someone publishes T-GONE's draft by hand from an earlier date
    services.matter_publish(
        actor="test", matter=Matter.objects.get(code="T-GONE"), valid_from=date(2024, 1, 1)
    )
    with pytest.raises(ActionError) as exc:
        services.instrument_apply(actor="test", instrument=batch)
    assert "T-GONE" in exc.value.message
    assert Matter.objects.get(code="T-OK").status == "draft"
    batch.refresh_from_db()
    assert batch.status == "draft"
    assert not AuditEntry.objects.filter(action="register.instrument.apply").exists()


def test_an_applied_instrument_is_frozen(township):
    batch = instrument()
    make_matter(township, "T-A")
    item = services.instrument_add_item(
        actor="test", instrument=batch, action="delegate", code="T-A"
    )
    services.instrument_apply(actor="test", instrument=batch)
    with pytest.raises(Conflict):
        services.instrument_apply(actor="test", instrument=batch)
    with pytest.raises(Conflict):
        services.instrument_remove_item(actor="test", item=item)
    with pytest.raises(Conflict):
        services.instrument_update(actor="test", instrument=batch, fields={"title": "改"})


def test_an_instrument_must_end_after_it_starts(township):
    with pytest.raises(ActionError) as exc:
        instrument(effective=date(2025, 1, 1), end=date(2024, 1, 1))
    assert "end_date" in exc.value.fields


def test_the_demo_register_tells_its_history(demo_register):
    assert sel.matters_in_force().count() >= 80
    kinds = set(sel.matters_in_force().values_list("kind", flat=True))
    modes = set(sel.matters_in_force().values_list("delegation_mode", flat=True))
    departments = set(sel.matters_in_force().values_list("handling_department__code", flat=True))
    assert kinds == set(Matter.Kind.values)
    assert modes == set(Matter.DelegationMode.values)
    assert len(departments) >= 8
    assert sel.matter_in_force("XB-XK-001", on=date(2025, 6, 30)).committed_days == 5
    assert sel.matter_in_force("XB-XK-001", on=date(2025, 7, 1)).committed_days == 3
    gas = Matter.objects.get(name="燃气经营许可")
    assert sel.matter_in_force(gas.code, on=date(2025, 7, 1)) is None
    assert Matter.objects.filter(status="draft").count() == 2
    # idempotent
    from approvals.demo.register import seed

    before = Matter.objects.count()
    seed()
    assert Matter.objects.count() == before
