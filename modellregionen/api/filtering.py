"""Ordering that refuses unknown fields (DRF's own ignores them silently); a yes/no filter."""

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework.filters import OrderingFilter

from modellregionen.api.errors import validation_error


class StrictOrderingFilter(OrderingFilter):
    def get_ordering(self, request, queryset, view):
        text = request.query_params.get(self.ordering_param)
        if text is None:
            return self.get_default_ordering(view)
        allowed = {name for name, _label in self.get_valid_fields(queryset, view, {"request": request})}
        terms = [term.strip() for term in text.split(",")]
        wrong = [term for term in terms if term.removeprefix("-") not in allowed]
        if wrong or not terms:
            choices = ", ".join(sorted(allowed))
            raise validation_error(
                self.ordering_param,
                _("Sortierung nach %(fields)s gibt es nicht; erlaubt: %(choices)s (mit - absteigend).")
                % {"fields": ", ".join(wrong) or "''", "choices": choices},
            )
        # A stable tie-breaker, so that pages do not overlap.
        return [*terms, "pk"]

    def get_schema_operation_parameters(self, view):
        fields = list(getattr(view, "ordering_fields", []))
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Sortierung; ein Feld, mit vorangestelltem - absteigend.",
                "schema": {"type": "string", "enum": [*fields, *[f"-{name}" for name in fields]]},
            }
        ]


@extend_schema_field({"type": "string", "enum": ["true", "false"]})
class YesNoFilter(django_filters.ChoiceFilter):
    """ "true" or "false" and nothing else, documented as text: a model's boolean field would make
    the schema say boolean, and any other value is a 400 naming the parameter."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", gettext_lazy("ja")), ("false", gettext_lazy("nein"))])
        kwargs.setdefault("method", self.filter_yes_no)
        super().__init__(*args, **kwargs)

    def filter_yes_no(self, queryset, name, value):
        return queryset.filter(**{self.field_name: value == "true"})
