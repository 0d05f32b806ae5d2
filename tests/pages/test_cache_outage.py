"""With Redis configured but down, every public page and API read still answers (issue 14)."""

import pytest
from django.test import override_settings

from tests.pages.test_request_form import URL as REQUEST_FORM
from tests.pages.test_request_form import valid_data

DEAD_REDIS = {
    "default": {
        "BACKEND": "modellregionen.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}

PUBLIC_READS = [
    "/",
    "/?as_of=2019-12-06",
    "/regionen/soest/",
    "/loesungen/",
    "/loesungen/buergerportal-soest/",
    "/kommunen/05974028/",
    "/daten/",
    "/api/v1/figures/",
    "/api/v1/figures/?group_by=region",
    "/api/v1/figures/series/?figure=funding_granted",
    "/api/v1/projects/",
    "/api/v1/decisions/",
    "/api/v1/decisions/DMR-ARN-2019-001/",
    "/api/v1/municipalities/?q=Soest",
    "/api/v1/requests/",
    "/healthz",
]


@pytest.mark.parametrize("path", PUBLIC_READS)
def test_every_public_read_answers_while_the_cache_is_down(client, small_programme, path):
    with override_settings(CACHES=DEAD_REDIS):
        response = client.get(path)

    assert response.status_code == 200, (path, response.content[:300])


def test_a_request_can_still_be_sent_while_the_cache_is_down(client, small_programme):
    from projects.models import TransferRequest

    with override_settings(CACHES=DEAD_REDIS):
        response = client.post(REQUEST_FORM, valid_data())

    assert response.status_code == 302
    assert TransferRequest.objects.count() == 1
