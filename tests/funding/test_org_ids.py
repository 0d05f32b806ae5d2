"""Organisation identifiers: each scheme's pattern, ROR's checksum, and every entry path refusing a bad one."""

import pytest
from django.core.exceptions import ValidationError

from funding.models import Programme, Recipient
from funding.org_ids import register_url, validate_org_id
from tests.factories import MunicipalityFactory, ProgrammeFactory, RecipientFactory
from tests.staff.conftest import login


@pytest.mark.parametrize(
    "identifier",
    [
        "XI-ROR-04xfq0f34",  # RWTH Aachen
        "XI-ROR-058kzsd48",  # Universität Paderborn
        "DE-CR-RA000351-HRB758147",
        "DE-CR-RA000290-HRA7672HL",
        "XI-WIKIDATA-Q1017",
        "",
    ],
)
def test_identifiers_in_a_known_scheme_pass(identifier):
    validate_org_id(identifier)


@pytest.mark.parametrize(
    ("identifier", "code"),
    [
        ("XI-ROR-04xfq0f35", "invalid_number"),  # one digit off: the checksum catches it
        ("XI-ROR-https://ror.org/04xfq0f34", "invalid_number"),
        ("XI-WIKIDATA-1017", "invalid_number"),
        ("XI-WIKIDATA-Q0", "invalid_number"),
        ("DE-CR-HRB 758147", "invalid_number"),
        ("360G-modellregionen-AGS-05774032", "unknown_scheme"),  # our fallback is never entered by hand
        ("GB-COH-01234567", "unknown_scheme"),
        ("Q1017", "unknown_scheme"),
    ],
)
def test_identifiers_outside_their_scheme_are_refused_with_the_reason(identifier, code):
    with pytest.raises(ValidationError) as raised:
        validate_org_id(identifier)

    assert raised.value.code == code
    assert identifier in raised.value.messages[0]


def test_register_links_point_at_the_entry():
    assert register_url("XI-ROR-04xfq0f34") == "https://ror.org/04xfq0f34"
    assert register_url("XI-WIKIDATA-Q1017") == "https://www.wikidata.org/wiki/Q1017"
    assert register_url("DE-CR-RA000351-HRB758147") is None  # the portal has no stable entry URL


def test_a_recipient_with_a_bad_identifier_fails_validation_on_the_field(db):
    recipient = Recipient(name="Hochschule X", kind="university", org_id="XI-ROR-04xfq0f35")

    with pytest.raises(ValidationError) as raised:
        recipient.full_clean()

    assert set(raised.value.message_dict) == {"org_id"}


def test_two_recipients_cannot_share_an_identifier(db):
    RecipientFactory(name="RWTH Aachen", kind="university", org_id="XI-ROR-04xfq0f34")
    twin = Recipient(name="RWTH", kind="university", org_id="XI-ROR-04xfq0f34")

    with pytest.raises(ValidationError) as raised:
        twin.full_clean()

    assert "org_id" in str(raised.value)
    # Many recipients may have none.
    RecipientFactory(name="A", org_id="")
    RecipientFactory(name="B", org_id="")


def test_a_funder_keeps_one_identifier_across_programmes(db):
    ProgrammeFactory(funder="MWIDE", funder_org_id="XI-WIKIDATA-Q42")
    second = Programme(
        slug="zweites",
        name="Zweites Programm",
        funder="MWIDE",
        funder_org_id="XI-WIKIDATA-Q43",
        budget="1.00",
        start_date="2019-01-01",
        end_date="2019-12-31",
    )

    with pytest.raises(ValidationError) as raised:
        second.full_clean()

    assert set(raised.value.message_dict) == {"funder_org_id"}
    second.funder_org_id = "XI-WIKIDATA-Q42"
    second.full_clean()


def test_a_clerk_records_an_identifier_and_a_seat_in_the_admin_with_history(client, clerk):
    clerk.is_staff = True
    clerk.save(update_fields=["is_staff"])
    login(client, clerk)
    paderborn = MunicipalityFactory(ags="05774032", name="Paderborn, Stadt", postcode="33098")
    university = RecipientFactory(name="Universität Paderborn", kind="university")
    url = f"/admin/funding/recipient/{university.pk}/change/"
    form = {"name": university.name, "kind": "university", "municipality": "", "seat": paderborn.pk}

    refused = client.post(url, {**form, "org_id": "XI-ROR-058kzsd49"})
    university.refresh_from_db()
    assert refused.status_code == 200
    assert "org_id" in refused.context["adminform"].form.errors
    assert university.org_id == "" and university.seat is None  # nothing half-saved

    saved = client.post(url, {**form, "org_id": "XI-ROR-058kzsd48"})
    university.refresh_from_db()
    assert saved.status_code == 302
    assert university.org_id == "XI-ROR-058kzsd48" and university.seat == paderborn
    assert university.history.first().history_user == clerk
    # The seat is looked up in the directory through the admin's autocomplete.
    lookup = client.get(
        "/admin/autocomplete/",
        {"term": "Pader", "app_label": "funding", "model_name": "recipient", "field_name": "seat"},
    )
    assert lookup.status_code == 200
    assert [row["text"] for row in lookup.json()["results"]] == ["Paderborn, Stadt (05774032)"]
