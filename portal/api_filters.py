"""The API's filter backend: django-filter's, without its per-request work when there is
nothing to filter (issue 19).

django-filter builds a new ``FilterSet`` class on every request of a view that names
``filterset_fields`` (and DRF filters the queryset of every retrieve too), then binds a form to
the query string and validates it — about a third of a one-query retrieve's time. Here:

- the class built from ``filterset_fields`` is built once per view class and model;
- when no query parameter can belong to the filterset (none is a filter's name, or a filter's
  name followed by ``_``, as a range filter's ``_min``/``_max`` are), the queryset is returned
  as it is: every filter skips an absent value, so the answer is the same.

Anything else (a parameter of the filterset, valid or not) goes through django-filter as
before, with its 400 for a bad value; the filterset is bound and validated once per request,
and each queryset the view filters (a list and its count's arms) gets its cleaned values."""

from __future__ import annotations

from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend


class FilterBackend(DjangoFilterBackend):
    _built: dict = {}

    def get_filterset_class(self, view, queryset=None):
        if getattr(view, "filterset_class", None) or queryset is None:
            return super().get_filterset_class(view, queryset)
        if not getattr(view, "filterset_fields", None):
            return None
        key = (type(view), queryset.model)
        found = self._built.get(key)
        if found is None:
            found = self._built[key] = super().get_filterset_class(view, queryset)
        return found

    @staticmethod
    def _concerns(filterset_class, params) -> bool:
        names = tuple(filterset_class.base_filters)
        return any(key == name or key.startswith(f"{name}_") for key in params for name in names)

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        if not self._concerns(filterset_class, request.query_params):
            return queryset
        validated = view.__dict__.setdefault("_validated_filtersets", {})
        filterset = validated.get(filterset_class)
        if filterset is None:
            filterset = filterset_class(**self.get_filterset_kwargs(request, queryset, view))
            if not filterset.is_valid() and self.raise_exception:
                raise utils.translate_validation(filterset.errors)
            validated[filterset_class] = filterset
        return filterset.filter_queryset(queryset.all())
