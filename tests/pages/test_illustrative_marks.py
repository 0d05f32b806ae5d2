"""No illustrative number is shown without its mark, and the site says when it runs on demo data (issue 27)."""

import re

from tests.pages.test_dashboard import text_of

MARK = "enthält Beispieldaten"
BANNER = "Enthält Beispieldaten."


def _tile(html: str, key: str) -> str:
    return re.search(rf'<li class="tile[^"]*" id="tile-{key}">(.*?)</li>', html, flags=re.S).group(1)


def test_on_the_programme_data_every_tile_that_rests_on_illustrative_records_carries_its_mark(client, programme_data):
    html = client.get("/").content.decode()

    assert BANNER in text_of(client.get("/"))
    paid = _tile(html, "paid_out")
    assert MARK in paid and "(ganz)" in paid  # every payment is illustrative
    granted = _tile(html, "funding_granted")
    assert MARK in granted and re.search(r"\d+,\d %\s*des Werts", granted)
    assert MARK in client.get("/regionen/soest/").content.decode()
    assert re.search(
        r'aria-labelledby="breakdown-region">.*?</h3>\s*<p class="illustrative"><strong>' + MARK, html, re.S
    )
    for url in ("/loesungen/", "/kommunen/", "/daten/", "/impressum/"):
        assert BANNER in text_of(client.get(url)), url


def test_a_cited_published_date_shows_where_published_records_carry_the_figure(client, programme_data):
    html = client.get("/?as_of=2019-12-06").content.decode()

    # The published headline of 06.12.2019 reproduces; how much of it rests on illustrative records is said.
    assert "56.613.750" in text_of(client.get("/?as_of=2019-12-06"))
    assert MARK in _tile(html, "funding_granted")


def test_a_project_page_marks_each_illustrative_decision_and_the_payments(client, programme_data):
    from funding.models import FundingDecision
    from funding.provenance import illustrative_q

    illustrative = FundingDecision.objects.released().filter(illustrative_q()).select_related("project").first()
    published = FundingDecision.objects.released().exclude(illustrative_q()).select_related("project").first()

    marked = client.get(f"/loesungen/{illustrative.project.slug}/").content.decode()
    row = re.search(rf">{re.escape(illustrative.reference)}</td>.*?</tr>", marked, flags=re.S).group(0)
    assert "Beispieldaten" in row
    unmarked = client.get(f"/loesungen/{published.project.slug}/").content.decode()
    published_row = re.search(rf">{re.escape(published.reference)}</td>.*?</tr>", unmarked, flags=re.S).group(0)
    assert "Beispieldaten" not in published_row
    assert re.search(r'id="paid-out">[^<]*<span class="illustrative-mark">', marked)
