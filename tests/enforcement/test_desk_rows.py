"""The desk's rows written in Python (issue 19) give the bytes of the template loops they
replaced."""

import datetime
import itertools

import pytest
from django.template import Context, Engine, Template
from django.utils import translation

from approvals.models import Matter
from enforcement.models import Case, CaseState, Lead, LeadSource, LeadState, Squad
from enforcement.templatetags.enforcement_tags import case_rows, lead_rows

FORMER_LEADS = """{% load i18n enforcement_tags %}{% for l in leads %}<tr class="rank-{{ l.clock_status }}"><td><a href="{% url 'enforcement:lead' l.number %}" class="app-number">{{ l.number }}</a></td><td>{{ l.description|truncatechars:40 }}</td><td>{{ l.get_source_display }}</td><td>{{ l.squad.name|default:_("待分派") }}</td><td>{{ l.get_state_display }}</td><td>{{ l.filing_due|date:"Y-m-d" }}</td><td><span class="clock clock-{{ l.clock_status }}">{{ l.clock_status|clock_label }}</span></td></tr>{% endfor %}"""  # noqa: E501
FORMER_CASES = """{% load i18n enforcement_tags %}{% for c in cases %}<tr class="rank-{{ c.clock_status }}">
  <td><a href="{% url 'enforcement:case' c.number %}" class="app-number">{{ c.number }}</a></td>
  <td>{{ c.party_name }}</td><td>{{ c.matter.name }}</td><td>{{ c.squad.name }}</td>
  <td>{{ c.get_state_display }}</td>
  <td>{% if c.due_at %}{{ c.due_at|date:"Y-m-d" }}{% endif %}</td>
  <td><span class="clock clock-{{ c.clock_status }}">{{ c.clock_status|clock_label }}</span></td>
</tr>{% endfor %}"""

NASTY = "<b>&\"'</b> 占道经营 a/b?c#d%20 " * 5
NUMBERS = ["ZF2026000123", "x-y_z", "a b", "中文#?", "%2F", "a.b", "..", "~:@!$&'()*+,;="]
CLOCKS = ["overdue", "warning", "normal", "paused", "stopped", "not_started", "", None, "<x>"]


def leads():
    combos = itertools.product(
        [*LeadState.values, "unknown<"], [*LeadSource.values, "odd&"], CLOCKS, range(3)
    )
    for n, (state, source, clock, k) in enumerate(combos):
        lead = Lead(
            number=NUMBERS[n % len(NUMBERS)] + str(n),
            state=state,
            source=source,
            description=NASTY[: n * 7 % 160],
            filing_due=datetime.date(2026, 1, 1) + datetime.timedelta(days=n),
        )
        lead.squad = [None, Squad(code="S1", name=NASTY[: n % 12]), Squad(code="S", name="")][k]
        lead.clock_status = clock
        yield lead


def cases():
    due = datetime.datetime(2026, 12, 4, 17, 30, tzinfo=datetime.UTC)
    combos = itertools.product([*CaseState.values, "odd"], CLOCKS, range(3))
    for n, (state, clock, k) in enumerate(combos):
        case = Case(number=NUMBERS[n % len(NUMBERS)] + str(n), state=state)
        case.party_name = NASTY[: n % 30] if k else None
        if k:
            case.squad = Squad(code="S1", name=NASTY[: n % 9])
            case.matter = Matter(name=NASTY[n % 5 :])
        case.clock_status = clock
        case.due_at = [None, due + datetime.timedelta(hours=n), datetime.date(2026, 3, n % 28 + 1)][
            k
        ]
        yield case


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_lead_rows_are_the_former_loop(language):
    rows = list(leads())
    with translation.override(language):
        former = Template(FORMER_LEADS, engine=Engine.get_default()).render(
            Context({"leads": rows})
        )
        assert lead_rows(rows) == former
    assert len(rows) > 200


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_case_rows_are_the_former_loop(language):
    rows = list(cases())
    with translation.override(language):
        former = Template(FORMER_CASES, engine=Engine.get_default()).render(
            Context({"cases": rows})
        )
        assert case_rows(rows) == former
    assert len(rows) > 200
