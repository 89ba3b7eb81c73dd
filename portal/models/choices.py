"""``get_FOO_display`` without the cost Django puts on it.

Django's ``Model._get_FIELD_display`` rebuilds ``dict(make_hashable(field.flatchoices))`` on
every call, and hashing each (value, label) pair hashes the lazy label, i.e. translates it: a
state field of eleven choices costs eleven ``gettext`` calls per row shown — ~65 µs against
~6 µs, a tenth of a 50-row queue page's CPU in the mixed load of issue 19. The labels of a
field are looked up once per process and language here (keys are the plain stored values), so
a label costs a dict lookup, not a translation."""

from django.utils.encoding import force_str
from django.utils.translation import get_language

_labels: dict = {}
_NONE = object()


class ChoiceLabels:
    """Mixin for models shown in long lists (put it before ``models.Model``)."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        key = (field, get_language())
        labels = _labels.get(key)
        if labels is None:
            if callable(getattr(field, "_choices", None)):  # choices that may change
                return super()._get_FIELD_display(field)
            labels = _labels[key] = {
                choice: force_str(label, strings_only=True) for choice, label in field.flatchoices
            }
        try:
            label = labels.get(value, _NONE)
        except TypeError:  # an unhashable value (JSON): Django's own way
            return super()._get_FIELD_display(field)
        return force_str(value, strings_only=True) if label is _NONE else label
