"""The law's arithmetic on fixed dates (the same functions the cases and the calculators use)."""

from datetime import date
from decimal import Decimal

import pytest

from enforcement import legal

pytestmark = pytest.mark.django_db
D = date


def test_filing_15_working_days_across_national_day_2026():
    # 1–7 October 2026 are holidays, Saturday 10 October a make-up working day.
    assert legal.filing_due(D(2026, 9, 28)) == D(2026, 10, 23)
    assert legal.filing_due(D(2026, 9, 28), extension_days=15) == D(2026, 11, 13)


def test_decision_day_90_and_a_hearing_excluded():
    assert legal.decision_due(D(2026, 3, 2)) == D(2026, 5, 31)
    # a hearing from 1 to 21 April: 20 days not counted
    assert legal.decision_due(D(2026, 3, 2), excluded_days=20) == D(2026, 6, 20)
    assert legal.decision_due(D(2026, 3, 2), excluded_days=20, extension_days=30) == D(2026, 7, 20)


def test_service_7_working_days_across_spring_festival_2026():
    # 15–23 February 2026 are holidays; Saturdays 14 and 28 February are working days.
    assert legal.service_due(D(2026, 2, 12)) == D(2026, 2, 28)


def test_payment_15_days_moves_off_a_holiday():
    assert legal.payment_due(D(2026, 3, 2)) == D(2026, 3, 17)
    # 15 days after 16 September 2026 is Thursday 1 October (National Day): moves to the 8th
    assert legal.payment_due(D(2026, 9, 16)) == D(2026, 10, 8)


def test_the_party_windows_and_preservation():
    assert legal.statement_due(D(2026, 3, 10)) == D(2026, 3, 17)
    assert legal.hearing_request_due(D(2026, 3, 25)) == D(2026, 4, 1)
    assert legal.earliest_hearing(D(2026, 4, 1)) == D(2026, 4, 13)  # Qingming 4–6 April off
    assert legal.preservation_due(D(2026, 9, 30)) == D(2026, 10, 15)
    assert legal.cash_hand_in_due(D(2026, 9, 30)) == D(2026, 10, 9)


@pytest.mark.parametrize(
    ("on", "fee"),
    [
        (D(2026, 3, 17), "0.00"),  # the last day to pay
        (D(2026, 3, 18), "30.00"),  # day 16 after service on 2 March: 3%
        (D(2026, 4, 1), "450.00"),  # day 30: 15 days late, 45%
        (D(2026, 4, 19), "990.00"),  # 33 days
        (D(2026, 4, 20), "1000.00"),  # 34 days would be 102%: never above the fine
        (D(2027, 1, 1), "1000.00"),
    ],
)
def test_late_fee_on_day_16_day_30_and_at_the_cap(on, fee):
    due = legal.payment_due(D(2026, 3, 2))
    assert legal.late_fee(Decimal("1000"), due, on) == Decimal(fee)


def test_late_fee_to_the_cent():
    assert legal.late_fee(Decimal("333.33"), D(2026, 3, 17), D(2026, 3, 18)) == Decimal("10.00")
    assert legal.late_fee(Decimal("333.33"), D(2026, 3, 17), D(2026, 3, 19)) == Decimal("20.00")
    assert legal.late_fee(Decimal("0.50"), D(2026, 3, 17), D(2026, 3, 18)) == Decimal("0.02")
    with pytest.raises(TypeError):
        legal.money(1.5)


def test_court_application_window():
    assert legal.court_application_window(D(2026, 8, 31)) == (D(2027, 3, 1), D(2027, 6, 1))
