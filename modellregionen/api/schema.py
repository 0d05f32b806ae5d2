"""OpenAPI: every operation documents its error answers and, where offered, the CSV dialect."""

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
