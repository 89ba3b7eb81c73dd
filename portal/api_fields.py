"""Bounded input for the whole API: every text, number, date and free-JSON field a client can
send carries a limit, so that hostile input is a 400 naming the field, never a database error
or a crash (issue 17).

- ``BoundedJSONParser`` refuses JSON nested deeper than ``API_LIMITS["JSON_DEPTH"]`` (and the
  recursion error Python's own decoder raises for very deep documents) with a 400.
- ``BoundedSerializer`` / ``BoundedModelSerializer`` are the bases of every serializer: their
  ``get_fields`` gives each field the limits it lacks — a CharField the max_length of the
  model field it writes (``Meta.model``, or ``bound_model`` on a plain serializer), else
  ``TEXT_MAX``; integers the range of a PostgreSQL integer or bigint; dates and date-times the
  years ``DATE_MIN_YEAR``–``DATE_MAX_YEAR``; floats finite; free JSON a depth and a size.
  The limits show in the OpenAPI schema (maxLength, minimum/maximum, descriptions).
"""

from __future__ import annotations

import copy
import json
import math
from datetime import date, datetime

from django.conf import settings
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

DEFAULTS = {
    "TEXT_MAX": 10_000,  # characters of a free text with no column limit
    "JSON_DEPTH": 8,  # levels of nesting in a free JSON value
    "JSON_SIZE": 32_768,  # characters of a free JSON value, encoded
    "BODY_JSON_DEPTH": 32,  # levels of nesting in a whole request body
    "LIST_MAX": 1000,  # items in a list
    "DATE_MIN_YEAR": 1900,
    "DATE_MAX_YEAR": 2199,
}
INT32 = 2**31 - 1
INT64 = 2**63 - 1


def limit(name: str) -> int:
    return int(getattr(settings, "API_LIMITS", {}).get(name, DEFAULTS[name]))


def _depth_exceeds(value, cap: int) -> bool:
    """Iterative, so that no document can exhaust the stack while it is measured."""
    stack = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if level + 1 > cap:
            return True
        stack.extend((child, level + 1) for child in children)
    return False


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON 嵌套层数过多。")) from None
        if _depth_exceeds(data, limit("BODY_JSON_DEPTH")):
            raise ParseError(
                _("JSON 嵌套层数过多（最多 %(n)s 层）。") % {"n": limit("BODY_JSON_DEPTH")}
            )
        return data


class BoundedJSONField(serializers.JSONField):
    """Free JSON with a depth and a size; both are named in the schema."""

    default_error_messages = {
        "too_deep": gettext_lazy("嵌套层数不能超过 {max_depth} 层。"),
        "too_large": gettext_lazy("内容不能超过 {max_size} 个字符。"),
    }

    def __init__(self, *args, max_depth: int | None = None, max_size: int | None = None, **kw):
        self.max_depth = max_depth or limit("JSON_DEPTH")
        self.max_size = max_size or limit("JSON_SIZE")
        super().__init__(*args, **kw)
        note = f"JSON, at most {self.max_depth} levels deep and {self.max_size} characters."
        self.help_text = f"{self.help_text} ({note})" if self.help_text else note

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if _depth_exceeds(value, self.max_depth):
            self.fail("too_deep", max_depth=self.max_depth)
        if len(json.dumps(value, ensure_ascii=False, default=str)) > self.max_size:
            self.fail("too_large", max_size=self.max_size)
        return value


def _year_range_validator(value):
    year = value.year
    low, high = limit("DATE_MIN_YEAR"), limit("DATE_MAX_YEAR")
    if not low <= year <= high:
        raise serializers.ValidationError(
            _("日期应在 %(low)s 年至 %(high)s 年之间。") % {"low": low, "high": high},
            code="date_out_of_range",
        )


def _finite_validator(value):
    if value is not None and (math.isnan(value) or math.isinf(value)):
        raise serializers.ValidationError(_("请输入有限的数值。"), code="not_finite")


def _model_field(model, name: str):
    if model is None or not name or name == "*":
        return None
    try:
        return model._meta.get_field(name.split(".", 1)[0])
    except Exception:  # noqa: BLE001 — any unknown name: no model limit
        return None


def _int_range(model_field) -> tuple[int, int]:
    if isinstance(model_field, models.PositiveSmallIntegerField | models.SmallIntegerField):
        low = 0 if isinstance(model_field, models.PositiveSmallIntegerField) else -32768
        return low, 32767
    if isinstance(model_field, models.BigIntegerField | models.BigAutoField):
        return -INT64 - 1, INT64
    if isinstance(model_field, models.ForeignKey | models.OneToOneField):
        return _int_range(model_field.target_field)
    if isinstance(model_field, models.PositiveIntegerField):
        return 0, INT32
    if isinstance(model_field, models.PositiveBigIntegerField):
        return 0, INT64
    return -INT32 - 1, INT32


def bound_field(field, model=None, name: str = "") -> None:
    """Give ``field`` (and, for lists and nested children, its children) the limits it lacks.
    Called before the field is bound: ``name`` is its name in the serializer."""
    if getattr(field, "read_only", False):
        return
    source = getattr(field, "_kwargs", {}).get("source") or name
    model_field = _model_field(model, source)
    if isinstance(
        field, serializers.ListField | serializers.DictField | serializers.ListSerializer
    ):
        if isinstance(field, serializers.ListField | serializers.DictField):
            bound_field(field.child)
        if not isinstance(field, serializers.DictField):
            _bound_items(field)
        return
    if isinstance(field, serializers.ManyRelatedField):
        _bound_items(field)
        return
    if isinstance(field, serializers.BaseSerializer):
        return  # a nested serializer bounds its own fields (it is a Bounded one too)
    if isinstance(field, serializers.JSONField) and not isinstance(field, BoundedJSONField):
        return  # declared fields are swapped in get_fields; nothing to add here
    if isinstance(
        field, serializers.ChoiceField | serializers.BooleanField | serializers.FileField
    ):
        return
    if isinstance(field, serializers.CharField):
        cap = getattr(model_field, "max_length", None)
        if cap is None:
            cap = limit("TEXT_MAX")
        if field.max_length is None:  # a declared max_length is the author's decision
            _set_max_length(field, cap)
        return
    if isinstance(field, serializers.IntegerField):
        low, high = _int_range(model_field)
        if field.max_value is None or field.max_value > high:
            _set_int_bound(field, "max_value", high)
        if field.min_value is None or field.min_value < low:
            _set_int_bound(field, "min_value", low)
        return
    if isinstance(field, serializers.FloatField):
        if field.max_value is None:
            _set_int_bound(field, "max_value", 1e12)
        if field.min_value is None:
            _set_int_bound(field, "min_value", -1e12)
        field.validators.append(_finite_validator)
        return
    if isinstance(field, serializers.DateField | serializers.DateTimeField):
        field.validators.append(_year_range_validator)


def _bound_items(field) -> None:
    """At most ``LIST_MAX`` items in a list, unless the field says fewer."""
    from django.core.validators import MaxLengthValidator

    declared = getattr(field, "max_length", None)
    cap = declared if declared is not None else limit("LIST_MAX")
    field.max_length = cap
    if not any(isinstance(v, MaxLengthValidator) for v in field.validators):
        field.validators.append(MaxLengthValidator(cap, message=_("最多 %(n)s 项。") % {"n": cap}))


def _set_max_length(field, cap: int) -> None:
    from django.core.validators import MaxLengthValidator

    field.max_length = cap
    field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
    field.validators.append(
        MaxLengthValidator(cap, message=field.error_messages["max_length"].format(max_length=cap))
    )


def _set_int_bound(field, attr: str, value) -> None:
    from django.core.validators import MaxValueValidator, MinValueValidator

    setattr(field, attr, value)
    if attr == "max_value":
        message = field.error_messages["max_value"].format(max_value=value)
        field.validators.append(MaxValueValidator(value, message=message))
    else:
        message = field.error_messages["min_value"].format(min_value=value)
        field.validators.append(MinValueValidator(value, message=message))


def _bounded_json(field) -> BoundedJSONField:
    kwargs = {
        "required": field.required,
        "allow_null": field.allow_null,
        "help_text": field.help_text,
        "label": field.label,
        "read_only": field.read_only,
        "write_only": field.write_only,
    }
    if field.default is not serializers.empty:
        kwargs["default"] = field.default
        kwargs.pop("required")
    if field.source and field.source != field.field_name:
        kwargs["source"] = field.source
    return BoundedJSONField(**kwargs)


def _mark_nullable(field, model, name: str) -> None:
    """An answer field that can be null says so in the schema: one whose default is None, or
    whose source goes through a relation that can be empty (``handler.display_name``)."""
    if getattr(field, "allow_null", False) or isinstance(field, serializers.ListSerializer):
        return
    kwargs = getattr(field, "_kwargs", {})
    if "default" in kwargs and kwargs["default"] is None:
        field.allow_null = True
        return
    source = kwargs.get("source") or name
    if model is None:
        return
    if "." not in source:
        if isinstance(field, serializers.BaseSerializer):  # a nested object: null when empty
            model_field = _model_field(model, source)
            if model_field is not None and getattr(model_field, "null", False):
                field.allow_null = True
        return
    current = model
    for hop in source.split(".")[:-1]:
        model_field = _model_field(current, hop)
        if model_field is None or not getattr(model_field, "is_relation", False):
            return
        if (
            getattr(model_field, "null", False)
            or model_field.one_to_many
            or model_field.auto_created
        ):
            field.allow_null = True
            return
        current = model_field.related_model


def _bounded_fields(serializer, fields: dict) -> dict:
    meta = getattr(serializer, "Meta", None)
    model = getattr(meta, "model", None) or serializer.bound_model
    for name, field in list(fields.items()):
        if field.read_only:
            _mark_nullable(field, model, name)
        if (
            isinstance(field, serializers.JSONField)
            and not isinstance(field, BoundedJSONField)
            and not field.read_only
        ):
            fields[name] = field = _bounded_json(field)
        bound_field(field, model, name)
    return fields


# A field with children (a nested serializer, a list, a many-relation) binds them to itself
# when it is made: a shallow copy would share them, and they would see the template's parent
# and context, not the request's. Those are made afresh (and bounded) for every serializer.
_WITH_CHILDREN = (
    serializers.BaseSerializer,
    serializers.ManyRelatedField,
    serializers.ListField,
    serializers.DictField,
)

# (serializer class, language) -> {name: (template field, made afresh?)}. The limits' messages
# are texts in the language of the request that made them; API_LIMITS changes clear it.
_templates: dict[tuple[type, str | None], dict] = {}


@receiver(setting_changed)
def _forget_templates(**kwargs) -> None:
    _templates.clear()


# ``get_fields`` runs for every serializer DRF makes (a ModelSerializer builds each field from
# the model, a plain one deep-copies its declared fields): the bounded fields are made once per
# class and language, and every serializer gets shallow copies of them, unbound (binding sets
# only the copy's own name, parent and source). Fields with children are made as before, for
# every serializer. Issue 19: 5 of an application's detail's 23 ms of CPU.
class _BoundedMixin:
    bound_model = None  # a plain serializer that writes a model names it here

    def get_fields(self):
        key = (type(self), translation.get_language())
        templates = _templates.get(key)
        if templates is None:
            made = _bounded_fields(self, super().get_fields())
            templates = {
                name: (field, isinstance(field, _WITH_CHILDREN)) for name, field in made.items()
            }
            _templates[key] = templates
        fields = {}
        for name, (field, afresh) in templates.items():
            if afresh:  # as DRF makes a declared field: a deep copy, made from its arguments
                fields[name] = _bounded_fields(self, {name: copy.deepcopy(field)})[name]
            else:
                fields[name] = copy.copy(field)
        return fields


class BoundedSerializer(_BoundedMixin, serializers.Serializer):
    pass


class BoundedModelSerializer(_BoundedMixin, serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.JSONField: BoundedJSONField,
    }


class DisplayField(serializers.CharField):
    """A choice's label, ``source="get_FOO_display"``: the method is called without DRF's check,
    for every row, that it takes no arguments (``inspect.signature`` of a partial method: as dear
    as making the row's model instance; issue 19)."""

    def get_attribute(self, instance):
        if len(self.source_attrs) != 1:
            return super().get_attribute(instance)
        return getattr(instance, self.source_attrs[0])()


def check_date(value: date | datetime, field: str) -> None:
    """The same year range for a date read from a query parameter."""
    try:
        _year_range_validator(value)
    except serializers.ValidationError as error:
        raise serializers.ValidationError({field: error.detail}) from None
