"""OpenAPI: every operation documents its error answers and, where offered, the CSV dialect."""

import re

import django_filters
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import DatabaseError
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter

from modellregionen.api.renderers import DIALECTS

READ_ERRORS = {
    "400": "Ein Parameter ist unbekannt oder ungültig; `errors` nennt ihn.",
    "404": "Nicht gefunden (oder eine Seite hinter der letzten).",
    "429": "Zu viele Anfragen; `Retry-After` sagt, wann es wieder geht.",
}
WRITE_ERRORS = {
    "400": "Ungültige Angaben; `errors` nennt jedes Feld.",
    "401": "Nicht angemeldet (Token oder Sitzung fehlt).",
    "403": "Die Rolle erlaubt das nicht (oder das CSRF-Token fehlt).",
    "404": "Nicht gefunden.",
    "429": "Zu viele Anfragen.",
}


class ApiAutoSchema(AutoSchema):
    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method == "GET" and any(renderer.format == "csv" for renderer in self.view.get_renderers()):
            parameters.append(
                OpenApiParameter(
                    "dialect",
                    str,
                    enum=list(DIALECTS),
                    description="CSV-Variante: `rfc4180` (Komma, Dezimalpunkt) oder `excel-de` "
                    "(Semikolon, Dezimalkomma, UTF-8-BOM für Excel).",
                )
            )
        return parameters

    def _get_response_bodies(self, direction="response"):
        from modellregionen.api.errors import ErrorSerializer

        responses = super()._get_response_bodies(direction=direction)
        errors = READ_ERRORS if self.method == "GET" else WRITE_ERRORS
        for code, description in errors.items():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, ["application/json"], direction)
                response["description"] = description
                responses[code] = response
        if self.method == "GET":
            responses.setdefault("304", {"description": "Unverändert seit `If-None-Match`/`If-Modified-Since`."})
        return responses


# What the server refuses in any text it is given in a URL (modellregionen.request_guard):
# control characters. A parameter is therefore documented without them.
NO_CONTROL_CHARACTERS = r"^[^\u0000-\u001f\u007f]+$"


def _decimal_pattern(pattern: str) -> str:
    """drf-spectacular's decimal pattern, without the strings it lets through that are no number.

    `^-?\\d{0,12}(?:\\.\\d{0,2})?$` also matches "", "-", "." and "-."; the server refuses those.
    """
    match = re.fullmatch(r"\^-\?\\d\{0,(\d+)\}\(\?:\\\.\\d\{0,(\d+)\}\)\?\$", pattern)
    if match is None:
        return pattern
    digits, places = match.groups()
    return rf"^-?(?:\d{{1,{digits}}}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})$"


def _tighten(schema) -> None:
    if isinstance(schema, dict):
        if schema.get("type") == "string" and "pattern" in schema:
            schema["pattern"] = _decimal_pattern(schema["pattern"])
        for value in schema.values():
            _tighten(value)
    elif isinstance(schema, list):
        for value in schema:
            _tighten(value)


def document_what_the_server_accepts(result, generator, request, public):
    """Make the schema exactly what the server accepts, so that a generated client gets no 400 for valid-looking input.

    - a parameter's value may not be empty (BaseApiView.check_query_parameters refuses it) and
      has no control characters (the request guard refuses them);
    - a decimal is a number, not "-" or ".";
    - an operation anyone may call lists no security requirement.
    """
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            # What anyone may call needs no login: no padlock on it (a token only adds staff rights).
            if {} in operation.get("security", []):
                operation["security"] = []
            for parameter in operation.get("parameters", []):
                schema = parameter.setdefault("schema", {})
                if schema.get("type") != "string" or "enum" in schema:
                    continue
                schema.setdefault("minLength", 1)
                schema.setdefault("pattern", NO_CONTROL_CHARACTERS)
    _tighten(result.get("components", {}))
    return result


def _existing_keys(queryset, field: str) -> list[str] | None:
    """The keys of the records that exist, sorted; None where there is no database to ask (e.g. `check --deploy`)."""
    try:
        return sorted(str(key) for key in queryset.values_list(field, flat=True))
    except DatabaseError:
        return None


class FilterParameters(DjangoFilterExtension):
    """The filters' parameters as the server reads them.

    A filter naming a record by a key (region=owl) lists the keys that exist: any other value
    is a 400, so a client, a generated one too, must know them. A number filter carries its
    bounds, and one without decimal places is an integer; a text filter with a pattern has it.
    """

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        for parameter in parameters:
            schema = parameter["schema"]
            if isinstance(filter_field, django_filters.ModelChoiceFilter) and filter_field.extra.get("to_field_name"):
                keys = _existing_keys(filter_field.queryset, filter_field.extra["to_field_name"])
                if keys is not None:
                    schema["enum"] = keys
            elif patterns := [v.regex.pattern for v in filter_field.extra.get("validators", []) if hasattr(v, "regex")]:
                schema["pattern"] = patterns[0]
            elif isinstance(filter_field, django_filters.NumberFilter):
                if filter_field.extra.get("decimal_places") == 0:
                    schema["type"] = "integer"
                    schema.pop("format", None)
                # Bounds given to the filter, else those of its form field (django-filter's ±1e50).
                for validator in filter_field.field.validators:
                    if isinstance(validator, MinValueValidator):
                        schema["minimum"] = validator.limit_value
                    elif isinstance(validator, MaxValueValidator):
                        schema["maximum"] = validator.limit_value
                if filter_field.extra.get("min_value") is not None:
                    schema["minimum"] = filter_field.extra["min_value"]
                if filter_field.extra.get("max_value") is not None:
                    schema["maximum"] = filter_field.extra["max_value"]
        return parameters


class KnownKeys(OpenApiSerializerFieldExtension):
    target_class = "modellregionen.api.fields.KnownKeyField"

    def map_serializer_field(self, auto_schema, direction):
        keys = _existing_keys(self.target.get_queryset(), self.target.slug_field)
        return {"type": "string"} if keys is None else {"type": "string", "enum": keys}
