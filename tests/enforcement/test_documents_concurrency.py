"""Document numbers under real concurrency: 50 parallel issues get 50 distinct numbers, and a
rolled-back issue gives its number back (no gaps)."""

from datetime import date

import pytest
from django.db import connection, transaction

from enforcement.models import Document
from enforcement.services import documents
from tests.enforcement.races import race
from tests.enforcement.world import World

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    return World()


def issue(world):
    with transaction.atomic():
        return documents.issue(
            kind="penalty_decision",
            actor=world.head,
            on=date(2026, 3, 2),
            rows=[("当事人", "李某某")],
            paragraphs=["正文"],
        ).number


def test_fifty_parallel_issues_get_fifty_distinct_numbers_without_gaps(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        issue(world)
        raise RuntimeError("the case service failed after numbering")
    results = race([lambda: issue(world) for _ in range(50)])
    assert all(r[0] == "ok" for r in results), [r for r in results if r[0] != "ok"][:2]
    numbers = sorted(r[1] for r in results)
    assert len(set(numbers)) == 50
    assert sorted(Document.objects.values_list("seq", flat=True)) == list(range(1, 51))
    assert "下埠综执罚决字〔2026〕1号" in numbers and "下埠综执罚决字〔2026〕50号" in numbers
