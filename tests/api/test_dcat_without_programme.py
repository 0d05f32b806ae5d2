"""The Turtle catalogue without a programme, and with a format it does not serve (issue 15)."""


def test_without_a_programme_the_turtle_catalogue_is_a_404_saying_why(client, db):
    response = client.get("/api/v1/catalog.ttl")

    assert response.status_code == 404
    assert response.json() == {"detail": "Kein Förderprogramm erfasst."}


def test_the_turtle_catalogue_refuses_another_format(client, db):
    response = client.get("/api/v1/catalog.ttl", {"format": "jsonld"})

    assert response.status_code == 400
    assert response.json()["errors"] == {"format": ["Erlaubt: ttl."]}
