# ruff: noqa: F811 -- pytest fixtures imported from register_support
"""Versioned matters: overlap refused, publishing ends the old version, history by date,
retiring, drafts and their optimistic locking."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from approvals.models import Matter
from approvals.selectors import register as sel
from approvals.services import register as services
from portal.errors import ActionError, Conflict
from portal.models import AuditEntry
from tests.approvals.register_support import make_matter, new_version, registrar, township  # noqa: F401

pytestmark = pytest.mark.django_db


def test_publishing_a_new_version_ends_the_previous_one_the_day_before(township):
    v1 = make_matter(township, valid_from=date(2024, 1, 1))
    v2 = new_version(v1, committed_days=3, valid_from=date(2025, 7, 1))

    v1.refresh_from_db()
    assert v1.valid_to == date(2025, 6, 30)
    assert v1.status == Matter.Status.PUBLISHED
    assert (v2.version, v2.status, v2.valid_from, v2.valid_to) == (
        2,
        "published",
        date(2025, 7, 1),
        None,
    )
    # the history by date: an application accepted on 30 June is judged by v1, on 1 July by v2
    assert sel.matter_in_force(v1.code, on=date(2025, 6, 30)).pk == v1.pk
    assert sel.matter_in_force(v1.code, on=date(2025, 7, 1)).pk == v2.pk
    assert sel.matter_in_force(v1.code, on=date(2023, 12, 31)) is None
    assert sel.matter_in_force(v1.code, on=date(2025, 7, 1)).committed_days == 3
    assert sel.matter_in_force(v1.code, on=date(2025, 6, 30)).committed_days == 5


def test_the_new_version_copies_the_materials_and_leaves_the_old_ones_alone(township):
    v1 = make_matter(township, valid_from=date(2024, 1, 1))
    draft = services.matter_new_draft(actor="test", code=v1.code)
    services.matter_update_draft(
        actor="test",
        matter=draft,
        revision=draft.revision,
        fields={},
        materials=[{"name": "申请书", "form": "original"}, {"name": "营业执照", "form": "copy"}],
    )
    assert [m.name for m in v1.materials.order_by("order")] == ["申请书", "身份证"]
    assert [m.name for m in draft.materials.order_by("order")] == ["申请书", "营业执照"]


def test_a_draft_is_never_in_force_and_only_one_draft_per_code(township):
    v1 = make_matter(township, valid_from=date(2024, 1, 1))
    draft = services.matter_new_draft(actor="test", code=v1.code)
    assert sel.matter_in_force(v1.code).pk == v1.pk
    assert draft.pk not in set(sel.matters_in_force().values_list("pk", flat=True))
    with pytest.raises(Conflict) as exc:
        services.matter_new_draft(actor="test", code=v1.code)
    assert exc.value.code == "draft_exists"


def test_a_version_cannot_start_on_or_before_the_version_in_force(township):
    v1 = make_matter(township, valid_from=date(2025, 1, 1))
    draft = services.matter_new_draft(actor="test", code=v1.code)
    with pytest.raises(ActionError) as exc:
        services.matter_publish(actor="test", matter=draft, valid_from=date(2025, 1, 1))
    assert exc.value.code == "overlap"
    with pytest.raises(ActionError):
        services.matter_publish(actor="test", matter=draft, valid_from=date(2024, 6, 1))
    v1.refresh_from_db()
    draft.refresh_from_db()
    assert (v1.valid_to, draft.status) == (None, "draft")  # nothing half-written


def test_a_version_may_not_overlap_a_later_one(township):
    v1 = make_matter(township, valid_from=date(2024, 1, 1))
    new_version(v1, valid_from=date(2026, 1, 1))
    # a third version squeezed in before the second, running past its start
    draft = services.matter_new_draft(actor="test", code=v1.code)
    with pytest.raises(ActionError) as exc:
        services.matter_publish(
            actor="test", matter=draft, valid_from=date(2025, 1, 1), valid_to=date(2026, 6, 30)
        )
    assert exc.value.code == "overlap"
    assert "第2版" in exc.value.message


@pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraint: PostgreSQL")
def test_the_database_itself_refuses_overlapping_versions(township):
    v1 = make_matter(township, valid_from=date(2024, 1, 1))
    rogue = Matter(
        code=v1.code,
        version=2,
        status=Matter.Status.PUBLISHED,
        valid_from=date(2025, 1, 1),
        name="绕过服务层写入的版本",
        kind="licensing",
        delegation_mode="direct",
        handling_department=v1.handling_department,
        statutory_days=10,
        committed_days=5,
    )
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        rogue.save()
    assert "matter_versions_no_overlap" in str(exc.value)
    # drafts are outside the constraint: a draft beside the version in force is fine
    rogue.status, rogue.valid_from = Matter.Status.DRAFT, None
    rogue.save()


def test_retiring_ends_the_version_the_day_before_and_keeps_it_in_the_history(township):
    v1 = make_matter(township, valid_from=date(2024, 1, 1))
    services.matter_retire(actor="test", matter=v1, effective=date(2026, 3, 1), reason="收回")
    v1.refresh_from_db()
    assert (v1.status, v1.valid_to, v1.retire_reason) == ("retired", date(2026, 2, 28), "收回")
    assert sel.matter_in_force(v1.code, on=date(2026, 2, 28)).pk == v1.pk
    assert sel.matter_in_force(v1.code, on=date(2026, 3, 1)) is None
    with pytest.raises(Conflict):
        services.matter_retire(actor="test", matter=v1, effective=date(2026, 4, 1))


def test_a_version_retired_before_it_starts_never_comes_into_force(township):
    v1 = make_matter(township, valid_from=date(2030, 1, 1))
    services.matter_retire(actor="test", matter=v1, effective=date(2029, 6, 1), reason="撤回")
    v1.refresh_from_db()
    assert (v1.status, v1.valid_from, v1.valid_to) == ("retired", None, None)
    assert sel.matter_in_force(v1.code, on=date(2030, 1, 1)) is None
    entry = AuditEntry.objects.get(action="register.matter.retire", object_id=str(v1.pk))
    assert entry.before["valid_from"] == "2030-01-01"


def test_committed_may_not_exceed_statutory(township):
    with pytest.raises(ActionError) as exc:
        make_matter(township, statutory_days=5, committed_days=10)
    assert "committed_days" in exc.value.fields
    assert not Matter.objects.exists()


def test_entrusted_and_forward_matters_need_their_source_department(township):
    with pytest.raises(ActionError) as exc:
        make_matter(township, delegation_mode="forward", delegating_department=None)
    assert "delegating_department" in exc.value.fields


def test_editing_a_draft_from_a_stale_revision_is_refused_and_nothing_is_lost(township):
    draft = make_matter(township)
    seen = draft.revision
    services.matter_update_draft(
        actor="a", matter=draft, revision=seen, fields={"committed_days": 4}
    )
    with pytest.raises(Conflict) as exc:
        services.matter_update_draft(
            actor="b", matter=draft, revision=seen, fields={"committed_days": 2}
        )
    assert exc.value.code == "stale_revision"
    draft.refresh_from_db()
    assert (draft.committed_days, draft.revision) == (4, seen + 1)


def test_a_published_version_cannot_be_edited_or_published_twice(township):
    v1 = make_matter(township, valid_from=date(2024, 1, 1))
    with pytest.raises(Conflict):
        services.matter_update_draft(
            actor="test", matter=v1, revision=v1.revision, fields={"name": "改名"}
        )
    stale = Matter.objects.get(pk=v1.pk)
    stale.status = Matter.Status.DRAFT  # what a second browser tab still believes
    with pytest.raises(Conflict):
        services.matter_publish(actor="test", matter=stale, valid_from=date(2025, 1, 1))


def test_every_change_is_in_the_audit_trail(township, registrar):
    v1 = make_matter(township, valid_from=date(2024, 1, 1), actor=registrar)
    new_version(v1, valid_from=date(2025, 1, 1), actor=registrar, committed_days=3)
    actions = list(
        AuditEntry.objects.filter(object_type="approvals.matter")
        .order_by("id")
        .values_list("action", "actor__username")
    )
    assert actions == [
        ("register.matter.create", "registrar"),
        ("register.matter.publish", "registrar"),
        ("register.matter.new_draft", "registrar"),
        ("register.matter.update", "registrar"),
        ("register.matter.end", "registrar"),
        ("register.matter.publish", "registrar"),
    ]


def test_publishing_drafts_in_bulk_is_all_or_nothing(township):
    a = make_matter(township, "T-A")
    make_matter(township, "T-B", valid_from=date(2026, 1, 1))
    b_draft = services.matter_new_draft(actor="test", code="T-B")
    with pytest.raises(ActionError):
        # T-B's draft would start before its version in force: the whole batch is refused
        services.matters_publish_drafts(
            actor="test", codes=["T-A", "T-B"], valid_from=date(2025, 1, 1)
        )
    a.refresh_from_db()
    assert a.status == "draft"
    published = services.matters_publish_drafts(
        actor="test", codes=["T-A", "T-B"], valid_from=date(2026, 6, 1)
    )
    assert {m.pk for m in published} == {a.pk, b_draft.pk}


def test_history_lists_who_held_the_power_when(township):
    v1 = make_matter(township, valid_from=date(2024, 1, 1))
    v2 = new_version(
        v1,
        valid_from=date(2025, 1, 1),
        delegation_mode="forward",
        handling_department=township["SHSWB"],
    )
    rows = sel.matter_history(v1.code)
    assert [(r["version"], r["valid_from"], r["valid_to"], r["delegation_mode"]) for r in rows] == [
        (1, date(2024, 1, 1), date(2024, 12, 31), "direct"),
        (2, date(2025, 1, 1), None, "forward"),
    ]
    assert rows[1]["handling_department"].code == "SHSWB"
    assert rows[1]["matter"].pk == v2.pk


def test_the_key_of_the_version_in_force_is_the_whole_reads_key(township):
    """An acceptance asks only for the key (issue 19): it must be the key of matter_in_force on
    every date — before the first version, on each version's days, across a retirement and with
    a draft beside them."""
    v1 = make_matter(township, valid_from=date(2024, 1, 1))
    v2 = new_version(v1, committed_days=3, valid_from=date(2025, 7, 1))
    services.matter_new_draft(actor="test", code=v1.code)
    other = make_matter(township, code="XB-OTHER-1", valid_from=date(2025, 1, 1))
    days = [
        date(2023, 12, 31),
        date(2024, 1, 1),
        date(2025, 6, 30),
        date(2025, 7, 1),
        date(2030, 1, 1),
    ]
    for code in (v1.code, other.code, "NO-SUCH-CODE"):
        for day in days:
            whole = sel.matter_in_force(code, on=day)
            assert sel.matter_in_force_id(code, on=day) == (whole.pk if whole else None)
    assert sel.matter_in_force_id(v1.code, on=date(2025, 7, 1)) == v2.pk
