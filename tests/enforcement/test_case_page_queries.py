"""The officer's case page reads each thing once (issue 19: it read the payments five times, the
publication twice): its query count is pinned, and does not grow with the payments and
documents of the case."""

from datetime import date

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from enforcement.services import execution
from tests.enforcement.test_execution import served

# the person, the case once (access, its clock and plan: selectors.cases.case_page_get), its
# payments, preservations and correction orders (the acts read them from the page's rows, not
# with exists()), every other list once, the officers of the assignment form (36 before issue
# 19, then 27 with the case read twice)
CEILING = 23
LAST = []


def test_the_case_page_costs_the_same_whatever_its_payments_and_documents(world):
    case = served(world)
    client = Client()
    client.force_login(world.officer1.user)
    url = f"/enforcement/cases/{case.number}/"

    def cost() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        LAST[:] = ctx.captured_queries
        return len(ctx.captured_queries)

    def pay(n: int) -> None:
        execution.case_record_payment(
            case=case,
            actor=world.officer1.user,
            amount="100",
            paid_on=date(2026, 3, 20 + n),
            method="bank",
            receipt_number=f"B{n}",
        )

    client.get(url)
    pay(1)
    one = cost()
    for n in (2, 3, 4):
        pay(n)
    assert case.documents.count() >= 2
    assert cost() == one
    assert one <= CEILING, [q["sql"][:120] for q in LAST]
    case_reads = [q for q in LAST if 'FROM "enforcement_case"' in q["sql"]]
    assert len(case_reads) == 1, [q["sql"][:120] for q in case_reads]
