"""The inputs, textareas, checkboxes and radios written in Python (portal.forms_renderer, issue 19:
the case page's forms rendered ~40 widgets, each checkbox of an officer three templates deep)
are byte for byte Django's templates."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from portal import forms_renderer
from portal.forms_renderer import Renderer

NASTY = "<b>&\"'</b> 部门 "
CHOICES = [
    ("a", "甲"),
    ("b&c", NASTY),
    (3, 4),
    (Decimal("1.5"), Decimal("2.25")),
    (datetime.date(2026, 12, 4), datetime.date(2026, 12, 5)),
    ("lazy", gettext_lazy("全部在办")),
    ("safe", mark_safe("<i>安全</i>")),
    ("", "空"),
]
GROUPED = [
    ("村（社区）", [("v1", "一村"), ("v2", NASTY)]),
    (NASTY, [(1, "x"), (2, "y")]),
    ("z", "last"),
]
ATTRS = [
    None,
    {"id": "id_f"},
    {"id": 'i"<', "class": NASTY, "required": True, "disabled": False, "data-n": 5},
    {"class": "c", "aria-describedby": "h", "placeholder": gettext_lazy("搜索")},
]


def widgets():
    values = [None, "", "x", NASTY, 0, 12, Decimal("1234.5"), 2.5, True, False]
    for widget in (
        forms.TextInput(),
        forms.NumberInput(attrs={"step": "0.01"}),
        forms.EmailInput(),
        forms.URLInput(),
        forms.PasswordInput(),
        forms.PasswordInput(render_value=True),
        forms.HiddenInput(),
        forms.FileInput(),
        forms.Textarea(),
        forms.Textarea(attrs={"rows": 6}),
        forms.CheckboxInput(),
        forms.SearchInput() if hasattr(forms, "SearchInput") else forms.TextInput(),
        forms.TelInput() if hasattr(forms, "TelInput") else forms.TextInput(),
        forms.ColorInput() if hasattr(forms, "ColorInput") else forms.TextInput(),
    ):
        for value in values:
            yield widget, value
    moment = datetime.datetime(2026, 3, 2, 9, 5, tzinfo=datetime.UTC)
    for widget, value in (
        (forms.DateInput(), datetime.date(2026, 3, 2)),
        (forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), datetime.date(2026, 3, 2)),
        (forms.DateTimeInput(), moment),
        (forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"), moment),
        (forms.TimeInput(), datetime.time(9, 5)),
        (forms.DateInput(), None),
        (forms.DateInput(), "2026-13-40"),
    ):
        yield widget, value
    for widget in (
        forms.CheckboxSelectMultiple(choices=CHOICES),
        forms.CheckboxSelectMultiple(choices=GROUPED),
        forms.CheckboxSelectMultiple(choices=[]),
        forms.RadioSelect(choices=CHOICES),
        forms.RadioSelect(choices=GROUPED),
    ):
        for value in (None, [], ["a", "3"], ["b&c", "v2", "2", ""], "a", "", 3):
            yield widget, value


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_inputs_render_as_django_templates_do(language):
    ours, django = Renderer(), DjangoTemplates()
    n = 0
    with translation.override(language):
        for widget, value in widgets():
            for name in ("note", 'x"<y'):
                for attrs in ATTRS:
                    expected = widget.render(name, value, attrs=attrs, renderer=django)
                    got = widget.render(name, value, attrs=attrs, renderer=ours)
                    assert got == expected, (type(widget).__name__, value, attrs)
                    n += 1
    assert n > 1000


def test_the_templates_written_in_python_are_the_ones_django_has():
    engine = DjangoTemplates().engine
    include = '{% include "django/forms/widgets/input.html" %}\n'
    for name in forms_renderer.INPUTS:
        assert engine.get_template(name).template.source == include, name
    multiple = '{% include "django/forms/widgets/multiple_input.html" %}\n'
    for name in forms_renderer.MULTIPLE:
        assert engine.get_template(name).template.source == multiple, name
    option = '{% include "django/forms/widgets/input_option.html" %}\n'
    for name in forms_renderer.MULTIPLE_OPTIONS:
        assert engine.get_template(name).template.source == option, name


def test_bound_forms_with_model_choices_render_the_same(db):
    from portal.models import Department

    Department.objects.create(code="D1", name="<民政>&局", short_name="民政")
    Department.objects.create(code="D2", name="人社局", short_name="人社")

    class Form(forms.Form):
        departments = forms.ModelMultipleChoiceField(
            Department.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
        )
        one = forms.ModelChoiceField(
            Department.objects.all(), required=True, widget=forms.RadioSelect
        )
        note = forms.CharField(widget=forms.Textarea, required=False, max_length=5)
        on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
        amount = forms.DecimalField(max_digits=6, decimal_places=2)
        agree = forms.BooleanField(required=False)
        key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    first = Department.objects.order_by("pk").first()
    for data in (
        None,
        {"departments": ["999"], "one": "x", "note": "<toolong>", "on": "no", "amount": "a"},
        {"departments": [str(first.pk)], "one": str(first.pk), "note": "好", "amount": "12.5"},
    ):
        for language in ("zh-hans", "en"):
            with translation.override(language):
                ours = Form(data, renderer=Renderer())
                django = Form(data, renderer=DjangoTemplates())
                for field in django.fields:
                    assert str(ours[field]) == str(django[field]), (field, data)
                assert ours.as_div() == django.as_div()
