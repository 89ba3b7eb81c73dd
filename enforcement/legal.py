"""The legal arithmetic of enforcement: every period of the Administrative Penalty Law the
cases run on, and the late-payment fee. The case services and the officers' calculators
(``/api/v1/enforcement/deadlines/`` and ``/late-fee/``) call these very functions.

Periods (the start day is never counted; portal.clock / portal.workdays do the counting):

| kind | period | basis |
| --- | --- | --- |
| filing | 15 working days from receiving the lead (+15 once, approved) | 市场监管等部门行政处罚程序规定; 15 working days |
| decision | 90 calendar days from filing; recorded suspensions (hearing, public notice, testing, appraisal) do not count; extensions | art. 60 |
| service | 7 working days from the decision | arts. 61, 85 |
| payment | 15 days from service; a last day that is not a working day moves to the next | art. 67 |
| statement | the bureau's period (default 5 working days) from the notice | arts. 44–45 |
| hearing_request | 5 working days from the notice | arts. 64, 85 |
| hearing_notice | the hearing at least 7 working days after its notice | arts. 64, 85 |
| preservation | 7 working days to deal with goods registered for preservation | arts. 56, 85 |
| legal_review | 10 working days | the bureau's rule (art. 58) |
| cash_hand_in | cash collected on the spot handed in within 2 working days | arts. 71, 85 |
| publication | within 7 working days of the decision (configurable) | 国办发〔2018〕118号 |
| inspection_results | random-inspection results published within 20 working days | 双随机一公开 |

Art. 85: "二日""三日""五日""七日" in the law are working days, hence the working-day units.

Late fee (art. 72): from the day after the payment deadline, 3% of the fine a day, never more
than the fine; to the cent (half up)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from portal import clock
from portal.clock import Limit, Unit

FILING_EXTENSION_DAYS = 15
CORRECTION_MAX_DAYS = 30  # an order to correct gives at most 30 days
PUBLIC_NOTICE_SERVICE_DAYS = 60  # service by public notice counts after 60 days
LATE_FEE_RATE = Decimal("0.03")
CENT = Decimal("0.01")

# Simplified procedure (art. 51) and on-the-spot collection (art. 68).
SIMPLIFIED_MAX_FINE_PERSON = Decimal("200")
SIMPLIFIED_MAX_FINE_ORGANISATION = Decimal("3000")
ON_THE_SPOT_MAX = Decimal("100")


def _statement_days() -> int:
    return int(settings.ENFORCEMENT["STATEMENT_DAYS"])


def _publication_days() -> int:
    return int(settings.ENFORCEMENT["PUBLICATION_DAYS"])


def limits() -> dict[str, Limit]:
    """Every period by kind (configurable ones read from settings each time)."""
    return {
        "filing": Limit(15, Unit.WORKING_DAYS),
        "decision": Limit(90, Unit.CALENDAR_DAYS),
        "service": Limit(7, Unit.WORKING_DAYS),
        "payment": Limit(15, Unit.CALENDAR_DAYS, roll_forward=True),
        "statement": Limit(_statement_days(), Unit.WORKING_DAYS),
        "hearing_request": Limit(5, Unit.WORKING_DAYS),
        "hearing_notice": Limit(7, Unit.WORKING_DAYS),
        "preservation": Limit(7, Unit.WORKING_DAYS),
        "legal_review": Limit(10, Unit.WORKING_DAYS),
        "cash_hand_in": Limit(2, Unit.WORKING_DAYS),
        "publication": Limit(_publication_days(), Unit.WORKING_DAYS),
        "inspection_results": Limit(20, Unit.WORKING_DAYS),
    }


# The kinds the officers' calculator answers (the interface of issue 14).
CALCULATOR_KINDS = (
    "filing",
    "decision",
    "service",
    "payment",
    "statement",
    "hearing_request",
    "preservation",
)


def limit(kind: str) -> Limit:
    try:
        return limits()[kind]
    except KeyError:
        raise ValueError(f"unknown period {kind!r}") from None


def due(kind: str, start: date, *, excluded_days: int = 0, extension_days: int = 0) -> date:
    """The last day of the period ``kind`` that started on ``start``. ``excluded_days`` (days
    the law does not count, e.g. a hearing) and ``extension_days`` lengthen it in the period's
    own unit (calendar days for the decision, working days for the working-day periods)."""
    if excluded_days < 0 or extension_days < 0:
        raise ValueError("excluded and extension days cannot be negative")
    return clock.due_date(start, limit(kind).extended(excluded_days + extension_days))


def filing_due(received_on: date, *, extension_days: int = 0) -> date:
    return due("filing", received_on, extension_days=extension_days)


def decision_due(filed_on: date, *, excluded_days: int = 0, extension_days: int = 0) -> date:
    return due("decision", filed_on, excluded_days=excluded_days, extension_days=extension_days)


def service_due(decided_on: date) -> date:
    return due("service", decided_on)


def payment_due(served_on: date) -> date:
    return due("payment", served_on)


def statement_due(notified_on: date) -> date:
    return due("statement", notified_on)


def hearing_request_due(notified_on: date) -> date:
    return due("hearing_request", notified_on)


def earliest_hearing(notice_on: date) -> date:
    """The first day a hearing may be held after its notice (7 working days ahead)."""
    return due("hearing_notice", notice_on)


def preservation_due(started_on: date) -> date:
    return due("preservation", started_on)


def legal_review_due(submitted_on: date) -> date:
    return due("legal_review", submitted_on)


def cash_hand_in_due(collected_on: date) -> date:
    return due("cash_hand_in", collected_on)


def publication_due(decided_on: date) -> date:
    return due("publication", decided_on)


def inspection_results_due(drawn_on: date) -> date:
    return due("inspection_results", drawn_on)


def public_notice_served_on(published_on: date) -> date:
    """Service by public notice (公告送达) counts as done 60 days after the notice."""
    return clock.due_date(published_on, Limit(PUBLIC_NOTICE_SERVICE_DAYS, Unit.CALENDAR_DAYS))


def correction_latest(ordered_on: date) -> date:
    return clock.due_date(ordered_on, Limit(CORRECTION_MAX_DAYS, Unit.CALENDAR_DAYS))


def money(value) -> Decimal:
    """A yuan amount as a Decimal with cents (strings and ints accepted; floats refused)."""
    if isinstance(value, float):
        raise TypeError("amounts are never floats")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def days_late(payment_due: date, on: date) -> int:
    """Calendar days after the payment deadline (0 on or before it)."""
    return max(0, (on - payment_due).days)


def late_fee(fine, payment_due: date, on: date) -> Decimal:
    """The late fee (加处罚款, art. 72) on ``on`` for ``fine`` due on ``payment_due``: 3% of the
    fine for each day after the deadline, never above the fine."""
    fine = money(fine)
    if fine <= 0:
        return money(0)
    fee = (fine * LATE_FEE_RATE * days_late(payment_due, on)).quantize(CENT, rounding=ROUND_HALF_UP)
    return min(fee, fine)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# A party may seek review within 60 days or sue within 6 months of service; once those have
# passed unused and the fine is unpaid, the bureau applies to the court within 3 months
# (行政强制法 arts. 53–54).
LITIGATION_MONTHS = 6
COURT_APPLICATION_MONTHS = 3


def court_application_window(served_on: date) -> tuple[date, date]:
    """(first day, last day) on which the bureau may apply to the court for enforcement."""
    first = add_months(served_on, LITIGATION_MONTHS) + timedelta(days=1)
    return first, add_months(first, COURT_APPLICATION_MONTHS)
