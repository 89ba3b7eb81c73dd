import pytest
from django.core.exceptions import ValidationError

from portal import idnumber, roles, services
from portal.models import AuditEntry, User
from tests.factories import valid_id_number


@pytest.mark.parametrize(
    "value, ok",
    [
        ("11010519491231002X", True),  # the standard's own example
        ("11010519491231002x", True),  # lower-case x accepted and normalised
        ("110105194912310021", False),  # wrong check digit
        ("11010519491231002", False),  # 17 characters
        ("1101051949123100A2", False),
        ("", False),
    ],
)
def test_id_number_check_digit(value, ok):
    assert idnumber.is_valid(value) is ok
    if ok:
        idnumber.validate_id_number(value)
    else:
        with pytest.raises(ValidationError):
            idnumber.validate_id_number(value)


def test_masking():
    assert idnumber.mask("360121199001011234") == "3601**********1234"
    assert idnumber.mask_mobile("13800001234") == "138****1234"


@pytest.mark.django_db
def test_citizen_register_validates_and_audits():
    user = services.citizen_register(
        username="13900000001",
        password="Secret#2026",
        real_name="刘一",
        mobile="13900000001",
        id_number=valid_id_number(7).lower(),
    )
    assert user.has_role(roles.CITIZEN)
    assert user.id_number == valid_id_number(7)
    entry = AuditEntry.objects.get(action="citizen.register")
    assert entry.object_id == str(user.pk)
    assert "1234" not in str(entry.after)  # no full personal data in the trail
    with pytest.raises(ValidationError) as exc:
        services.citizen_register(
            username="13900000002",
            password="Secret#2026",
            real_name="刘二",
            mobile="13900000002",
            id_number="110105194912310021",
        )
    assert "id_number" in exc.value.message_dict
    assert not User.objects.filter(username="13900000002").exists()


@pytest.mark.django_db
def test_audit_trail_is_append_only(make_user):
    from portal import audit

    user = make_user(roles.CITIZEN)
    entry = audit.record(actor=user, action="test.action", obj=user)
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


@pytest.mark.django_db
def test_audit_trigger_on_postgresql(make_user):
    from django.db import connection, transaction
    from django.db.utils import InternalError

    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    from portal import audit

    entry = audit.record(actor="system", action="test.raw", obj=None)
    with pytest.raises(InternalError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE portal_auditentry SET action='x' WHERE id=%s", [entry.pk])


@pytest.mark.django_db
def test_every_role_exists_as_group():
    from django.contrib.auth.models import Group

    roles.sync_roles()
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ALL)
    assert len(roles.ALL) == 16
