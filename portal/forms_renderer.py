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
_W = "django/forms/widgets/"
# Django's widget templates that are only ``{% include "django/forms/widgets/input.html" %}``
# (tests/portal/test_forms_renderer.py checks their source).
INPUTS = frozenset(
    f"{_W}{name}.html"
    for name in (
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
)
TEXTAREA = f"{_W}textarea.html"
# checkbox_select.html and radio.html include multiple_input.html; their options'
# checkbox_option.html and radio_option.html include input_option.html.
MULTIPLE = frozenset({f"{_W}checkbox_select.html", f"{_W}radio.html"})
MULTIPLE_OPTIONS = frozenset({f"{_W}checkbox_option.html", f"{_W}radio_option.html"})


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


def render_input(widget: dict) -> str:
    """django/forms/widgets/input.html, without its final newline."""
    value = widget.get("value")
    out = f'<input type="{_text(widget.get("type"))}" name="{_text(widget.get("name"))}"'
    if value != None:  # noqa: E711 - the template's ``!=``
        out += f' value="{_string(value)}"'
    return f"{out}{_attrs(widget['attrs'])}>"


def render_textarea(widget: dict) -> str:
    """django/forms/widgets/textarea.html, stripped."""
    value = widget.get("value")
    text = _text(value) if value else ""
    return (
        f'<textarea name="{_text(widget.get("name"))}"{_attrs(widget["attrs"])}>\n{text}</textarea>'
    )


def _input_option(option: dict) -> str:
    """django/forms/widgets/input_option.html (with its final newline)."""
    wrap = option.get("wrap_label")
    out = []
    if wrap:
        option_id = option["attrs"].get("id")
        out.append(f'<label for="{_text(option_id)}">' if option_id else "<label>")
    out.append(render_input(option) + "\n")
    if wrap:
        out.append(f" {_text(option.get('label'))}</label>")
    out.append("\n")
    return "".join(out)


def render_multiple(widget: dict) -> str:
    """django/forms/widgets/multiple_input.html with checkbox_option.html or radio_option.html
    options, stripped."""
    attrs = widget["attrs"]
    out = ["<div"]
    if attrs.get("id"):
        out.append(f' id="{_text(attrs["id"])}"')
    if attrs.get("class"):
        out.append(f' class="{_text(attrs["class"])}"')
    out.append(">")
    for group, options, _index in widget["optgroups"]:
        if group:
            out.append(f"\n  <div><label>{_text(group)}</label>")
        for option in options:
            out.append(f"<div>\n    {_input_option(option)}\n</div>")
        if group:
            out.append("\n  </div>")
    out.append("\n</div>")
    return "".join(out).strip()


class Renderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == SELECT and _plain_options(context):
            return mark_safe(render_select(context["widget"]))
        if template_name in INPUTS and _widget(context):
            return mark_safe(render_input(context["widget"]).strip())
        if template_name == TEXTAREA and _widget(context):
            return mark_safe(render_textarea(context["widget"]))
        if template_name in MULTIPLE and _multiple_options(context):
            return mark_safe(render_multiple(context["widget"]))
        return super().render(template_name, context, request=request)


def _widget(context) -> bool:
    widget = context.get("widget") if isinstance(context, dict) else None
    return isinstance(widget, dict) and isinstance(widget.get("attrs"), dict)


def _multiple_options(context) -> bool:
    if not _widget(context) or "optgroups" not in context["widget"]:
        return False
    return all(
        option.get("template_name") in MULTIPLE_OPTIONS and isinstance(option.get("attrs"), dict)
        for _name, choices, _index in context["widget"]["optgroups"]
        for option in choices
    )


def _plain_options(context) -> bool:
    widget = context.get("widget") if isinstance(context, dict) else None
    if not widget or "optgroups" not in widget:
        return False
    return all(
        option.get("template_name") == OPTION
        for _name, choices, _index in widget["optgroups"]
        for option in choices
    )
