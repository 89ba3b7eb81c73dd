"""The tamper-evident history: an entry edited directly in the database is found, and the
command names the first broken entry."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from enforcement.services import cases as svc
from tests.enforcement.world import open_case


def _tamper(sql, params):
    with connection.cursor() as cursor:
        # Someone with the database's superuser rights switches the append-only trigger off.
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")


def test_the_database_refuses_to_edit_history(world):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's")
    from django.db import DatabaseError, transaction

    case = open_case(world)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE enforcement_caseevent SET note = 'x' WHERE case_id = %s", [case.pk])


def test_an_edited_entry_is_named_by_verify_chain(world, capsys):
    case = open_case(world)
    svc.case_set_proposal(
        case=case,
        actor=world.officer1.user,
        penalties=["fine"],
        fine="800",
        circumstance="ordinary",
    )
    svc.case_notify(case=case, actor=world.officer1.user)
    other = open_case(world)
    call_command("enforcement", "verify-chain")
    assert "2 case chain(s) intact" in capsys.readouterr().out
    second = case.history.get(seq=2)
    _tamper(
        "UPDATE enforcement_caseevent SET note = %s WHERE id = %s", ["罚款改为100元", second.pk]
    )
    with pytest.raises(CommandError) as exc:
        call_command("enforcement", "verify-chain")
    assert f"{case.number} #2" in str(exc.value)
    call_command("enforcement", "verify-chain", other.number)
    with pytest.raises(CommandError):
        call_command("enforcement", "verify-chain", case.number)


def test_a_deleted_last_entry_shows_too(world):
    case = open_case(world)
    svc.case_set_proposal(
        case=case,
        actor=world.officer1.user,
        penalties=["fine"],
        fine="800",
        circumstance="ordinary",
    )
    last = case.history.order_by("-seq").first()
    _tamper("DELETE FROM enforcement_caseevent WHERE id = %s", [last.pk])
    with pytest.raises(CommandError) as exc:
        call_command("enforcement", "verify-chain", case.number)
    assert "#1" in str(exc.value)
