"""The form renderer (settings.FORM_RENDERER): Django's own, except that a select is written in
Python. Django's select.html includes select_option.html and attrs.html once per option, so a
filter form with a few selects of departments, windows and villages rendered ~170 templates
(29 of the supervisor dashboard's 61 ms of template rendering, issue 19). The markup is the
same, byte for byte: the whitespace of Django's templates, the same escaping and localization
(tests/portal/test_forms_renderer.py compares both over every case)."""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def _text(value) -> str:
    """``{{ value }}`` with autoescape on."""
    value = localize(template_localtime(value))
    if not issubclass(type(value), str):
        value = str(value)
    return conditional_escape(value)


def _string(value) -> str:
    """``{{ value|stringformat:'s' }}``."""
    try:
        formatted = str(value)  # "%s" % value, but a tuple as a whole
    except (ValueError, TypeError):
        formatted = ""
    if isinstance(value, SafeData):
        formatted = mark_safe(formatted)
    return conditional_escape(formatted)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_text(name)}")
        if value is not True:
            out.append(f'="{_string(value)}"')
    return "".join(out)


def render_select(widget: dict) -> str:
    out = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            out.append(
                f'\n  <option value="{_string(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out).strip()


class Renderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == SELECT and _plain_options(context):
            return mark_safe(render_select(context["widget"]))
        return super().render(template_name, context, request=request)


def _plain_options(context) -> bool:
    widget = context.get("widget") if isinstance(context, dict) else None
    if not widget or "optgroups" not in widget:
        return False
    return all(
        option.get("template_name") == OPTION
        for _name, choices, _index in widget["optgroups"]
        for option in choices
    )
