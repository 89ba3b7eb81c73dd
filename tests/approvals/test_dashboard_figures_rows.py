"""figures_table and series_rows, the dashboard's figures written in Python (issue 19), give the
bytes of the template text they replaced (approvals/dashboard/_figures_table.html and the daily
table's loop in _time_limits_panels.html, kept here as the reference), in both languages, with
the thousand separator on and off."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Engine, Template
from django.test import override_settings
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from approvals.templatetags.dashboard_tables import figures_table, series_rows

FORMER = """{% load i18n humanize %}{% if rows %}<div class="table-wrap"><table class="table dash-figures">
  <thead><tr>
    <th scope="col">{{ label }}</th>
    {% if matters %}<th scope="col">{% translate "承诺／法定时限" %}</th>{% endif %}
    <th scope="col">{% translate "作出决定" %}</th><th scope="col">{% translate "按时办结率" %}</th>
    <th scope="col">{% translate "平均实际办理" %}</th><th scope="col">{% translate "平均承诺时限" %}</th><th scope="col">{% translate "平均法定时限" %}</th>
    <th scope="col">{% translate "实际／承诺" %}</th><th scope="col">{% translate "实际／法定" %}</th>
    <th scope="col">{% translate "办结" %}</th><th scope="col">{% translate "延期" %}</th><th scope="col">{% translate "特别程序" %}</th><th scope="col">{% translate "逾期视为受理" %}</th>
  </tr></thead>
  <tbody>{% for r in rows %}<tr>
    <th scope="row">{% if matters %}<a href="{% url 'approvals:matter-performance' r.code %}">{{ r.name }}</a><br><small class="muted">{{ r.code }}</small>{% else %}{{ r.label }}{% endif %}</th>
    {% if matters %}<td>{{ r.committed }} / {{ r.statutory }}</td>{% endif %}
    <td>{{ r.decided }}</td>
    <td>{% if r.on_time_pct is not None %}{{ r.on_time_pct|floatformat:1 }}%{% else %}—{% endif %}</td>
    <td>{{ r.avg_handling_days|default_if_none:"—" }}</td><td>{{ r.avg_committed_days|default_if_none:"—" }}</td><td>{{ r.avg_statutory_days|default_if_none:"—" }}</td>
    <td>{% if r.vs_committed_pct is not None %}{{ r.vs_committed_pct|floatformat:1 }}%{% else %}—{% endif %}</td>
    <td>{% if r.vs_statutory_pct is not None %}{{ r.vs_statutory_pct|floatformat:1 }}%{% else %}—{% endif %}</td>
    <td>{{ r.completed }}</td><td>{{ r.extensions }}</td><td>{{ r.suspensions }}</td><td>{{ r.deemed_accepted }}</td>
  </tr>{% endfor %}</tbody>
</table></div>
<p class="muted">{% translate "实际办理时间：自受理次日起至作出决定之日的工作日数，扣除特别程序（听证、检验检测、专家评审等）期间；节假日不计，调休上班日计入。" %}</p>
{% else %}<p class="muted">{% translate "该期间没有作出决定的办件。" %}</p>{% endif %}
"""  # noqa: E501

NASTY = "<b>&\"'</b> 食品经营 a/b?c#d%20 " * 3
NAMES = ["市场监督管理局", NASTY, "x" * 300, "", "&amp;", None, 42]
CODES = ["11530100MA001", "a b", "中文#?", "%2F", "a.b", "..", "~:@!$&'()*+,;=", "x-y_z"]
COUNTS = [0, 1, 7, 999, 1000, 12345, 1234567, 98765432109, Decimal("5"), Decimal("12345")]
DAYS = [None, 0.0, 1.0, 2.25, 12.5, 4.33, 1234.56, 0.01, Decimal("3.14"), 7, 1e-07, 123456789.12]
PCTS = [None, 0.0, 100.0, 93.5, 99.95, 0.05, 0.04, 12.3, 66.7, 1234.5, 123456.7, -0.04, -12.35]
PCTS += [7, 0, Decimal("45.65"), Decimal("1E+3"), 1e-07, 2.675, float("inf"), float("nan")]
LIMITS = [None, 0, 5, 20, 60, 1000]


def rows(n: int = 120) -> list[dict]:
    out = []
    for i in range(n):
        count, day, pct = COUNTS[i % len(COUNTS)], DAYS[i % len(DAYS)], PCTS[i % len(PCTS)]
        out.append(
            {
                "key": i,
                "label": NAMES[i % len(NAMES)],
                "code": CODES[i % len(CODES)],
                "name": NAMES[(i + 3) % len(NAMES)],
                "committed": LIMITS[i % len(LIMITS)],
                "statutory": LIMITS[(i + 2) % len(LIMITS)],
                "decided": count,
                "on_time_pct": pct,
                "avg_handling_days": day,
                "avg_committed_days": DAYS[(i + 5) % len(DAYS)],
                "avg_statutory_days": DAYS[(i + 1) % len(DAYS)],
                "vs_committed_pct": PCTS[(i + 3) % len(PCTS)],
                "vs_statutory_pct": PCTS[(i * 5) % len(PCTS)],
                "completed": COUNTS[(i + 1) % len(COUNTS)],
                "extensions": COUNTS[(i + 2) % len(COUNTS)],
                "suspensions": COUNTS[(i + 3) % len(COUNTS)],
                "deemed_accepted": COUNTS[(i + 4) % len(COUNTS)],
            }
        )
    return out


def former(rows, label, matters) -> str:
    context = {"rows": rows, "label": label}
    if matters:
        context["matters"] = True
    return Template(FORMER, engine=Engine.get_default()).render(Context(context))


@pytest.mark.parametrize("separator", [False, True])
@pytest.mark.parametrize("matters", [False, True])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_figures_table_is_the_former_template(language, matters, separator):
    table = rows()
    assert len(table) == 120
    with translation.override(language), override_settings(USE_THOUSAND_SEPARATOR=separator):
        for label in [mark_safe(gettext("事项" if matters else "部门")), "<i>&部门</i>"]:
            assert figures_table(table, label, matters) == former(table, label, matters)
            assert figures_table(table[:1], label, matters) == former(table[:1], label, matters)
            assert figures_table([], label, matters) == former([], label, matters)


FORMER_SERIES = """{% for r in history.series %}<tr><th scope="row">{% if r.month %}{{ r.day|date:"Y-m" }}{% else %}{{ r.day|date:"Y-m-d" }}{% endif %}</th><td>{{ r.accepted }}</td><td>{{ r.decided }}</td><td>{{ r.decided_on_time }}</td><td>{% if r.on_time_pct is not None %}{{ r.on_time_pct|floatformat:1 }}%{% else %}—{% endif %}</td><td>{{ r.completed }}</td><td>{{ r.extensions }}</td><td>{{ r.suspensions }}</td><td>{{ r.deemed_accepted }}</td></tr>{% endfor %}"""  # noqa: E501


def series(n: int = 120) -> list[dict]:
    start = datetime.date(2025, 12, 20)
    return [
        {
            "day": start + datetime.timedelta(days=i * 3),
            "month": bool(i % 3 == 0),
            "accepted": COUNTS[i % len(COUNTS)],
            "decided": COUNTS[(i + 1) % len(COUNTS)],
            "decided_on_time": COUNTS[(i + 2) % len(COUNTS)],
            "on_time_pct": PCTS[i % len(PCTS)],
            "completed": COUNTS[(i + 3) % len(COUNTS)],
            "extensions": COUNTS[(i + 4) % len(COUNTS)],
            "suspensions": COUNTS[(i + 5) % len(COUNTS)],
            "deemed_accepted": COUNTS[(i + 6) % len(COUNTS)],
        }
        for i in range(n)
    ]


@pytest.mark.parametrize("separator", [False, True])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_series_rows_are_the_former_loop(language, separator):
    rows = series()
    template = Template(FORMER_SERIES, engine=Engine.get_default())
    with translation.override(language), override_settings(USE_THOUSAND_SEPARATOR=separator):
        for part in (rows, rows[:1], []):
            former = template.render(Context({"history": {"series": part}}))
            assert series_rows(part) == former


def test_the_rows_cover_the_cases():
    table = rows()
    for key, values in [("decided", COUNTS), ("avg_handling_days", DAYS), ("on_time_pct", PCTS)]:
        seen = {repr(r[key]) for r in table}
        assert seen == {repr(v) for v in values}, key


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_dashboard_page_uses_the_tag(language):
    source = Engine.get_default().get_template("approvals/dashboard/_time_limits_panels.html")
    assert "_figures_table.html" not in source.source
    assert source.source.count("{% figures_table ") == 2
    assert "{% series_rows history.series %}" in source.source
