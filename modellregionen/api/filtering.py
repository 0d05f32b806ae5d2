"""Ordering that refuses unknown fields (DRF's own ignores them silently)."""

from django.utils.translation import gettext as _
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
