"""The select written in Python (portal.forms_renderer) is byte for byte Django's templates."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from portal.forms_renderer import Renderer

NASTY = "<b>&\"'</b> 部门"

CHOICES = [
    ("", "---------"),
    ("a", "甲"),
    ("b&c", NASTY),
    (3, 4),
    (Decimal("1.5"), Decimal("2.25")),
    (datetime.date(2026, 12, 4), datetime.date(2026, 12, 5)),
    ("lazy", gettext_lazy("全部在办")),
    ("safe", mark_safe("<i>安全</i>")),
    (mark_safe("<v>"), "safe value"),
]
GROUPED = [
    ("", "—"),
    ("村（社区）", [("v1", "一村"), ("v2", NASTY)]),
    (NASTY, [(1, "x"), (2, "y")]),
    ("z", "last"),
]


def widgets():
    yield forms.Select(choices=CHOICES), "b&c"
    yield forms.Select(choices=CHOICES), 3
    yield forms.Select(choices=CHOICES), None
    yield forms.Select(choices=[]), None
    yield forms.Select(choices=GROUPED), "v2"
    yield forms.Select(choices=GROUPED, attrs={"required": True, "disabled": False}), 1
    yield (
        forms.Select(choices=CHOICES, attrs={"class": NASTY, "data-x": 5, "hx-get": "/a?b=1&c=2"}),
        "a",
    )
    yield forms.SelectMultiple(choices=GROUPED), ["v1", "2", "z"]
    yield forms.SelectMultiple(choices=CHOICES), []
    yield forms.NullBooleanSelect(), True
    yield forms.NullBooleanSelect(), None


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_selects_render_as_django_templates_do(language):
    ours, django = Renderer(), DjangoTemplates()
    with translation.override(language):
        for widget, value in widgets():
            for name in ("department", 'x"<y'):
                for attrs in ({"id": "id_department"}, {"id": "i", "aria-describedby": "h"}, None):
                    expected = widget.render(name, value, attrs=attrs, renderer=django)
                    assert widget.render(name, value, attrs=attrs, renderer=ours) == expected


def test_model_choice_field_and_bound_form_render_the_same(db):
    from portal.models import Department

    Department.objects.create(code="D1", name="<民政>&局", short_name="民政")
    Department.objects.create(code="D2", name="人社局", short_name="人社")

    class Form(forms.Form):
        department = forms.ModelChoiceField(Department.objects.all(), required=False)
        kind = forms.ChoiceField(choices=CHOICES, required=True)
        many = forms.MultipleChoiceField(choices=GROUPED, required=False)

    for data in (None, {"department": "999", "kind": "nope"}, {"kind": "a", "many": ["v1"]}):
        ours = Form(data, renderer=Renderer())
        django = Form(data, renderer=DjangoTemplates())
        for field in ("department", "kind", "many"):
            assert str(ours[field]) == str(django[field])
        assert ours.as_div() == django.as_div()


def test_the_project_uses_it():
    assert settings.FORM_RENDERER == "portal.forms_renderer.Renderer"
