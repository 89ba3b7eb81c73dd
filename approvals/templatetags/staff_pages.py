"""Small template helpers of the staff pages."""

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from approvals.models import State
from portal import idnumber, workdays

register = template.Library()


@register.filter
def field_errors(errors, key):
    """The messages of one field from a ``{field: [messages]}`` dict (service errors)."""
    if not errors:
        return []
    return errors.get(str(key), [])


@register.filter
def material_errors(errors, pk):
    """Errors of one checklist row: ``materials.<id>`` (services) with its sub-fields."""
    if not errors:
        return []
    prefix = f"materials.{pk}"
    return [m for key, texts in errors.items() if key == prefix for m in texts]


@register.filter
def commitment_errors(errors, pk):
    return errors.get(f"materials.{pk}.commitment", []) if errors else []


@register.filter
def masked_id(value):
    return idnumber.mask(value) if value else ""


@register.filter
def masked_mobile(value):
    return idnumber.mask_mobile(value) if value else ""


@register.filter
def lookup(mapping, key):
    if not mapping:
        return ""
    return mapping.get(str(key), "")


def deemed_title() -> str:
    return gettext("逾期未作出受理决定的，自收到申请之日起即为受理（行政许可法第三十二条）")


def deemed_countdown_html(deemed_on, today, title: str):
    """The countdown of deemed_countdown, its title translated by the caller (once a page in
    the intake queue's rows)."""
    left = workdays.working_days_between(today, deemed_on)
    if left > 0:
        level = "overdue" if left <= 1 else "warning" if left <= 2 else "normal"
        text = ngettext("剩%(n)s个工作日", "剩%(n)s个工作日", left) % {"n": left}
    else:
        level = "overdue"
        text = gettext("今天到期") if left == 0 else gettext("已到期")
    return format_html(
        '<span class="countdown countdown-{}" title="{}">{}</span> <time datetime="{}">{}</time>',
        level,
        title,
        text,
        deemed_on.isoformat(),
        deemed_on.isoformat(),
    )


@register.simple_tag
def deemed_countdown(deemed_on, today=None):
    """Working days left before a submission counts as accepted (Licensing Law art. 32).
    A simple tag rather than an inclusion tag: it is drawn on every row of the intake queue."""
    if not deemed_on:
        return ""
    return deemed_countdown_html(deemed_on, today or timezone.localdate(), deemed_title())


ACTION_LABELS = {
    "submit": _("提交申请"),
    "request_correction": _("一次性告知补正"),
    "accept": _("受理"),
    "refuse": _("不予受理"),
    "claim": _("认领"),
    "reassign": _("改派"),
    "suspend": _("进入特别程序"),
    "resume": _("恢复审查"),
    "approve_extension": _("批准延期"),
    "forward": _("初审后转报"),
    "record_district_decision": _("登记区级决定"),
    "decide": _("作出决定"),
    "release": _("出件办结"),
    "withdraw": _("撤回"),
}


@register.filter
def action_label(action):
    return ACTION_LABELS.get(action, action)


@register.filter
def state_label(value):
    try:
        return State(value).label
    except ValueError:
        return value
