"""The DCAT-AP.de catalogue is RDF that carries what GovData's harvester requires (issue 15).

No DCAT-AP.de SHACL shapes are available offline here, so the required properties are checked
one by one on the parsed graph (rdflib reads the JSON-LD as any harvester would).
"""

import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

DCATDE = rdflib.Namespace("http://dcat-ap.de/def/dcatde/")


@pytest.fixture
def graph(client, programme_data):
    response = client.get("/api/v1/catalog.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    return rdflib.Graph().parse(data=response.content, format="json-ld")


def test_the_catalogue_and_each_dataset_carry_the_required_properties(graph):
    catalogues = list(graph.subjects(RDF.type, DCAT.Catalog))
    datasets = list(graph.subjects(RDF.type, DCAT.Dataset))

    assert len(catalogues) == 1 and len(datasets) == 3
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.publisher, DCAT.dataset):
        assert graph.value(catalogues[0], prop) is not None, prop
    for dataset in datasets:
        for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.publisher, DCATDE.contributorID, DCTERMS.modified):
            assert graph.value(dataset, prop) is not None, (dataset, prop)
        assert graph.value(graph.value(dataset, DCTERMS.publisher), FOAF.name) is not None
        # dct:spatial names NRW by its state key; dcatde:politicalGeocodingURI is deprecated in DCAT-AP.de 3.
        assert str(graph.value(dataset, DCTERMS.spatial)).endswith("/stateKey/05")
        assert graph.value(dataset, DCATDE.politicalGeocodingURI) is None
        assert list(graph.objects(dataset, DCAT.distribution))


def test_every_distribution_has_a_licence_from_the_vocabulary_a_format_and_a_working_url(graph, client):
    distributions = list(graph.subjects(RDF.type, DCAT.Distribution))

    assert len(distributions) >= 8
    for distribution in distributions:
        assert str(graph.value(distribution, DCTERMS.license)) == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
        assert str(graph.value(distribution, DCTERMS["format"])).startswith(
            "http://publications.europa.eu/resource/authority/file-type/"
        )
        assert graph.value(distribution, DCATDE.licenseAttributionByText) is not None
        url = str(graph.value(distribution, DCAT.accessURL)).split("testserver", 1)[1]
        assert client.get(url).status_code == 200, url


def test_the_catalogue_is_served_as_turtle_with_the_same_graph(graph, client):
    response = client.get("/api/v1/catalog.ttl", HTTP_ORIGIN="https://newsroom.example")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/turtle; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    turtle = response.content.decode()
    assert "dcat:Catalog" in turtle and "dl-by-de/2.0" in turtle
    served = rdflib.Graph().parse(data=turtle, format="turtle")
    assert isomorphic(served, graph)


def test_media_types_and_the_contact_address_are_iris_as_dcat_ap_de_asks(graph, settings):
    """GovData's shapes want dcat:mediaType as an IANA media-type IRI and vcard:hasEmail as a mailto: IRI."""
    vcard = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")
    media_types = list(graph.objects(None, DCAT.mediaType))
    emails = list(graph.objects(None, vcard.hasEmail))

    assert media_types and all(isinstance(value, rdflib.URIRef) for value in media_types)
    assert all(str(value).startswith("http://www.iana.org/assignments/media-types/") for value in media_types)
    assert emails and all(isinstance(value, rdflib.URIRef) and str(value).startswith("mailto:") for value in emails)
    assert all("example.org" not in str(value) for value in emails)
