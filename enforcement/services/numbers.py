"""Numbers that are unique, never reused and allocated safely under concurrency: a counter
row per year (per kind and year for documents), locked until the caller's transaction ends, so a
rollback gives the number back (no gaps) and two callers never get the same one."""

from django.conf import settings

from enforcement.models import CaseNumberCounter, LeadNumberCounter


def _next(model, **key) -> int:
    model.objects.bulk_create([model(**key, last=0)], ignore_conflicts=True)
    counter = model.objects.select_for_update().get(**key)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def lead_number(year: int) -> str:
    seq = _next(LeadNumberCounter, year=year)
    return settings.ENFORCEMENT["LEAD_NUMBER_FORMAT"].format(
        town_code=settings.ONEWINDOW["TOWN_CODE"], year=year, seq=seq
    )


def case_number(year: int) -> str:
    seq = _next(CaseNumberCounter, year=year)
    return settings.ENFORCEMENT["CASE_NUMBER_FORMAT"].format(
        town_code=settings.ONEWINDOW["TOWN_CODE"], year=year, seq=seq
    )
