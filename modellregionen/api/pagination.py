"""Page-number pagination with a total count; a bad page or page size is a 400, not a default."""

from django.core.paginator import InvalidPage
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from modellregionen.api.errors import validation_error

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
# page_size=all: the whole list as one page, streamed (modellregionen.api.base.complete_json).
ALL = "all"


def _positive_int(request, name: str, default: int) -> int:
    text = request.query_params.get(name)
    if text is None:
        return default
    if not text.isdigit() or int(text) < 1:
        raise validation_error(name, _("Bitte eine ganze Zahl ab 1 angeben."))
    return int(text)


class ApiPagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request) -> int:
        size = _positive_int(request, self.page_size_query_param, self.page_size)
        if size > self.max_page_size:
            raise validation_error(
                self.page_size_query_param,
                _("Höchstens %(max)d Einträge je Seite.") % {"max": self.max_page_size},
            )
        return size

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        number = _positive_int(request, self.page_query_param, 1)
        paginator = self.django_paginator_class(queryset, page_size)
        try:
            self.page = paginator.page(number)
        except InvalidPage as error:
            raise NotFound(
                _("Seite %(page)d gibt es nicht; die letzte ist %(last)d.")
                % {"page": number, "last": paginator.num_pages}
            ) from error
        return list(self.page)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "page": self.page.number,
                "pages": self.page.paginator.num_pages,
                "page_size": self.page.paginator.per_page,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            },
            headers=self._link_headers(),
        )

    def _link_headers(self) -> dict[str, str]:
        # CSV has no room for the paging info, so it travels in headers too.
        links = []
        if self.get_next_link():
            links.append(f'<{self.get_next_link()}>; rel="next"')
        if self.get_previous_link():
            links.append(f'<{self.get_previous_link()}>; rel="prev"')
        headers = {"X-Total-Count": str(self.page.paginator.count)}
        if links:
            headers["Link"] = ", ".join(links)
        return headers

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "page", "pages", "page_size", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "example": 123},
                "page": {"type": "integer", "example": 1},
                "pages": {"type": "integer", "example": 2},
                "page_size": {"type": "integer", "example": DEFAULT_PAGE_SIZE},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Seitennummer, ab 1.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Einträge je Seite, 1 bis {MAX_PAGE_SIZE} (Vorgabe {DEFAULT_PAGE_SIZE}); "
                "`all`: die ganze Liste als eine Seite (Seite 1), wie die vollständige CSV-Datei.",
                "schema": {
                    "oneOf": [
                        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                        {"type": "string", "enum": [ALL]},
                    ]
                },
            },
        ]
