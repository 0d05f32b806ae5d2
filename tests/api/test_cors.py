"""CORS for anonymous reads from any origin; writes and staff pages get no CORS answer (issue 15)."""

ORIGIN = "https://observablehq.com"


def test_an_anonymous_get_from_another_origin_may_be_read(client, ledger):
    response = client.get("/api/v1/projects/", HTTP_ORIGIN=ORIGIN)
    csv_download = client.get("/api/v1/projects/?format=csv", HTTP_ORIGIN=ORIGIN)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert csv_download["Access-Control-Allow-Origin"] == "*"
    assert "X-Total-Count" in csv_download["Access-Control-Expose-Headers"]


def test_a_cross_origin_write_is_refused_at_the_preflight(client, ledger):
    preflight = client.options(
        "/api/v1/decisions/",
        HTTP_ORIGIN=ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )

    allowed_methods = preflight.get("Access-Control-Allow-Methods", "")
    allowed_headers = preflight.get("Access-Control-Allow-Headers", "")
    assert "POST" not in allowed_methods and "authorization" not in allowed_headers.lower()


def test_staff_pages_and_the_admin_get_no_cors_answer(client, ledger):
    for path in ("/intern/anmelden/", "/admin/login/", "/"):
        response = client.get(path, HTTP_ORIGIN=ORIGIN)
        assert "Access-Control-Allow-Origin" not in response, path
