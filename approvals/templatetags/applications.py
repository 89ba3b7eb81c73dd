"""Template helpers shared by every page that shows an application."""

import re
from datetime import date, datetime
from urllib.parse import quote

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from approvals.selectors.applications import clock_for
from approvals.templatetags.staff_pages import deemed_countdown_html, deemed_title

register = template.Library()


@register.inclusion_tag("approvals/_clock.html")
def clock(application, today=None):
    """The clock, shown the same way everywhere: colour, working days left, paused."""
    return {
        "clock": clock_for(application, today or timezone.localdate()),
        "application": application,
    }


def _clock_words() -> dict[str, str]:
    return {
        "normal": gettext("正常"),
        "warning": gettext("预警"),
        "overdue": gettext("超期"),
        "paused": gettext("暂停计时"),
        "stopped": gettext("已停止"),
    }


def _clock_badges():
    """clock_badge with its words translated once, for a render of many rows."""
    esc = conditional_escape
    words, unstarted = _clock_words(), gettext("未起算")

    def badge(status, due_date=None) -> SafeString:
        html = (
            f'<span class="clock clock-{esc(status)}">{esc(words.get(status) or unstarted)}</span>'
        )
        if due_date:
            day = esc(date_format(template_localtime(due_date), "Y-m-d"))
            html += f' <time datetime="{day}">{day}</time>'
        return mark_safe(html + "\n")  # the template's file ended with a newline

    return badge


def _kept(draw):
    """``draw`` remembered by its arguments for one render (issue 19: a queue's rows share a
    handful of days and statuses; each drawn once)."""
    drawn = {}

    def kept(*args):
        if args not in drawn:
            drawn[args] = draw(*args)
        return drawn[args]

    return kept


@register.simple_tag
def clock_badge(status, due_date=None) -> SafeString:
    """For list rows that carry the SQL-annotated ``clock_status`` (no per-row query). Written
    in Python (issue 19: the former approvals/_clock_status.html, included once per row, was
    7 of the review queue's 20 ms of template rendering); the same bytes as that template."""
    return _clock_badges()(status, due_date)


# The staff queues' rows written in Python (issue 19): the markup of the former {% for %} of
# approvals/staff/_<queue>_rows.html, the same bytes; {% url %}, the claim form and a dozen
# lookups per row were ~0.35 ms a row in the template engine. The helpers below are what the
# loops' lines had in common, each the template's expression it stands for, worked out once
# per render where the template did it once per row (reverse, gettext).

_PLAIN = re.compile(r"[A-Za-z0-9_-]+")


def _hrefs(viewname: str):
    """``{% url viewname app.reference %}``, escaped: reversed once, then filled in per row
    (a reference that reverse() would quote is reversed as before)."""
    pattern = reverse(viewname, args=["PLACEHOLDER0"])

    def href(app) -> str:
        reference = str(app.reference)
        if _PLAIN.fullmatch(reference):
            return conditional_escape(pattern.replace("PLACEHOLDER0", reference))
        return conditional_escape(reverse(viewname, args=[reference]))

    return href


def _related(row, relation: str):
    try:
        return getattr(row, relation)
    except ObjectDoesNotExist:  # what the template shows as nothing
        return None


def _name(row, relation: str) -> str:
    """``{{ row.<relation>.display_name }}``"""
    related = _related(row, relation)
    return "" if related is None else conditional_escape(related.display_name)


def _short_name(row) -> str:
    """``{{ row.department.short_name|default:row.department.display_name }}``"""
    department = _related(row, "department")
    if department is None:
        return ""
    return conditional_escape(department.short_name or department.display_name)


def _handler(row, unclaimed: str) -> str:
    """``{% if row.handler %}{{ row.handler.display_name }}{% else %}unclaimed{% endif %}``"""
    handler = _related(row, "handler")
    return conditional_escape(handler.display_name) if handler else unclaimed


def _day(value, fmt: str = "Y-m-d") -> str:
    """``{{ value|date:fmt }}`` (the filter sees datetimes in local time). The queues' two
    formats written out (issue 19: the date filter parsed its format for every row): Django's
    Y, m, d, H and i are %04d, %02d, %02d, %02d and %02d."""
    if isinstance(value, datetime):
        value = template_localtime(value)
        if fmt == "Y-m-d H:i":
            return (
                f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
                f" {value.hour:02d}:{value.minute:02d}"
            )
    if fmt == "Y-m-d" and isinstance(value, date):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    return conditional_escape(date_filter(value, fmt))


def _rows(row: str, viewname: str, rows, cells) -> SafeString:
    """``rows`` drawn in ``row`` (the body of a former loop): each one's link to ``viewname``
    (``href``), ``number`` and ``matter``, and the cells ``cells(app, href)`` adds."""
    href_of, html = _hrefs(viewname), []
    for app in rows:
        href = href_of(app)
        number, matter = conditional_escape(app.number), _name(app, "matter")
        html.append(row.format(href=href, number=number, matter=matter, **cells(app, href)))
    return mark_safe("".join(html))


REVIEW_ROW = """
<tr data-href="{href}" tabindex="-1" class="rank-{rank}">
  <td><a href="{href}">{number}</a></td>
  <td>{matter}</td>
  <td>{applicant}</td>
  <td>{state}</td>
  <td>{handler}</td>
  <td>{accepted}</td>
  <td>{clock}</td>
  <td>{claim}</td>
</tr>
"""


@register.simple_tag(takes_context=True)
def review_rows(context, rows) -> SafeString:
    """The reviewers' queue (approvals/staff/_review_rows.html)."""
    esc, badge, day = conditional_escape, _kept(_clock_badges()), _kept(_day)
    unclaimed_label, claim_label = gettext("未认领"), gettext("认领")
    unclaimed = f'<span class="muted">{unclaimed_label}</span>'
    token = context.get("csrf_token")
    csrf = ""
    if token and token != "NOTPROVIDED":
        csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{esc(token)}">'
    claim = (
        f'">{csrf}<input type="hidden" name="state" value="accepted"><button class="button'
        f' button-small" type="submit" name="action" value="claim">{claim_label}</button></form>'
    )

    def cells(app, href):
        return {
            "rank": esc(app.clock_status),
            "applicant": esc(app.applicant_name),
            "state": esc(app.get_state_display()),
            "handler": _handler(app, unclaimed),
            "accepted": day(app.accepted_on),
            "clock": badge(app.clock_status, app.due_date),
            "claim": f'<form method="post" action="{href}{claim}'
            if app.state == "accepted"
            else "",
        }

    return _rows(REVIEW_ROW, "approvals:review", rows, cells)


INTAKE_ROW = """
<tr data-href="{href}" tabindex="-1">
  <td><a href="{href}">{number}</a>{resubmitted}</td>
  <td>{matter}<br><small class="muted">{department}</small></td>
  <td>{applicant}</td>
  <td>{channel}</td>
  <td><time datetime="{submitted}">{submitted}</time></td>
  <td>{countdown}</td>
</tr>
"""


@register.simple_tag
def intake_rows(rows, today=None) -> SafeString:
    """The clerk's intake queue (approvals/staff/_intake_rows.html)."""
    esc = conditional_escape
    resubmitted_label = gettext("补正后重交")
    resubmitted = f' <span class="tag">{resubmitted_label}</span>'
    today = today or timezone.localdate()
    title, countdowns = deemed_title(), {}

    def countdown(deemed_on):  # the same for every row due the same day
        if not deemed_on:
            return ""
        if deemed_on not in countdowns:
            countdowns[deemed_on] = deemed_countdown_html(deemed_on, today, title)
        return countdowns[deemed_on]

    def cells(app, href):
        return {
            "resubmitted": resubmitted if (app.submission_round or 0) > 1 else "",
            "department": _short_name(app),
            "applicant": esc(app.applicant_name),
            "channel": esc(app.get_channel_display()),
            "submitted": _day(app.submitted_at, "Y-m-d H:i"),
            "countdown": countdown(app.deemed_acceptance_on),
        }

    return _rows(INTAKE_ROW, "approvals:intake", rows, cells)


RELEASE_ROW = """
<tr data-href="{href}" tabindex="-1">
  <td><a href="{href}">{number}</a></td>
  <td>{matter}</td>
  <td>{applicant}</td>
  <td><span class="tag outcome-{outcome}">{outcome_label}</span></td>
  <td>{decided}</td>
  <td>{due}</td>
</tr>
"""


@register.simple_tag
def release_rows(rows, today=None) -> SafeString:
    """The release queue (approvals/staff/_release_rows.html)."""
    esc = conditional_escape

    def due(due_on):
        if not due_on:
            return '<span class="muted">—</span>'
        try:
            late = "late" if due_on < today else ""
        except TypeError:  # no today: the template's {% if %} was false
            late = ""
        day = _day(due_on)
        return f'<time datetime="{day}" class="{late}">{day}</time>'

    def cells(app, href):
        return {
            "applicant": esc(app.applicant_name),
            "outcome": esc(app.outcome),
            "outcome_label": esc(app.get_outcome_display()),
            "decided": _day(app.decided_on),
            "due": due(app.release_due_on),
        }

    return _rows(RELEASE_ROW, "approvals:release", rows, cells)


DISTRICT_ROW = """
<tr data-href="{href}" tabindex="-1">
  <td><a href="{href}">{number}</a></td>
  <td>{matter}</td>
  <td>{department}</td>
  <td>{applicant}</td>
  <td>{forwarded}</td>
  <td>{clock}</td>
</tr>
"""


@register.simple_tag
def district_rows(rows) -> SafeString:
    """The district reviewers' queue of forwarded applications (_district_rows.html)."""
    esc, badge = conditional_escape, _clock_badges()

    def cells(app, href):
        return {
            "department": _name(app, "department"),
            "applicant": esc(app.applicant_name),
            "forwarded": _day(app.forwarded_on),
            "clock": badge(app.clock_status, app.due_date),
        }

    return _rows(DISTRICT_ROW, "approvals:district-review", rows, cells)


SUPERVISION_ROW = """
<tr data-href="{href}" tabindex="-1">
  <td><a href="{href}">{number}</a></td>
  <td>{matter}</td>
  <td>{department}</td>
  <td>{handler}</td>
  <td>{state}</td>
  <td>{clock}</td>
  <td>{reassign}</td>
</tr>
"""


@register.simple_tag
def supervision_rows(rows, full_path="") -> SafeString:
    """The supervisors' overdue and warning lists (_supervision_rows.html); ``full_path`` is
    the request's, the reassignment page's way back."""
    esc, badge = conditional_escape, _clock_badges()
    reassign_of = _hrefs("approvals:reassign")
    unclaimed_label, reassign_label = gettext("未认领"), gettext("改派")
    unclaimed = f'<span class="unclaimed">{unclaimed_label}</span>'
    back = f'?next={esc(quote(full_path or "", safe="/"))}">{reassign_label}</a>'

    def cells(app, href):
        reassign = ""
        if app.state != "forwarded":
            reassign = (
                f'<a class="button button-small button-secondary" href="{reassign_of(app)}{back}'
            )
        return {
            "department": _short_name(app),
            "handler": _handler(app, unclaimed),
            "state": esc(app.get_state_display()),
            "clock": badge(app.clock_status, app.due_date),
            "reassign": reassign,
        }

    return _rows(SUPERVISION_ROW, "approvals:staff-application", rows, cells)
