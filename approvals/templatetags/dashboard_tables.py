"""The supervisors' dashboard tables written in Python (issue 19).

The figures table of the time-limit dashboard (the former approvals/dashboard/_figures_table.html,
included for the departments and for the busiest matters) and the daily (monthly) data table
printed a dozen localized numbers a row: every ``{{ number }}`` and ``|floatformat`` went through
``formats.number_format``, which looks the locale's separators up again for each number. Here
they are looked up once per render and the numbers formatted by the same
``numberformat.format`` with them, so the bytes are the template's
(tests/approvals/test_dashboard_figures_rows.py compares them in both languages).
"""

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, getcontext

from django import template
from django.conf import settings
from django.template import Context as TemplateContext
from django.template.base import render_value_in_context
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext

from approvals.templatetags.applications import _PLAIN, _day

register = template.Library()

_PLAIN_CONTEXT = TemplateContext()  # autoescape on, localized, as the pages render


def _numbers():
    """``{{ value }}`` and ``{{ value|floatformat:1 }}`` for one render in the active language:
    what ``formats.localize`` / ``number_format`` give, their separators looked up once."""
    lang = get_language()
    decimal_sep = get_format("DECIMAL_SEPARATOR", lang, use_l10n=True)
    grouping = get_format("NUMBER_GROUPING", lang, use_l10n=True)
    thousand_sep = get_format("THOUSAND_SEPARATOR", lang, use_l10n=True)
    plain_ints = not (settings.USE_THOUSAND_SEPARATOR and grouping != 0)

    def number(value) -> str:
        """``{{ value }}``"""
        kind = type(value)
        if kind is int and plain_ints:
            return str(value)
        if kind is int or kind is float or kind is Decimal:
            return conditional_escape(
                numberformat.format(value, decimal_sep, None, grouping, thousand_sep)
            )
        return render_value_in_context(value, _PLAIN_CONTEXT)  # None, text, anything else

    def one_place(value) -> str:
        """``{{ value|floatformat:1 }}``: the filter's own steps for a number (its last,
        ``number_format``, with the separators above); anything else to the filter itself."""
        kind = type(value)
        if kind is not float and kind is not int and kind is not Decimal:
            return conditional_escape(floatformat(value, 1))
        input_val = str(value)
        try:
            d = Decimal(input_val)
        except InvalidOperation:
            return conditional_escape(floatformat(value, 1))  # inf, nan
        _sign, digits, exponent = d.as_tuple()
        if not isinstance(exponent, int) or len(digits) + abs(exponent) > 200:
            return conditional_escape(floatformat(value, 1))
        m = int(d) - d
        exp = Decimal(1).scaleb(-1)
        units = len(digits) + (-exponent if m else exponent)
        prec = max(getcontext().prec, 1 + units + 1)
        rounded_d = d.quantize(exp, ROUND_HALF_UP, Context(prec=prec))
        sign, digits, exponent = rounded_d.as_tuple()
        chars = [str(digit) for digit in reversed(digits)]
        while len(chars) <= abs(exponent):
            chars.append("0")
        chars.insert(-exponent, ".")
        if sign and rounded_d:
            chars.append("-")
        text = "".join(reversed(chars))
        return numberformat.format(text, decimal_sep, 1, grouping, thousand_sep)

    def pct(value) -> str:
        """``{% if v is not None %}{{ v|floatformat:1 }}%{% else %}—{% endif %}``"""
        return "—" if value is None else f"{one_place(value)}%"

    return number, pct


FIGURES_HEAD = """<div class="table-wrap"><table class="table dash-figures">
  <thead><tr>
    <th scope="col">{label}</th>
    {limits}
    <th scope="col">{decided}</th><th scope="col">{on_time}</th>
    <th scope="col">{avg_handling}</th><th scope="col">{avg_committed}</th><th scope="col">{avg_statutory}</th>
    <th scope="col">{vs_committed}</th><th scope="col">{vs_statutory}</th>
    <th scope="col">{completed}</th><th scope="col">{extensions}</th><th scope="col">{suspensions}</th><th scope="col">{deemed}</th>
  </tr></thead>
  <tbody>"""  # noqa: E501

FIGURES_ROW = """<tr>
    <th scope="row">{name}</th>
    {limits}
    <td>{decided}</td>
    <td>{on_time}</td>
    <td>{avg_handling}</td><td>{avg_committed}</td><td>{avg_statutory}</td>
    <td>{vs_committed}</td>
    <td>{vs_statutory}</td>
    <td>{completed}</td><td>{extensions}</td><td>{suspensions}</td><td>{deemed}</td>
  </tr>"""

FIGURES_FOOT = """</tbody>
</table></div>
<p class="muted">{note}</p>

"""  # the template's file ended with a newline, after its {% endif %}

FIGURES_NONE = '<p class="muted">{none}</p>\n'


def _figures_head(label, matters: bool) -> str:
    limits_label = gettext("承诺／法定时限")
    return FIGURES_HEAD.format(
        label=conditional_escape(label),
        limits=f'<th scope="col">{limits_label}</th>' if matters else "",
        decided=gettext("作出决定"),
        on_time=gettext("按时办结率"),
        avg_handling=gettext("平均实际办理"),
        avg_committed=gettext("平均承诺时限"),
        avg_statutory=gettext("平均法定时限"),
        vs_committed=gettext("实际／承诺"),
        vs_statutory=gettext("实际／法定"),
        completed=gettext("办结"),
        extensions=gettext("延期"),
        suspensions=gettext("特别程序"),
        deemed=gettext("逾期视为受理"),
    )


def _matter_links(text):
    """``<a href="{% url 'approvals:matter-performance' r.code %}">{{ r.name }}</a>…``:
    reversed once, filled in per row (a code reverse() would quote is reversed as before)."""
    esc, viewname = conditional_escape, "approvals:matter-performance"
    pattern = reverse(viewname, args=["PLACEHOLDER0"])

    def link(row) -> str:
        code = row["code"]
        if isinstance(code, str) and _PLAIN.fullmatch(code):
            href = esc(pattern.replace("PLACEHOLDER0", code))
        else:
            href = esc(reverse(viewname, args=[code]))
        return (
            f'<a href="{href}">{text(row["name"])}</a><br><small class="muted">{text(code)}</small>'
        )

    return link


@register.simple_tag
def figures_table(rows, label, matters=False) -> SafeString:
    """The figures of the history's departments, or (``matters``) of its matters: decisions,
    on-time rate, average working days and their ratios to the time limits, the counters.
    The bytes of the former approvals/dashboard/_figures_table.html."""
    if not rows:
        return mark_safe(FIGURES_NONE.format(none=gettext("该期间没有作出决定的办件。")))
    number, pct = _numbers()
    link = _matter_links(number) if matters else None

    def days(value) -> str:
        """``{{ v|default_if_none:"—" }}``"""
        return "—" if value is None else number(value)

    html = [_figures_head(label, matters)]
    for r in rows:
        if matters:
            name = link(r)
            limits = f"<td>{number(r['committed'])} / {number(r['statutory'])}</td>"
        else:
            name, limits = number(r["label"]), ""
        html.append(
            FIGURES_ROW.format(
                name=name,
                limits=limits,
                decided=number(r["decided"]),
                on_time=pct(r["on_time_pct"]),
                avg_handling=days(r["avg_handling_days"]),
                avg_committed=days(r["avg_committed_days"]),
                avg_statutory=days(r["avg_statutory_days"]),
                vs_committed=pct(r["vs_committed_pct"]),
                vs_statutory=pct(r["vs_statutory_pct"]),
                completed=number(r["completed"]),
                extensions=number(r["extensions"]),
                suspensions=number(r["suspensions"]),
                deemed=number(r["deemed_accepted"]),
            )
        )
    note = gettext(
        "实际办理时间：自受理次日起至作出决定之日的工作日数，扣除特别程序（听证、检验检测、专家评审等）"
        "期间；节假日不计，调休上班日计入。"
    )
    html.append(FIGURES_FOOT.format(note=note))
    return mark_safe("".join(html))


SERIES_ROW = (
    '<tr><th scope="row">{day}</th><td>{accepted}</td><td>{decided}</td><td>{on_time}</td>'
    "<td>{on_time_pct}</td><td>{completed}</td><td>{extensions}</td><td>{suspensions}</td>"
    "<td>{deemed}</td></tr>"
)


@register.simple_tag
def series_rows(rows) -> SafeString:
    """The rows of the daily (or monthly) data table under the chart: the former loop of
    approvals/dashboard/_time_limits_panels.html, the same bytes."""
    number, pct = _numbers()
    html = [
        SERIES_ROW.format(
            day=_day(r["day"], "Y-m" if r["month"] else "Y-m-d"),
            accepted=number(r["accepted"]),
            decided=number(r["decided"]),
            on_time=number(r["decided_on_time"]),
            on_time_pct=pct(r["on_time_pct"]),
            completed=number(r["completed"]),
            extensions=number(r["extensions"]),
            suspensions=number(r["suspensions"]),
            deemed=number(r["deemed_accepted"]),
        )
        for r in rows
    ]
    return mark_safe("".join(html))


CARDS_HEAD = (
    '<div class="table-wrap"><table class="table dash-cards">\n'
    '  <thead><tr><th scope="col">{label}</th><th scope="col">{red}</th>'
    '<th scope="col">{yellow}</th></tr></thead>\n'
    "  <tbody>"
)

CARDS_ROW = """<tr>
    <th scope="row">{label}</th>
    <td>{red}</td>
    <td>{yellow}</td>
  </tr>"""

CARDS_FOOT = "</tbody>\n</table></div>\n"  # the template's file ended with a newline

CARDS_NONE = '<p class="muted">{none}</p>\n'


@register.simple_tag
def cards_table(rows, label) -> SafeString:
    """The red and yellow cards by department, window or reviewer (``rows`` of
    approvals.selectors.dashboard.cards, with their drill-down links): the bytes of the former
    approvals/dashboard/_cards_table.html, without a template loop over the rows."""
    if not rows:
        return mark_safe(CARDS_NONE.format(none=gettext("没有超期或预警办件。")))
    number, _pct = _numbers()
    esc = conditional_escape

    def card(row, colour: str) -> str:
        """``{% if row.red %}<a class="card-link card-red" href="{{ row.red_url }}">…``"""
        value = row.get(colour)
        if not value:
            return "0"
        url = number(row.get(f"{colour}_url", ""))
        return f'<a class="card-link card-{colour}" href="{url}">{number(value)}</a>'

    html = [
        CARDS_HEAD.format(
            label=esc(label), red=gettext("超期（红牌）"), yellow=gettext("预警（黄牌）")
        )
    ]
    for row in rows:
        html.append(
            CARDS_ROW.format(
                label=number(row["label"]), red=card(row, "red"), yellow=card(row, "yellow")
            )
        )
    html.append(CARDS_FOOT)
    return mark_safe("".join(html))


OVERDUE_ROW = """<tr>
      <td><a href="{url}">{number}</a></td><td>{matter}</td><td>{department}</td><td>{state}</td><td>{holder}</td><td>{due}</td>
      <td><span class="clock clock-overdue">{late}</span></td>
    </tr>"""  # noqa: E501


@register.simple_tag
def overdue_rows(rows) -> SafeString:
    """The rows of the overdue list (approvals.selectors.dashboard.overdue_list, with their
    links): the former loop of approvals/dashboard/_time_limits_panels.html, the same bytes."""
    number, _pct = _numbers()
    html = []
    for row in rows:
        days = row["days_overdue"]
        if days:
            # {% blocktranslate count n=row.days_overdue %}{{ n }} 个工作日{% plural %}…
            late = ngettext("%(n)s 个工作日", "%(n)s 个工作日", days) % {"n": number(days)}
        else:
            late = gettext("不足1个工作日")
        html.append(
            OVERDUE_ROW.format(
                url=number(row["url"]),
                number=number(row["number"]),
                matter=number(row["matter"]),
                department=number(row["department"]),
                state=number(row["state_label"]),
                holder=number(row["holder"]),
                due=_day(row["due_date"]),
                late=late,
            )
        )
    return mark_safe("".join(html))
