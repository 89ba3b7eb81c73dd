"""work_order_cards, written in Python (issue 19), gives the bytes of the include it replaced."""

import datetime
import itertools
from types import SimpleNamespace

import pytest
from django.template import Context, Engine, Template
from django.utils import translation

from grid.templatetags.dispatch import work_order_cards

# The former loop over grid/dispatch/_order_card.html (its file ended with a newline).
FORMER_CARD = """{% load i18n %}<li class="incident-card order-card urgency-{{ o.urgency }}">
  <a class="card-link" href="{% url 'grid:work-order' o.pk %}">
    <h2>{{ o.incident.category.name }} <span class="state order-state-{{ o.state }}">{{ o.get_state_display }}</span>{% if o.role == "co" %} <span class="tag">{% translate "协办" %}</span>{% endif %}{% if o.is_district %} <span class="tag">{% translate "区级转办" %}</span>{% endif %}{% if o.is_hotline %} <span class="tag">12345</span>{% endif %}</h2>
    <p class="desc">{{ o.incident.description|truncatechars:80 }}</p>
    <p class="meta">
      {% if o.urgency == "urgent" %}<span class="urgency urgency-urgent-text">{% translate "紧急" %}</span>{% endif %}
      <span>{{ o.number }}</span>
      {% if show_department %}<span>{{ o.department.short_name|default:o.department.name }}</span>{% endif %}
      {% if o.incident.grid %}<span>{{ o.incident.grid.name }}</span>{% endif %}
      {% if o.state == "sent" %}<span>{% translate "签收期限" %}</span>{% elif o.state == "signed" %}<span>{% translate "办理期限" %}</span>{% endif %}
      {% if o.state == "sent" or o.state == "signed" %}{% include "grid/_clock.html" with status=o.clock_status due=o.step_due_at %}{% elif o.state == "done" %}<span>{% if o.done_on_time %}{% translate "按期办结" %}{% else %}{% translate "超期办结" %}{% endif %}</span>{% endif %}
    </p>
  </a>
</li>
"""  # noqa: E501
LOOP = "{% for o in rows %}{% include card with show_department=centre %}{% endfor %}"

NASTY = "<b>&\"'</b> 占道经营" * 8


def orders():
    due = datetime.datetime(2026, 12, 4, 1, 30, tzinfo=datetime.UTC)
    combos = itertools.product(
        ["sent", "signed", "done", "returned", "cancelled"],
        ["overdue", "warning", "normal", "paused", "stopped", "not_started"],
        [True, False, None],
        ["co", "lead"],
        ["urgent", "normal"],
    )
    for n, (state, clock, flag, role, urgency) in enumerate(combos):
        grid = SimpleNamespace(name=NASTY[: n % 9]) if n % 3 else None
        yield SimpleNamespace(
            pk=n + 1,
            number=f"GD2026{n:06d}",
            state=state,
            get_state_display=lambda state=state: f"状态<{state}>",
            role=role,
            is_district=bool(flag),
            is_hotline=flag is False,
            urgency=urgency,
            done_on_time=flag,
            clock_status=clock,
            step_due_at=due + datetime.timedelta(hours=n) if n % 4 else None,
            incident=SimpleNamespace(
                category=SimpleNamespace(name=f"类<{n}>"),
                description=NASTY[: n * 3 % 160],
                grid=grid,
            ),
            department=SimpleNamespace(short_name="" if n % 2 else "城管&", name="城市管理局"),
        )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("centre", [True, False])
def test_the_same_bytes_as_the_former_include(language, centre):
    engine = Engine.get_default()
    rows = list(orders())
    with translation.override(language):
        expected = Template(LOOP, engine=engine).render(
            Context({"rows": rows, "centre": centre, "card": Template(FORMER_CARD, engine=engine)})
        )
        assert work_order_cards(rows, show_department=centre) == expected
