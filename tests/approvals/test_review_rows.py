"""review_rows, written in Python (issue 19), gives the bytes of the loop it replaced."""

import datetime
import itertools

import pytest
from django.template import Context, Engine, Template
from django.utils import translation

from approvals.models import Application, Matter
from approvals.models.applications import State
from approvals.templatetags.applications import review_rows
from portal.models import User

FORMER = """{% load i18n applications %}{% for app in page.rows %}{% url 'approvals:review' app.reference as href %}
<tr data-href="{{ href }}" tabindex="-1" class="rank-{{ app.clock_status }}">
  <td><a href="{{ href }}">{{ app.number }}</a></td>
  <td>{{ app.matter.display_name }}</td>
  <td>{{ app.applicant_name }}</td>
  <td>{{ app.get_state_display }}</td>
  <td>{% if app.handler %}{{ app.handler.display_name }}{% else %}<span class="muted">{% translate "未认领" %}</span>{% endif %}</td>
  <td>{{ app.accepted_on|date:"Y-m-d" }}</td>
  <td>{% clock_badge app.clock_status app.due_date %}</td>
  <td>{% if app.state == "accepted" %}<form method="post" action="{{ href }}">{% csrf_token %}<input type="hidden" name="state" value="accepted"><button class="button button-small" type="submit" name="action" value="claim">{% translate "认领" %}</button></form>{% endif %}</td>
</tr>
{% endfor %}"""  # noqa: E501

NASTY = "<b>&\"'</b> 食品经营 a/b?c#d%20 " * 4
NUMBERS = ["SP2026000123", "x-y_z", "a b", "中文#?", "%2F", "a.b", "..", "~:@!$&'()*+,;=", ""]
CLOCKS = ["overdue", "warning", "normal", "paused", "stopped", "not_started", "", None, "<x>"]


def applications():
    combos = itertools.product([*State.values, "odd<"], CLOCKS, range(3))
    for n, (state, clock, k) in enumerate(combos):
        app = Application(number=NUMBERS[n % len(NUMBERS)] + (str(n) if n % 5 else ""), state=state)
        app.applicant_name = NASTY[: n % 25] if k else None
        app.matter = Matter(name=NASTY[n % 7 :], name_en=["", "Food <licence>"][n % 2])
        if k == 1:
            app.handler = User(username=f"u{n}", real_name=NASTY[: n % 6])
        app.accepted_on = [None, datetime.date(2026, 3, n % 28 + 1)][n % 2]
        app.due_date = [None, datetime.date(2026, 5, n % 28 + 1)][k % 2]
        app.clock_status = clock
        yield app


@pytest.mark.parametrize("token", ["tok<&>en", "NOTPROVIDED", ""])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_review_rows_are_the_former_loop(language, token):
    rows = list(applications())
    with translation.override(language):
        context = Context({"page": {"rows": rows}, "csrf_token": token})
        former = Template(FORMER, engine=Engine.get_default()).render(context)
        assert review_rows(Context({"csrf_token": token}), rows) == former
    assert len(rows) > 300
