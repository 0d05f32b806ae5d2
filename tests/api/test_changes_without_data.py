"""The change feed and the API's errors on a database without the programme data (issue 15)."""


def test_the_feed_names_its_author_as_rfc_4287_asks(client, db):
    from defusedxml import ElementTree as ET

    from tests.factories import ProgrammeFactory

    programme = ProgrammeFactory()
    feed = ET.fromstring(client.get("/api/v1/feed.atom").content)
    atom = "{http://www.w3.org/2005/Atom}"

    assert feed.find(f"{atom}author/{atom}name").text == programme.funder


def test_a_404_under_the_api_is_json_in_the_api_error_format(client, db):
    response = client.get("/api/v1/gibt-es-nicht/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()
