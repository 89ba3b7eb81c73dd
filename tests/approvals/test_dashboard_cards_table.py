"""cards_table, the red and yellow cards' tables written in Python (issue 19), gives the bytes of
the template it replaced (approvals/dashboard/_cards_table.html, kept here as the reference,
included as the panels included it), in both languages, with the thousand separator on and off;
and the drill-down links of the cards, encoded once for the filters' part, are the links of
``urlencode`` of all the parameters."""

from datetime import date
from urllib.parse import urlencode

import pytest
from django.template import Context, Engine, Template
from django.test import override_settings
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from approvals.selectors import dashboard as sel
from approvals.templatetags.dashboard_tables import cards_table
from approvals.views.dashboard import _decorate

FORMER = """{% load i18n humanize %}{% if rows %}<div class="table-wrap"><table class="table dash-cards">
  <thead><tr><th scope="col">{{ label }}</th><th scope="col">{% translate "超期（红牌）" %}</th><th scope="col">{% translate "预警（黄牌）" %}</th></tr></thead>
  <tbody>{% for row in rows %}<tr>
    <th scope="row">{{ row.label }}</th>
    <td>{% if row.red %}<a class="card-link card-red" href="{{ row.red_url }}">{{ row.red }}</a>{% else %}0{% endif %}</td>
    <td>{% if row.yellow %}<a class="card-link card-yellow" href="{{ row.yellow_url }}">{{ row.yellow }}</a>{% else %}0{% endif %}</td>
  </tr>{% endfor %}</tbody>
</table></div>{% else %}<p class="muted">{% translate "没有超期或预警办件。" %}</p>{% endif %}
"""  # noqa: E501

NASTY = "<b>&\"'</b> 食品经营 a/b?c#d%20 "
LABELS = ["市场监督管理局", NASTY, "x" * 300, "", "&amp;", "1号窗口 综合受理", "待认领"]
COUNTS = [0, 1, 7, 999, 1000, 12345, 1234567]
URLS = ["/dashboard/applications/?start=2026-11-06&end=2026-12-05&status=overdue", "", NASTY]


def rows(n: int = 60) -> list[dict]:
    return [
        {
            "key": i if i % 5 else None,
            "label": LABELS[i % len(LABELS)],
            "red": COUNTS[i % len(COUNTS)],
            "yellow": COUNTS[(i * 3 + 1) % len(COUNTS)],
            "red_url": URLS[i % len(URLS)],
            "yellow_url": URLS[(i + 1) % len(URLS)],
        }
        for i in range(n)
    ]


def former(rows, label) -> str:
    engine = Engine.get_default()
    return Template(FORMER, engine=engine).render(Context({"rows": rows, "label": label}))


@pytest.mark.parametrize("separator", [False, True])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_cards_table_is_the_former_template(language, separator):
    table = rows()
    with translation.override(language), override_settings(USE_THOUSAND_SEPARATOR=separator):
        for label in [mark_safe(gettext("部门")), mark_safe(gettext("承办人")), "<i>&部门</i>"]:
            for part in (table, table[:1], table[5:6], []):
                assert cards_table(part, label) == former(part, label)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_panels_use_the_tag_as_they_used_the_include(language):
    """The panels' calls, rendered through the engine (``_("…")`` arguments, the slice), are
    the former includes'."""
    table = rows(30)
    cards = {"department": table[:9], "window": table[9:15], "handler": table}
    new = (
        '{% load dashboard_tables %}<a>\n  {% cards_table cards.department _("部门") %}\n'
        '  {% cards_table cards.window _("受理窗口") %}\n'
        '  {% cards_table cards.handler|slice:":20" _("承办人") %}\n</a>'
    )
    old = (
        '<a>\n  {% include "former" with rows=cards.department label=_("部门") %}\n'
        '  {% include "former" with rows=cards.window label=_("受理窗口") %}\n'
        '  {% include "former" with rows=cards.handler|slice:":20" label=_("承办人") %}\n</a>'
    )
    engine = Engine(
        loaders=[("django.template.loaders.locmem.Loader", {"former": FORMER})],
        libraries={
            "i18n": "django.templatetags.i18n",
            "humanize": "django.contrib.humanize.templatetags.humanize",
            "dashboard_tables": "approvals.templatetags.dashboard_tables",
        },
    )
    with translation.override(language):
        rendered_old = Template(old, engine=engine).render(Context({"cards": cards}))
        rendered_new = Template(new, engine=engine).render(Context({"cards": cards}))
    assert rendered_new == rendered_old
    source = Engine.get_default().get_template("approvals/dashboard/_time_limits_panels.html")
    assert "_cards_table.html" not in source.source
    assert source.source.count("{% cards_table ") == 3


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"kind": "许可 a&b", "channel": "online"},
        {"department": 3},
        {"window": 4, "department": 3},
    ],
)
def test_card_links_are_urlencode_of_all_the_parameters(filters):
    class Pk:
        def __init__(self, pk):
            self.pk = pk

    f = sel.Filters(
        start=date(2026, 11, 6),
        end=date(2026, 12, 5),
        department=Pk(filters["department"]) if "department" in filters else None,
        window=Pk(filters["window"]) if "window" in filters else None,
        kind=filters.get("kind", ""),
        channel=filters.get("channel", ""),
    )
    row = {"key": 7, "label": "x", "red": 1, "yellow": 2}
    data = {
        "cards": {
            "department": [dict(row), {**row, "key": 3}],
            "window": [dict(row), {**row, "key": None}],
            "handler": [dict(row), {**row, "key": None}],
        },
        "position": {"urls": {}},
    }
    _decorate(data, f)
    base = "/dashboard/applications/"
    query = f.query()
    for dim, rows_ in data["cards"].items():
        if dim not in ("department", "window", "handler"):
            continue
        for r in rows_:
            if r["key"] is None:
                extra = {"no_window" if dim == "window" else "unclaimed": 1}
            else:
                extra = {dim: r["key"]}
            for status, name in (("overdue", "red_url"), ("warning", "yellow_url")):
                assert r[name] == f"{base}?{urlencode({**query, 'status': status, **extra})}"
    assert data["cards"]["red_url"] == f"{base}?{urlencode({**query, 'status': 'overdue'})}"
    for status in ("normal", "warning", "overdue", "paused"):
        assert (
            data["position"]["urls"][status] == f"{base}?{urlencode({**query, 'status': status})}"
        )


FORMER_OVERDUE = """{% load i18n %}{% for row in overdue %}<tr>
      <td><a href="{{ row.url }}">{{ row.number }}</a></td><td>{{ row.matter }}</td><td>{{ row.department }}</td><td>{{ row.state_label }}</td><td>{{ row.holder }}</td><td>{{ row.due_date|date:"Y-m-d" }}</td>
      <td><span class="clock clock-overdue">{% if row.days_overdue %}{% blocktranslate count n=row.days_overdue %}{{ n }} 个工作日{% plural %}{{ n }} 个工作日{% endblocktranslate %}{% else %}{% translate "不足1个工作日" %}{% endif %}</span></td>
    </tr>{% endfor %}"""  # noqa: E501

DAYS_OVERDUE = [0, 1, 2, 5, 21, 999, 1000, 12345]


def overdue(n: int = 40) -> list[dict]:
    return [
        {
            "number": f"SP2026{i:06d}" if i % 4 else NASTY,
            "reference": f"SP2026{i:06d}",
            "url": URLS[i % len(URLS)] or f"/staff/applications/SP2026{i:06d}/",
            "matter": LABELS[(i + 1) % len(LABELS)],
            "department": LABELS[(i + 2) % len(LABELS)],
            "state_label": LABELS[(i + 3) % len(LABELS)],
            "holder": LABELS[(i + 4) % len(LABELS)],
            "due_date": date(2026, 1, 1) if i % 7 else date(2024, 2, 29),
            "days_overdue": DAYS_OVERDUE[i % len(DAYS_OVERDUE)],
        }
        for i in range(n)
    ]


@pytest.mark.parametrize("separator", [False, True])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_overdue_rows_are_the_former_loop(language, separator):
    from approvals.templatetags.dashboard_tables import overdue_rows

    rows_ = overdue()
    template = Template(FORMER_OVERDUE, engine=Engine.get_default())
    with translation.override(language), override_settings(USE_THOUSAND_SEPARATOR=separator):
        for part in (rows_, rows_[:1], rows_[1:2], []):
            assert overdue_rows(part) == template.render(Context({"overdue": part}))
    source = Engine.get_default().get_template("approvals/dashboard/_time_limits_panels.html")
    assert "{% overdue_rows overdue %}" in source.source
