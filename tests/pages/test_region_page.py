import pytest

from funding.figures.engine import recompute_figures
from tests.factories import ProjectFactory, RegionFactory

pytestmark = pytest.mark.django_db


def test_the_region_page_lists_its_projects_and_sends_long_lists_to_the_catalogue(client, monkeypatch):
    monkeypatch.setattr("funding.figures.views.REGION_PAGE_PROJECTS", 2)
    region = RegionFactory(slug="soest", name="Soest")
    for title in ("Bürgerportal", "Digitale Innenstadt", "Smart Village"):
        ProjectFactory(region=region, title=title)
    recompute_figures()

    page = client.get("/regionen/soest/").content.decode()

    assert "Projekte (3)" in page
    assert "Bürgerportal" in page and "Digitale Innenstadt" in page
    assert "Smart Village" not in page
    assert "Die ersten 2 von 3 Projekten; alle finden Sie im Katalog." in page
    assert 'href="/loesungen/?region=soest"' in page
