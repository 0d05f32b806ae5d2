"""One error format for the whole API: `{"detail": ..., "errors": {parameter: [messages]}}`.

A client always learns which parameter or field was wrong; nothing ends in a 500 that a
bad request can cause.
"""

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

# For the OpenAPI schema: every error response has this shape.
ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "detail": serializers.CharField(),
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            required=False,
            help_text="Per parameter or field: what is wrong with it.",
        ),
    },
)


def _messages_by_name(detail) -> dict[str, list[str]]:
    """DRF's nested error detail as {name: [messages]}, nested names joined with '.'."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for name, value in detail.items():
            key = "non_field_errors" if name in {"__all__", None} else str(name)
            for sub_name, messages in _messages_by_name(value).items():
                flat.setdefault(key if not sub_name else f"{key}.{sub_name}", []).extend(messages)
        return flat
    if isinstance(detail, list):
        messages: list[str] = []
        nested: dict[str, list[str]] = {}
        for index, item in enumerate(detail):
            if isinstance(item, dict):
                for sub_name, sub_messages in _messages_by_name(item).items():
                    nested.setdefault(f"{index}.{sub_name}" if sub_name else str(index), []).extend(sub_messages)
            else:
                messages.extend(_messages_by_name(item).get("", []))
        if messages:
            nested.setdefault("", []).extend(messages)
        return nested
    return {"": [str(detail)]}


def validation_error(name: str, message: str) -> exceptions.ValidationError:
    """A 400 naming one parameter."""
    return exceptions.ValidationError({name: [message]})


def reject_unknown_fields(data, known) -> None:
    """A 400 naming every field of a JSON object that the endpoint does not know: a typo is never ignored."""
    if isinstance(data, Mapping):
        unknown = sorted(str(name) for name in data if name not in known)
        if unknown:
            raise exceptions.ValidationError({name: [_("Unbekanntes Feld.")] for name in unknown})


class StrictSerializer(serializers.Serializer):
    """A request body of exactly its fields: an unknown one is a 400 naming it, not silently dropped."""

    def to_internal_value(self, data):
        reject_unknown_fields(data, self.fields)
        return super().to_internal_value(data)


def api_exception_handler(exc, context):
    """Turn every expected failure into a JSON error naming what went wrong."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        # A service's refusal because of the record's state (not of the input) says so: 409.
        conflict = getattr(exc, "status_code", None) == status.HTTP_409_CONFLICT
        exc = exceptions.ValidationError(detail)
        if conflict:
            exc.status_code = status.HTTP_409_CONFLICT
    elif isinstance(exc, Http404):
        # get_object_or_404 says "No <Model> matches the given query." in English: say it in German.
        message = str(exc.args[0]) if exc.args else ""
        if not message or message.endswith("matches the given query."):
            message = _("Unter dieser Adresse ist kein Eintrag verzeichnet.")
        exc = exceptions.NotFound(message)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    if not isinstance(exc, exceptions.APIException):
        return None

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait + 0.999))
    if isinstance(exc, exceptions.ValidationError):
        errors = _messages_by_name(exc.detail)
        if "" in errors:
            errors["non_field_errors"] = errors.pop("")
        names = ", ".join(sorted(errors))
        data = {"detail": _("Ungültige Angaben: %(names)s.") % {"names": names}, "errors": errors}
    else:
        data = {"detail": str(exc.detail)}
    set_rollback()
    return Response(data, status=exc.status_code, headers=headers)
