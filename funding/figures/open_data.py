"""The datasets of the API described for machines: a Frictionless data package and a DCAT-AP.de catalogue.

`/api/v1/datapackage.json` lists every complete CSV download with its table schema — field
types, AGS as text with its pattern, dates, amounts in euros, primary and foreign keys — its
licence (dl-de/by-2-0 with the attribution text) and its sources. The schemas are made from the
same serializers that write the CSV columns, so they cannot drift apart; a test validates the
package and the served files with the `frictionless` library.

`/api/v1/catalog.jsonld` (and the same graph as Turtle at `/api/v1/catalog.ttl`) is the
DCAT-AP.de catalogue that GovData's and Open.NRW's harvesters read.
"""

import json
from dataclasses import dataclass, field

import rdflib
from django.conf import settings
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from funding.api import DecisionSerializer
from funding.payments.api import PaymentSerializer, RecoverySerializer
from modellregionen.api.base import ApiMixin
from modellregionen.api.licence import LICENCE
from modellregionen.api.renderers import serializer_leaves
from projects.api import ProjectSerializer, TransferRequestSerializer
from regions.api import MunicipalitySerializer

# Columns that hold an Amtlicher Gemeindeschlüssel: text, so "05111000" keeps its leading zero.
AGS_COLUMNS = {"ags", "parent", "lead_municipality", "recipient.ags", "municipality.ags"}
# NRW keys: Land 05, 5 digits for a Kreis, 8 for a Gemeinde (regions.validators says why).
AGS_PATTERN = "05[0-9]{3}([0-9]{3})?"
# The two keys apart: a Gemeinde's 8 digits (empty for a Kreis), a Kreis' 5.
KEY_PATTERNS = {"municipality_key": "05[0-9]{6}", "district_key": "05[0-9]{3}"}


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    path: str
    serializer: type[serializers.Serializer]
    primary_key: list[str]
    # (columns, resource, columns of that resource); "" is the resource itself.
    foreign_keys: list[tuple[str, str, str]] = field(default_factory=list)


DATASETS = [
    Dataset(
        "decisions",
        "Freigegebene Zuwendungsbescheide (Hauptbuch)",
        "/api/v1/decisions/?format=csv",
        DecisionSerializer,
        ["reference"],
        [("project.slug", "projects", "slug")],
    ),
    Dataset(
        "payments",
        "Freigegebene Auszahlungen auf die Zuwendungsbescheide (illustrativ)",
        "/api/v1/payments/?format=csv",
        PaymentSerializer,
        ["reference"],
        [("decision", "decisions", "reference"), ("project.slug", "projects", "slug")],
    ),
    Dataset(
        "recoveries",
        "Freigegebene Rückforderungen und Erstattungen (illustrativ)",
        "/api/v1/recoveries/?format=csv",
        RecoverySerializer,
        ["reference"],
        [("decision", "decisions", "reference"), ("project.slug", "projects", "slug")],
    ),
    Dataset(
        "projects",
        "Projekte und Anträge",
        "/api/v1/projects/?format=csv",
        ProjectSerializer,
        ["slug"],
        [("lead_municipality", "municipalities", "ags")],
    ),
    Dataset(
        "requests",
        "Nachnutzungs- und Beratungsanfragen (ohne personenbezogene Daten)",
        "/api/v1/requests/?format=csv",
        TransferRequestSerializer,
        ["id"],
        [("project", "projects", "slug"), ("municipality.ags", "municipalities", "ags")],
    ),
    Dataset(
        "municipalities",
        "Kommunen in NRW mit Einwohnerzahl (Gemeindeverzeichnis)",
        "/api/v1/municipalities/?format=csv",
        MunicipalitySerializer,
        ["ags"],
        [("parent", "", "ags")],
    ),
]

# The figures as CSV, as of today in the current version: the programme total and each grouping.
FIGURES_DOWNLOADS = [
    ("", "Kennzahlen des Programms"),
    ("region", "Kennzahlen nach Modellregion"),
    ("strand", "Kennzahlen nach Förderschwerpunkt"),
    ("topic", "Kennzahlen nach Themenfeld"),
    ("year", "Kennzahlen nach Jahr"),
    ("authority", "Kennzahlen nach Bewilligungsbehörde"),
]


def figures_download_name(grouping: str) -> str:
    return f"figures-{grouping}" if grouping else "figures"


def figures_download_path(grouping: str) -> str:
    return "/api/v1/figures/?format=csv" + (f"&group_by={grouping}" if grouping else "")


# Downloads that are not tables: (name, title, path, format, media type, EU file type).
DOCUMENT_DOWNLOADS = [
    (
        "giving360",
        "Freigegebene Bescheide im 360Giving-Datenstandard",
        "/api/v1/exports/360giving/",
        "json",
        "application/json",
        "JSON",
    ),
    (
        "feed",
        "Neue Bescheide und Kennzahlen-Stände (Atom-Feed, RFC 4287)",
        "/api/v1/feed.atom",
        "atom",
        "application/atom+xml",
        "ATOM",
    ),
]

SOURCES = [
    {
        "title": "Zuwendungsbescheide des Förderprogramms „Digitale Modellregionen in NRW“",
        "path": "/api/v1/programmes/",
    },
    {
        "title": "Statistisches Bundesamt (Destatis), Gemeindeverzeichnis GV100AD, Gebietsstand 30.11.2025",
        "path": "https://www.destatis.de/DE/Themen/Laender-Regionen/Regionales/Gemeindeverzeichnis/_inhalt.html",
    },
]


def _schema_field(name: str, field_obj) -> dict:
    described = {"name": name}
    help_text = getattr(field_obj, "help_text", None)
    if help_text:
        described["description"] = str(help_text)
    if name in AGS_COLUMNS:
        described.update(type="string", constraints={"pattern": AGS_PATTERN})
    elif name in KEY_PATTERNS:
        described.update(type="string", constraints={"pattern": KEY_PATTERNS[name]})
    elif name == "uri" or name.endswith(".uri"):
        described.update(type="string", format="uri")
    elif isinstance(field_obj, serializers.BooleanField):
        described["type"] = "boolean"
    elif isinstance(field_obj, serializers.IntegerField):
        described["type"] = "integer"
    elif isinstance(field_obj, serializers.DecimalField) or getattr(field_obj, "is_exact_decimal", False):
        described["type"] = "number"
        if name != "funding_rate":
            described["description"] = (described.get("description", "") + " Betrag in Euro.").strip()
    elif isinstance(field_obj, serializers.DateTimeField):
        described["type"] = "datetime"
    elif isinstance(field_obj, serializers.DateField):
        described["type"] = "date"
    elif isinstance(field_obj, serializers.ChoiceField) and not isinstance(field_obj, serializers.RelatedField):
        described.update(type="string", constraints={"enum": [str(key) for key in field_obj.choices]})
    else:
        described["type"] = "string"
    return described


def table_schema(dataset: Dataset) -> dict:
    fields = [_schema_field(name, field_obj) for name, field_obj in serializer_leaves(dataset.serializer())]
    schema = {"fields": fields, "missingValues": [""], "primaryKey": dataset.primary_key}
    if dataset.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": columns, "reference": {"resource": resource, "fields": target}}
            for columns, resource, target in dataset.foreign_keys
        ]
    return schema


def figures_table_schema() -> dict:
    """The columns of a figures CSV (funding.figures.api.FiguresView.csv_table)."""
    from funding.figures.definitions import FIGURES

    fields = [
        {"name": "as_of", "type": "date", "description": "Stichtag."},
        {"name": "version", "type": "integer", "description": "Kennzahlen-Stand (Version), zitierbar."},
        {"name": "group_key", "type": "string", "description": "Schlüssel der Gruppe; leer: das Programm."},
        {"name": "group_label", "type": "string"},
    ]
    for key, figure in FIGURES.items():
        unit = {"count": "Anzahl", "eur": "Euro", "ratio": "Anteil von 0 bis 1"}[figure.unit]
        fields.append(
            {
                "name": key,
                "type": "integer" if figure.unit == "count" else "number",
                "description": f"{figure.label_de} ({unit}): {figure.definition_de}",
            }
        )
    for key, figure in FIGURES.items():
        fields.append(
            {
                "name": f"{key}_illustrative_share",
                "type": "number",
                "description": f"Anteil (0 bis 1) von „{figure.label_de}“, der auf illustrativen Datensätzen beruht.",
                "constraints": {"minimum": 0, "maximum": 1},
            }
        )
    return {"fields": fields, "missingValues": [""]}


def data_package(build_url) -> dict:
    """The descriptor; `build_url` makes a path absolute (request.build_absolute_uri)."""
    licence = {"name": "dl-de-by-2.0", "path": LICENCE["url"], "title": LICENCE["name"]}
    return {
        "name": "digitale-modellregionen-nrw",
        "title": "Digitale Modellregionen in NRW: Bescheide, Projekte, Anfragen und Kommunen",
        "description": "Die vollständigen Listen der öffentlichen API als CSV (RFC 4180, UTF-8). "
        f"Namensnennung: {LICENCE['attribution_municipalities']}.",
        "homepage": build_url("/daten/"),
        "licenses": [licence],
        "sources": [
            {"title": s["title"], "path": build_url(s["path"]) if s["path"].startswith("/") else s["path"]}
            for s in SOURCES
        ],
        "resources": [
            {
                "name": dataset.name,
                "title": dataset.title,
                "path": build_url(dataset.path),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n"},
                "licenses": [licence],
                "schema": table_schema(dataset),
            }
            for dataset in DATASETS
        ]
        + [
            {
                "name": figures_download_name(grouping),
                "title": title,
                "path": build_url(figures_download_path(grouping)),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n"},
                "licenses": [licence],
                "schema": figures_table_schema(),
            }
            for grouping, title in FIGURES_DOWNLOADS
        ]
        + [
            {
                "name": name,
                "title": title,
                "path": build_url(path),
                "format": file_format,
                "mediatype": media_type,
                "encoding": "utf-8",
                "licenses": [licence],
            }
            for name, title, path, file_format, media_type, _file_type in DOCUMENT_DOWNLOADS
        ],
    }


@extend_schema(tags=["open data"], responses={200: {"type": "object"}})
class DataPackageView(ApiMixin, APIView):
    """A Frictionless tabular data package describing every complete CSV download."""

    pagination_class = None

    def get(self, request):
        return Response(data_package(request.build_absolute_uri))


# --- DCAT-AP.de: the catalogue GovData and Open.NRW harvest ---------------------------------

# Vocabularies DCAT-AP.de prescribes (https://www.dcat-ap.de/def/).
DCATDE_LICENCE = "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
NRW_STATE_KEY = "http://dcat-ap.de/def/politicalGeocoding/stateKey/05"
GOVERNMENT_THEME = "http://publications.europa.eu/resource/authority/data-theme/GOVE"
ECONOMY_THEME = "http://publications.europa.eu/resource/authority/data-theme/ECON"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
IANA_MEDIA_TYPE = "http://www.iana.org/assignments/media-types/"
# Which portal harvests the records (DCAT-AP.de contributors vocabulary): Open.NRW, then GovData.
CONTRIBUTOR_ID = "http://dcat-ap.de/def/contributors/openNRW"

JSONLD_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcatde": "http://dcat-ap.de/def/dcatde/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

# One DCAT dataset per topic: the ledger with its figures, the reuse requests, the municipalities.
CATALOGUE_DATASETS = [
    {
        "id": "bescheide",
        "title": "Zuwendungsbescheide und Kennzahlen des Förderprogramms „Digitale Modellregionen in NRW“",
        "description": "Freigegebene Zuwendungsbescheide (Hauptbuch, mit Änderungen und Widerrufen) und die daraus "
        "berechneten Kennzahlen: bewilligte Fördermittel, private Investitionen, geförderte Projekte, nach "
        "Modellregion, Förderschwerpunkt, Themenfeld, Jahr und Bewilligungsbehörde, zu jedem Stichtag.",
        "theme": ECONOMY_THEME,
        "csv": ["decisions", "projects", "payments", "recoveries"],
        "json": ["/api/v1/decisions/", "/api/v1/projects/", "/api/v1/payments/", "/api/v1/recoveries/"],
        "figures": True,
        "documents": ["giving360", "feed"],
    },
    {
        "id": "nachnutzung",
        "title": "Nachnutzungs- und Beratungsanfragen zu den Lösungen der Digitalen Modellregionen",
        "description": "Welche Kommune welche Lösung nachnutzen möchte oder Beratung angefragt hat, mit Datum und "
        "Bearbeitungsstand; ohne personenbezogene Daten.",
        "theme": GOVERNMENT_THEME,
        "csv": ["requests"],
        "json": ["/api/v1/requests/"],
    },
    {
        "id": "kommunen",
        "title": "Kommunen in NRW mit Einwohnerzahl und ihrer Beteiligung am Programm",
        "description": "Alle Gemeinden und Kreise in NRW mit Gemeindeschlüssel, Einwohnerzahl und Fläche "
        "(Gemeindeverzeichnis von Destatis) sowie ihre Modellregion.",
        "theme": GOVERNMENT_THEME,
        "csv": ["municipalities"],
        "json": ["/api/v1/municipalities/"],
    },
]


def dcat_catalogue(build_url, *, programme, modified) -> dict:
    """The DCAT-AP.de catalogue as JSON-LD; `modified` is when the published figures last changed."""
    publisher = {"@type": "foaf:Organization", "foaf:name": programme.funder}
    contact = {
        "@type": "vcard:Organization",
        "vcard:fn": "Digitale Modellregionen NRW",
        # An IRI, as DCAT-AP.de's shapes ask; the address is the deployment's (DATA_CONTACT_EMAIL).
        "vcard:hasEmail": {"@id": f"mailto:{settings.DATA_CONTACT_EMAIL}"},
    }
    temporal = {
        "@type": "dct:PeriodOfTime",
        "dcat:startDate": {"@value": programme.start_date.isoformat(), "@type": "xsd:date"},
        "dcat:endDate": {"@value": programme.end_date.isoformat(), "@type": "xsd:date"},
    }
    modified_literal = {"@value": modified.isoformat(), "@type": "xsd:dateTime"}
    paths = {dataset.name: dataset.path for dataset in DATASETS}
    titles = {dataset.name: dataset.title for dataset in DATASETS}

    def distribution(url: str, title: str, file_type: str, media_type: str, access_url: str | None = None) -> dict:
        return {
            "@id": url + ("#distribution" if "#" not in url else ""),
            "@type": "dcat:Distribution",
            "dct:title": title,
            "dcat:accessURL": {"@id": access_url or url},
            "dcat:downloadURL": {"@id": url},
            "dct:format": {"@id": FILE_TYPE + file_type},
            "dcat:mediaType": {"@id": IANA_MEDIA_TYPE + media_type},
            "dct:license": {"@id": DCATDE_LICENCE},
            "dcatde:licenseAttributionByText": f"{programme.funder}; {LICENCE['attribution_municipalities']}",
            "dct:modified": modified_literal,
        }

    datasets = []
    for item in CATALOGUE_DATASETS:
        distributions = [
            distribution(build_url(paths[name]), f"{titles[name]} (CSV, vollständig)", "CSV", "text/csv")
            for name in item["csv"]
        ]
        # The JSON download is the whole list as one page (page_size=all); the paged API is its access.
        distributions += [
            distribution(
                build_url(f"{path}?page_size=all"),
                f"API {path} (JSON, vollständig)",
                "JSON",
                "application/json",
                access_url=build_url(path),
            )
            for path in item["json"]
        ]
        if item.get("figures"):
            distributions += [
                distribution(
                    build_url(figures_download_path(grouping)),
                    f"{title} (CSV, Stand heute)",
                    "CSV",
                    "text/csv",
                    access_url=build_url("/api/v1/figures/"),
                )
                for grouping, title in FIGURES_DOWNLOADS
            ]
        distributions += [
            distribution(build_url(path), title, file_type, media_type)
            for name, title, path, _format, media_type, file_type in DOCUMENT_DOWNLOADS
            if name in item.get("documents", ())
        ]
        datasets.append(
            {
                "@id": build_url(f"/api/v1/catalog.jsonld#{item['id']}"),
                "@type": "dcat:Dataset",
                "dct:identifier": f"digitale-modellregionen-nrw-{item['id']}",
                "dct:title": item["title"],
                "dct:description": item["description"],
                "dcat:theme": {"@id": item["theme"]},
                "dcat:keyword": ["Digitale Modellregionen", "Förderprogramm", "Nachnutzung", "NRW"],
                "dct:publisher": publisher,
                "dcatde:contributorID": {"@id": CONTRIBUTOR_ID},
                "dcat:contactPoint": contact,
                "dct:temporal": temporal,
                "dct:spatial": {"@id": NRW_STATE_KEY},
                "dcatde:politicalGeocodingLevelURI": {"@id": "http://dcat-ap.de/def/politicalGeocoding/Level/state"},
                "dct:license": {"@id": DCATDE_LICENCE},
                "dct:modified": modified_literal,
                "dcat:landingPage": {"@id": build_url("/daten/")},
                "dcat:distribution": distributions,
            }
        )
    return {
        "@context": JSONLD_CONTEXT,
        "@id": build_url("/api/v1/catalog.jsonld"),
        "@type": "dcat:Catalog",
        "dct:title": "Offene Daten: Digitale Modellregionen in NRW",
        "dct:description": "Bescheide, Kennzahlen, Anfragen und Kommunen des Förderprogramms als offene Daten.",
        "dct:publisher": publisher,
        "dct:language": {"@id": "http://publications.europa.eu/resource/authority/language/DEU"},
        "dct:license": {"@id": DCATDE_LICENCE},
        "dct:modified": modified_literal,
        "foaf:homepage": {"@id": build_url("/daten/")},
        "dcat:dataset": datasets,
    }


class JsonLdRenderer(JSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


class TurtleRenderer(BaseRenderer):
    """The same catalogue as RDF/Turtle, for harvesters and tools that read Turtle only.

    rdflib reads the JSON-LD answer (its context is inline, so nothing is fetched) and
    writes Turtle: both formats always carry the same graph. Errors are JSON, as everywhere
    in the API.
    """

    media_type = "text/turtle"
    format = "ttl"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        graph = rdflib.Graph().parse(data=json.dumps(data, default=str), format="json-ld")
        return graph.serialize(format="turtle").encode()


@extend_schema(tags=["open data"], responses={200: {"type": "object"}})
class DcatCatalogueView(ApiMixin, APIView):
    """The DCAT-AP.de catalogue (JSON-LD) for GovData and Open.NRW to harvest."""

    pagination_class = None

    def get_renderers(self):
        return [JsonLdRenderer(), JSONRenderer()]

    def get(self, request):
        from django.utils import timezone

        from funding.figures.selectors import current_figures_version, default_programme

        programme = default_programme()
        version = current_figures_version(programme=programme) if programme else None
        if programme is None:
            raise Http404("Kein Förderprogramm erfasst.")
        modified = version.computed_at if version else timezone.now()
        return Response(dcat_catalogue(request.build_absolute_uri, programme=programme, modified=modified))


@extend_schema(tags=["open data"], responses={(200, "text/turtle"): {"type": "string"}})
class DcatCatalogueTurtleView(DcatCatalogueView):
    """The same DCAT-AP.de catalogue as RDF/Turtle."""

    def get_renderers(self):
        return [TurtleRenderer()]
