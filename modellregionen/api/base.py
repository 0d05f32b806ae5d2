"""The behaviour every API view shares: auth, strict parameters, CSV, caching, throttling, errors."""

import functools
import itertools
import json

from django.conf import settings
from django.db import connections
from django.http import Http404, StreamingHttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import MethodNotAllowed, NotFound, ValidationError
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder as DjangoRestJSONEncoder

from modellregionen import roles
from modellregionen.api import caching
from modellregionen.api.auth import ExpiringTokenAuthentication
from modellregionen.api.copy_csv import copy_csv
from modellregionen.api.errors import api_exception_handler, validation_error
from modellregionen.api.pagination import ALL, ApiPagination
from modellregionen.api.renderers import (
    DEFAULT_DIALECT,
    DIALECTS,
    ROWS_PER_CHUNK,
    CSVRenderer,
    iter_csv,
    row_of,
    serializer_columns,
    table_from_items,
)
from modellregionen.api.schema import ApiAutoSchema
from modellregionen.api.throttling import AnonymousRateThrottle

SAFE_METHODS = ("GET", "HEAD")


class _AnsweredEarly(Exception):
    """A 304: returned as it is, without running the view."""

    def __init__(self, response):
        self.response = response


def answer_validators(
    *,
    parts: list[str],
    last_modified,
    path: str,
    query,
    media_type: str,
    dialect: str,
    staff: bool,
) -> caching.Validators:
    """ETag and Last-Modified of one answer: its data parts plus everything about the request it depends on."""
    return caching.make_validators(
        parts=[*parts, path, repr(sorted(query.items())), media_type, dialect, "staff" if staff else "public"],
        last_modified=last_modified,
    )


def public_cache_headers(response, *, validators: caching.Validators) -> None:
    """The caching headers of an anonymous answer (200 or 304)."""
    response["ETag"] = validators.etag
    if validators.last_modified:
        response["Last-Modified"] = http_date(validators.last_modified.timestamp())
    response["Cache-Control"] = f"public, max-age={settings.API_CACHE_MAX_AGE}"
    patch_vary_headers(response, ["Accept"])


@functools.cache
def _figures_version_reader():
    # The kernel imports no app: the settings name the function that returns the current
    # figures version, which is part of every answer's ETag.
    return import_string(settings.API_CURRENT_FIGURES_VERSION)


def current_figures_version():
    return _figures_version_reader()()


class ApiMixin:
    """Mix into every API view (before the DRF class)."""

    # Token first, so that an anonymous write gets 401 with `WWW-Authenticate: Token`.
    authentication_classes = [ExpiringTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticatedOrReadOnly]
    throttle_classes = [AnonymousRateThrottle]
    pagination_class = ApiPagination
    schema = ApiAutoSchema()
    # Actions of a viewset that also answer as CSV.
    csv_actions: tuple[str, ...] = ("list",)
    # Query parameters a view accepts besides its filters, ordering, paging and format.
    extra_query_parameters: tuple[str, ...] = ()
    csv_dialect = DEFAULT_DIALECT

    # --- policies ---------------------------------------------------------------------
    def get_exception_handler(self):
        return api_exception_handler

    def offers_csv(self) -> bool:
        """Whether this view's answer comes as CSV too (override for a view without actions)."""
        return getattr(self, "action", None) in self.csv_actions

    def allows_csv(self) -> bool:
        # A read only: OPTIONS and writes answer JSON.
        request = getattr(self, "request", None)
        return (request is None or request.method in ("GET", "HEAD")) and self.offers_csv()

    def get_renderers(self):
        if self.allows_csv():
            return [JSONRenderer(), CSVRenderer()]
        return [JSONRenderer()]

    def is_list_action(self) -> bool:
        return getattr(self, "action", None) == "list"

    def allowed_query_parameters(self) -> set[str]:
        names = {"format"} | set(self.extra_query_parameters)
        if self.allows_csv():
            names.add("dialect")
        if self.is_list_action():
            filterset_class = getattr(self, "filterset_class", None)
            if filterset_class is not None:
                names |= set(filterset_class.base_filters)
            if getattr(self, "ordering_fields", None):
                names.add("ordering")
            if self.pagination_class is not None:
                names |= {"page", "page_size"}
        return names

    def check_query_parameters(self, request) -> None:
        """Refuse unknown, repeated or unreadable parameters instead of ignoring them."""
        allowed = self.allowed_query_parameters()
        errors: dict[str, list[str]] = {}
        for name, values in request.query_params.lists():
            if name not in allowed:
                errors[name] = [_("Unbekannter Parameter; erlaubt: %(names)s.") % {"names": ", ".join(sorted(allowed))}]
            elif len(values) > 1:
                errors[name] = [_("Bitte nur einmal angeben.")]
            elif values[0] == "":
                # An empty value would silently mean "no filter"; the client probably meant something.
                errors[name] = [_("Leerer Wert: bitte einen Wert angeben oder den Parameter weglassen.")]
            elif "\x00" in values[0]:
                errors[name] = [_("Enthält ein unzulässiges Zeichen.")]
        dialect = request.query_params.get("dialect")
        if "dialect" not in errors and dialect is not None:
            if dialect not in DIALECTS:
                errors["dialect"] = [_("Erlaubt: %(values)s.") % {"values": ", ".join(DIALECTS)}]
            else:
                self.csv_dialect = dialect
        if errors:
            raise ValidationError(errors)

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force=force)
        except Http404 as error:
            # DRF answers an unknown ?format= with 404; it is a bad parameter.
            formats = ", ".join(renderer.format for renderer in self.get_renderers())
            raise validation_error("format", _("Erlaubt: %(formats)s.") % {"formats": formats}) from error

    # --- caching ----------------------------------------------------------------------
    def cache_parts(self, request) -> tuple[list[str], object]:
        """What the answer depends on, and when it last changed (override for other sources)."""
        version = current_figures_version()
        watermark = caching.data_watermark()
        parts = [
            str(version.pk if version else ""),
            watermark.isoformat() if watermark else "",
        ]
        return parts, caching.latest(version.computed_at if version else None, watermark)

    def get_validators(self, request) -> caching.Validators:
        parts, last_modified = self.cache_parts(request)
        return answer_validators(
            parts=parts,
            last_modified=last_modified,
            path=request.path,
            query=request.query_params,
            media_type=request.accepted_media_type or "",
            dialect=self.csv_dialect,
            staff=roles.is_staff_member(request.user),
        )

    # --- request cycle ----------------------------------------------------------------
    def initial(self, request, *args, **kwargs):
        self.validators = None
        if request.method.lower() not in self.http_method_names or not hasattr(self, request.method.lower()):
            # A method the address does not have is a 405 whoever asks, whatever the parameters.
            raise MethodNotAllowed(request.method)
        self.check_query_parameters(request)
        super().initial(request, *args, **kwargs)
        if request.method in SAFE_METHODS:
            self.validators = self.get_validators(request)
            last_modified = self.validators.last_modified
            conditional = get_conditional_response(
                request._request,
                etag=self.validators.etag,
                last_modified=int(last_modified.timestamp()) if last_modified else None,
            )
            if conditional is not None:
                raise _AnsweredEarly(conditional)

    def handle_exception(self, exc):
        if isinstance(exc, _AnsweredEarly):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        if isinstance(response, Response) and response.status_code >= 400:
            # Errors are always JSON, also when CSV was asked for: a CSV error is unreadable.
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        response = super().finalize_response(request, response, *args, **kwargs)
        validators = getattr(self, "validators", None)
        if validators is not None and response.status_code in (200, 304):
            public_cache_headers(response, validators=validators)
            if request.user.is_authenticated:
                response["Cache-Control"] = "private, no-cache"
        renderer = getattr(request, "accepted_renderer", None)
        if response.status_code == 200 and renderer is not None and renderer.format == "csv":
            response["Content-Disposition"] = f'attachment; filename="{self.csv_filename()}"'
        # The answer depends on who asks (staff see more), and who asks is in the session cookie.
        patch_vary_headers(response, ["Cookie"])
        return response

    # --- CSV --------------------------------------------------------------------------
    def _wants_complete(self, request, renderer_format: str) -> bool:
        """A list asked for whole: as CSV without page parameters (never a first page), or page_size=all."""
        renderer = getattr(request, "accepted_renderer", None)
        if not self.is_list_action() or renderer is None or renderer.format != renderer_format:
            return False
        page, page_size = request.query_params.get("page"), request.query_params.get("page_size")
        if page_size == ALL:
            # The whole list is one page: page 1, and no other.
            if page not in (None, "1"):
                raise NotFound(_("Mit page_size=all gibt es nur die Seite 1."))
            return True
        # A CSV is complete unless a page is asked for; JSON pages unless page_size=all.
        return renderer_format == "csv" and page is None and page_size is None

    def list(self, request, *args, **kwargs):
        if self._wants_complete(request, "csv"):
            return self.complete_csv(self.filter_queryset(self.get_queryset()))
        if self._wants_complete(request, "json"):
            return self.complete_json(self.filter_queryset(self.get_queryset()))
        return super().list(request, *args, **kwargs)

    def complete_json(self, queryset) -> StreamingHttpResponse:
        """Every row of the filtered list as one page of the paginated answer, streamed in constant memory.

        The same object as a page (count, page, pages, page_size, next, previous, results), so a
        client reads it as any page; the JSON distribution of the open data (DCAT) links it.
        """
        serializer = self.get_serializer()
        total = queryset.count()
        envelope = {"count": total, "page": 1, "pages": 1, "page_size": total, "next": None, "previous": None}
        head = json.dumps(envelope, ensure_ascii=False)[:-1] + ', "results": ['
        items = (serializer.to_representation(instance) for instance in queryset.iterator(chunk_size=ROWS_PER_CHUNK))

        def pieces():
            yield head
            for number, item in enumerate(items):
                yield ("," if number else "") + json.dumps(item, cls=DjangoRestJSONEncoder, ensure_ascii=False)
            yield "]}"

        body = pieces()
        # As for the CSV: the first item is read before the answer starts, so a failing query
        # fails with its status; X-Total-Count says how many a complete answer has.
        first = next(body) + next(body)
        response = StreamingHttpResponse(
            (piece.encode("utf-8") for piece in itertools.chain([first], body)), content_type="application/json"
        )
        response["X-Total-Count"] = str(total)
        return response

    def complete_csv(self, queryset) -> StreamingHttpResponse:
        """Every row of the filtered list, streamed in constant memory; the count in X-Total-Count.

        Pagination stays for JSON; a CSV download is complete, because pandas.read_csv or a
        browser cannot see a Link header and would never learn that rows are missing. Page
        parameters still give one page of CSV when asked for.
        """
        serializer = self.get_serializer()
        columns = serializer_columns(serializer)
        names = [name for name, _decimal in columns]
        total = queryset.count()
        if connections[queryset.db].vendor == "postgresql" and hasattr(self, "copy_columns"):
            # The same bytes, written by PostgreSQL (modellregionen.api.copy_csv).
            body = copy_csv(queryset, self.copy_columns(), dialect=self.csv_dialect)
            first = next(body)
            response = StreamingHttpResponse(itertools.chain([first], body), content_type="text/csv; charset=utf-8")
            response["X-Total-Count"] = str(total)
            return response
        # chunk_size keeps prefetch_related working while the rows are fetched in batches. One
        # serializer for every row, as DRF's list serializer does: building a model serializer's
        # fields costs more than a row (a new one per row made 10 k decisions take 11 s).
        items = (serializer.to_representation(instance) for instance in queryset.iterator(chunk_size=ROWS_PER_CHUNK))
        body = iter_csv(
            names,
            (row_of(item, names) for item in items),
            decimal_columns={name for name, decimal in columns if decimal},
            dialect=self.csv_dialect,
        )
        # The first piece is made before the answer starts, so a query that fails at all fails
        # with its proper status (503, 500) instead of a 200 with a cut file. Should the database
        # go away later in a long download, the file ends early: X-Total-Count says how many
        # rows a complete one has.
        first = next(body)
        response = StreamingHttpResponse(
            (piece.encode("utf-8") for piece in itertools.chain([first], body)), content_type="text/csv; charset=utf-8"
        )
        response["X-Total-Count"] = str(total)
        return response

    def csv_filename(self) -> str:
        return f"{getattr(self, 'basename', None) or 'export'}.csv"

    def csv_table(self, data):
        """Rows of a paginated list: one per result, columns from the serializer."""
        items = data["results"] if isinstance(data, dict) and "results" in data else data
        return table_from_items(self.get_serializer(), items)
