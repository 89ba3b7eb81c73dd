"""The intake, release, district and supervision queues' rows, written in Python (issue 19),
give the bytes of the loops they replaced (kept here as the reference)."""

import datetime
import itertools

import pytest
from django.template import Context, Engine, Template
from django.utils import timezone, translation

from approvals.models import Application, Matter
from approvals.models.applications import State
from approvals.templatetags.applications import (
    district_rows,
    intake_rows,
    release_rows,
    supervision_rows,
)
from portal.models import Department, User

FORMER_INTAKE = """{% load i18n staff_pages %}{% for app in page.rows %}{% url 'approvals:intake' app.reference as href %}
<tr data-href="{{ href }}" tabindex="-1">
  <td><a href="{{ href }}">{{ app.number }}</a>{% if app.submission_round > 1 %} <span class="tag">{% translate "补正后重交" %}</span>{% endif %}</td>
  <td>{{ app.matter.display_name }}<br><small class="muted">{{ app.department.short_name|default:app.department.display_name }}</small></td>
  <td>{{ app.applicant_name }}</td>
  <td>{{ app.get_channel_display }}</td>
  <td>{% with at=app.submitted_at|date:"Y-m-d H:i" %}<time datetime="{{ at }}">{{ at }}</time>{% endwith %}</td>
  <td>{% deemed_countdown app.deemed_acceptance_on today %}</td>
</tr>
{% endfor %}"""  # noqa: E501

FORMER_RELEASE = """{% load i18n %}{% for app in page.rows %}{% url 'approvals:release' app.reference as href %}
<tr data-href="{{ href }}" tabindex="-1">
  <td><a href="{{ href }}">{{ app.number }}</a></td>
  <td>{{ app.matter.display_name }}</td>
  <td>{{ app.applicant_name }}</td>
  <td><span class="tag outcome-{{ app.outcome }}">{{ app.get_outcome_display }}</span></td>
  <td>{{ app.decided_on|date:"Y-m-d" }}</td>
  <td>{% if app.release_due_on %}<time datetime="{{ app.release_due_on|date:'Y-m-d' }}" class="{% if app.release_due_on < today %}late{% endif %}">{{ app.release_due_on|date:"Y-m-d" }}</time>{% else %}<span class="muted">—</span>{% endif %}</td>
</tr>
{% endfor %}"""  # noqa: E501

FORMER_DISTRICT = """{% load i18n applications %}{% for app in page.rows %}{% url 'approvals:district-review' app.reference as href %}
<tr data-href="{{ href }}" tabindex="-1">
  <td><a href="{{ href }}">{{ app.number }}</a></td>
  <td>{{ app.matter.display_name }}</td>
  <td>{{ app.department.display_name }}</td>
  <td>{{ app.applicant_name }}</td>
  <td>{{ app.forwarded_on|date:"Y-m-d" }}</td>
  <td>{% clock_badge app.clock_status app.due_date %}</td>
</tr>
{% endfor %}"""  # noqa: E501

FORMER_SUPERVISION = """{% load i18n applications %}{% for app in page.rows %}{% url 'approvals:staff-application' app.reference as href %}
<tr data-href="{{ href }}" tabindex="-1">
  <td><a href="{{ href }}">{{ app.number }}</a></td>
  <td>{{ app.matter.display_name }}</td>
  <td>{{ app.department.short_name|default:app.department.display_name }}</td>
  <td>{% if app.handler %}{{ app.handler.display_name }}{% else %}<span class="unclaimed">{% translate "未认领" %}</span>{% endif %}</td>
  <td>{{ app.get_state_display }}</td>
  <td>{% clock_badge app.clock_status app.due_date %}</td>
  <td>{% if app.state != "forwarded" %}<a class="button button-small button-secondary" href="{% url 'approvals:reassign' app.reference %}?next={{ request.get_full_path|urlencode }}">{% translate "改派" %}</a>{% endif %}</td>
</tr>
{% endfor %}"""  # noqa: E501

NASTY = "<b>&\"'</b> 食品经营 a/b?c#d%20 {x} " * 4
NUMBERS = ["SP2026000123", "x-y_z", "a b", "中文#?", "%2F", "a.b", "..", "~:@!$&'()*+,;=", ""]
CLOCKS = ["overdue", "warning", "normal", "paused", "stopped", "not_started", "", None, "<x>"]
TODAY = datetime.date(2026, 12, 4)


def applications():
    states = [*State.values, "odd<"]
    for n, (state, clock, k) in enumerate(itertools.product(states, CLOCKS, range(3))):
        app = Application(number=NUMBERS[n % len(NUMBERS)] + (str(n) if n % 5 else ""), state=state)
        app.applicant_name = NASTY[: n % 25] if k else None
        app.matter = Matter(name=NASTY[n % 7 :], name_en=["", "Food <licence>"][n % 2])
        app.department = Department(
            name=NASTY[n % 9 :],
            name_en=["", "Market & <Quality>"][k % 2],
            short_name=NASTY[: n % 3],
        )
        if k == 1:
            app.handler = User(username=f"u{n}", real_name=NASTY[: n % 6])
        app.channel = [*Application.Channel.values, "odd&", ""][n % 6]
        app.outcome = [*Application.Outcome.values, "", "<o>"][n % 4]
        app.submission_round = [0, 1, 2, 3][n % 4]
        app.submitted_at = [
            None,
            timezone.make_aware(datetime.datetime(2026, 11, n % 28 + 1, n % 24, n % 60)),
        ][k % 2]
        day = TODAY + datetime.timedelta(days=n % 19 - 9)
        app.deemed_acceptance_on = [None, day, day][k]
        app.release_due_on = [None, day][n % 2]
        app.decided_on = [None, datetime.date(2026, 3, n % 28 + 1)][k % 2]
        app.forwarded_on = [datetime.date(2026, 4, n % 28 + 1), None][n % 2]
        app.due_date = [None, datetime.date(2026, 5, n % 28 + 1)][k % 2]
        app.clock_status = clock
        yield app


class Request:
    def __init__(self, path):
        self.path = path

    def get_full_path(self):
        return self.path


def former(source, **context):
    return Template(source, engine=Engine.get_default()).render(Context(context))


@pytest.fixture(params=["zh-hans", "en"])
def language(request):
    with translation.override(request.param):
        yield request.param


@pytest.fixture(scope="module")
def rows():
    rows = list(applications())
    assert len(rows) > 300
    return rows


@pytest.mark.django_db  # the working-day calendar of the countdown
@pytest.mark.parametrize("today", [TODAY, None])
def test_intake_rows_are_the_former_loop(language, rows, today):
    expected = former(FORMER_INTAKE, page={"rows": rows}, today=today)
    assert intake_rows(rows, today) == expected
    assert expected.count("<tr ") == len(rows)
    assert "countdown-overdue" in expected and "countdown-normal" in expected


@pytest.mark.parametrize("today", [TODAY, None, ""])
def test_release_rows_are_the_former_loop(language, rows, today):
    expected = former(FORMER_RELEASE, page={"rows": rows}, today=today)
    assert release_rows(rows, today) == expected
    assert ('class="late"' in expected) == bool(today)


def test_district_rows_are_the_former_loop(language, rows):
    expected = former(FORMER_DISTRICT, page={"rows": rows})
    assert district_rows(rows) == expected


@pytest.mark.parametrize("path", ['/staff/supervision/?tab=overdue&after=Wy<&>"{}', "", None])
def test_supervision_rows_are_the_former_loop(language, rows, path):
    context = {"page": {"rows": rows}}
    if path is not None:
        context["request"] = Request(path)
    expected = former(FORMER_SUPERVISION, **context)
    assert supervision_rows(rows, path or "") == expected
    assert "改派" in expected or "Reassign" in expected
