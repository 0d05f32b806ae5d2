import datetime as dt
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from projects.models import TransferRequest
from projects.services import request_submit
from tests.pages.test_dashboard import text_of

URL = "/loesungen/buergerportal-soest/anfrage/"


def valid_data(**changes) -> dict:
    data = {
        "kind": "transfer",
        "municipality": "Lippstadt (05974028)",
        "contact_name": "Servicestelle Digitalisierung",
        "contact_email": "digitalisierung@lippstadt.example",
        "message": "Wir möchten das Bürgerportal übernehmen.",
        "consent": "on",
        "website": "",
    }
    data.update(changes)
    return data


def test_the_form_offers_every_municipality_by_name_and_ags(client, small_programme):
    html = client.get(URL).content.decode()

    assert '<option value="Lippstadt (05974028)">' in html
    assert 'list="municipality-list"' in html
    assert "DSGVO" in html


def test_a_valid_request_is_saved_confirmed_and_mailed_to_both_sides(client, small_programme):
    response = client.post(URL, valid_data())

    assert response.status_code == 302
    assert response["Location"] == "/loesungen/buergerportal-soest/anfrage/danke/"
    saved = TransferRequest.objects.get()
    assert saved.municipality.name == "Lippstadt"
    assert saved.kind == "transfer"
    assert saved.consent_given_at is not None
    assert [message.to for message in mail.outbox] == [
        ["digitalisierung@lippstadt.example"],
        ["projektbuero@soest.example"],
    ]
    assert "Bürgerportal und 3D-Stadtmodell" in mail.outbox[0].subject
    assert "Lippstadt (AGS 05974028)" in mail.outbox[1].body
    assert "Vielen Dank, Ihre Anfrage ist eingegangen." in text_of(client.get(response["Location"]))


def test_a_new_request_counts_in_the_figures_only_once_its_link_is_confirmed(transactional_db, client, small_programme):
    """One anonymous form must not move the public figures (issue 27); the requester's confirmation does."""
    client.post(URL, valid_data())
    link = re.search(r"http://testserver(/anfrage/bestaetigen/\S+/)", mail.outbox[0].body).group(1)

    before = text_of(client.get("/"))
    opened = client.get(link)  # a mail scanner following the link confirms nothing
    after_get = text_of(client.get("/"))
    confirmed = client.post(link)
    after = text_of(client.get("/"))

    assert "Nachnutzungsanfragen 0" in before and "Anfragende Kommunen 0" in before
    assert opened.status_code == 200 and "Nachnutzungsanfragen 0" in after_get
    assert "ist bestätigt" in text_of(confirmed)
    assert "Nachnutzungsanfragen 1" in after and "Anfragende Kommunen 1" in after
    assert client.post(link).status_code == 200  # again: nothing new
    assert TransferRequest.objects.counted().count() == 1


def test_a_forged_or_expired_confirmation_link_is_refused(client, small_programme):
    client.post(URL, valid_data())

    answer = client.post("/anfrage/bestaetigen/not-a-token/")

    assert answer.status_code == 400
    assert TransferRequest.objects.counted().count() == 0


def test_staff_taking_a_request_up_confirms_it(client, small_programme, clerk):
    from projects import services

    client.post(URL, valid_data())
    request = TransferRequest.objects.get()
    assert request.confirmed_at is None

    services.request_change_status(transfer_request=request, user=clerk, to_status="clarification")

    assert TransferRequest.objects.counted().count() == 1


@pytest.mark.parametrize("typed", ["05974028", "Lippstadt", "lippstadt"])
def test_a_municipality_may_be_typed_by_ags_or_name(client, small_programme, typed):
    response = client.post(URL, valid_data(municipality=typed))

    assert response.status_code == 302
    assert TransferRequest.objects.get().municipality.ags == "05974028"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Atlantis", "Keine Kommune in NRW heißt „Atlantis“."),
        ("05999999", "Zum Gemeindeschlüssel 05999999 ist keine Kommune in NRW verzeichnet."),
        ("123", "Ein Gemeindeschlüssel in NRW hat 8 Ziffern"),
        ("", "Bitte geben Sie Ihre Kommune an."),
    ],
)
def test_an_unknown_municipality_is_refused_with_a_clear_message(client, small_programme, typed, message):
    response = client.post(URL, valid_data(municipality=typed))

    assert response.status_code == 400
    assert message in text_of(response)
    assert not TransferRequest.objects.exists()
    assert not mail.outbox


def test_it_refuses_a_request_without_consent_and_keeps_the_input(client, small_programme):
    response = client.post(URL, valid_data(consent=""))

    text = text_of(response)
    assert response.status_code == 400
    assert "Ohne Ihre Einwilligung können wir die Anfrage nicht bearbeiten." in text
    assert 'value="Servicestelle Digitalisierung"' in response.content.decode()
    assert not TransferRequest.objects.exists()


def test_it_names_a_bad_email_address(client, small_programme):
    response = client.post(URL, valid_data(contact_email="keine-adresse"))

    assert "Bitte geben Sie eine gültige E-Mail-Adresse an" in text_of(response)
    assert not TransferRequest.objects.exists()


def test_a_filled_honeypot_stores_and_sends_nothing(client, small_programme):
    response = client.post(URL, valid_data(website="http://spam.example"))

    assert response.status_code == 302
    assert not TransferRequest.objects.exists()
    assert not mail.outbox


def test_one_address_may_send_only_a_few_requests_per_hour(client, small_programme):
    for _ in range(5):
        assert client.post(URL, valid_data()).status_code == 302

    response = client.post(URL, valid_data())

    assert response.status_code == 429
    assert "zu viele Anfragen" in text_of(response)
    assert TransferRequest.objects.count() == 5


def test_a_consultation_request_can_be_preselected(client, small_programme):
    html = client.get(URL + "?art=beratung").content.decode()

    assert 'value="consultation" id="id_kind_1" checked' in html


def test_the_service_refuses_without_consent(small_programme):
    from regions.models import Municipality

    with pytest.raises(ValidationError) as error:
        request_submit(
            project=small_programme["portal"],
            municipality=Municipality.objects.get(ags="05974028"),
            kind="transfer",
            contact_name="Servicestelle",
            contact_email="a@b.example",
            message="",
            consent=False,
        )
    assert "consent" in error.value.message_dict
    assert not TransferRequest.objects.exists()


def test_the_service_records_the_day_of_receipt(small_programme):
    from regions.models import Municipality

    request = request_submit(
        project=small_programme["portal"],
        municipality=Municipality.objects.get(ags="05974028"),
        kind="consultation",
        contact_name="Servicestelle",
        contact_email="a@b.example",
        message="",
        consent=True,
        received_on=dt.date(2020, 3, 1),
    )

    assert request.received_on == dt.date(2020, 3, 1)
    assert request.get_kind_display() == "Beratung"
    assert len(mail.outbox) == 2


def test_the_request_form_needs_a_constant_number_of_queries(client, small_programme, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        client.get(URL)


def test_the_confirmation_echoes_nothing_the_requester_typed(client, small_programme):
    """No relay: a stranger's name and message never go out from our address to an address they typed."""
    client.post(
        URL,
        valid_data(
            contact_name="Gewinnspiel! Klicken Sie http://evil.example",
            contact_email="opfer@example.org",
            message="Ihr Konto wird gesperrt: http://evil.example/login",
        ),
    )

    confirmation = mail.outbox[0]
    assert confirmation.to == ["opfer@example.org"]
    assert "evil.example" not in confirmation.body and "evil.example" not in confirmation.subject
    assert "Gewinnspiel" not in confirmation.body and "gesperrt" not in confirmation.body
    assert "http://testserver/loesungen/buergerportal-soest/" in confirmation.body


def test_the_thanks_page_gives_the_number_and_what_was_sent_to_the_sender_only(client, small_programme):
    response = client.post(URL, valid_data(message="Bitte <b>Unterlagen</b> schicken."))
    saved = TransferRequest.objects.get()
    thanks = client.get(response["Location"])

    text = text_of(thanks)
    assert saved.reference == f"AN-{saved.received_on:%Y}-{saved.pk:05d}"
    assert f"Vorgangsnummer {saved.reference}" in text
    assert "Kommune Lippstadt (AGS 05974028)" in text
    assert "E-Mail-Adresse digitalisierung@lippstadt.example" in text
    assert "&lt;b&gt;Unterlagen&lt;/b&gt;" in thanks.content.decode()  # what they typed, escaped
    # The number, never what they typed, goes out by e-mail.
    assert saved.reference in mail.outbox[0].subject and saved.reference in mail.outbox[0].body
    assert "Unterlagen" not in mail.outbox[0].body

    # Another browser at the same address sees thanks, and nothing of the request.
    from django.test import Client

    stranger = Client().get(response["Location"])
    assert stranger.status_code == 200
    assert saved.reference not in stranger.content.decode()
    assert "digitalisierung@lippstadt.example" not in stranger.content.decode()


def test_the_error_summary_names_each_field_briefly(client, small_programme):
    response = client.post(URL, valid_data(consent="", contact_email="kein-at"))

    summary = response.content.decode().split('id="error-summary"')[1].split("</div>")[0]
    assert "Einwilligung: Ohne Ihre Einwilligung können wir die Anfrage nicht bearbeiten." in summary
    assert "Ich willige ein" not in summary
    assert "E-Mail-Adresse: " in summary
