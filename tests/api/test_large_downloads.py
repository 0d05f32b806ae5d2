"""A CSV of ten thousand rows is still every row, and the JSON pages add up to the same (issue 15)."""

from projects.models import Project
from tests.api.test_complete_downloads import rows_of


def test_ten_thousand_projects_download_complete_in_json_pages_and_in_one_csv(client, db):
    """At 10 k rows the CSV is still every row, and the JSON pages add up to the same."""
    from tests.factories import ProjectFactory

    first = ProjectFactory(slug="projekt-00000", title="Projekt 00000")
    Project.objects.bulk_create(
        Project(
            programme=first.programme,
            region=first.region,
            topic=first.topic,
            strand=first.strand,
            status=first.status,
            submitted_on=first.submitted_on,
            title=f"Projekt {n:05d}",
            slug=f"projekt-{n:05d}",
        )
        for n in range(1, 10_000)
    )

    response = client.get("/api/v1/projects/?format=csv")
    slugs = [row[0] for row in rows_of(response)]

    assert response.streaming
    assert response["X-Total-Count"] == "10000"
    assert sorted(slugs) == sorted(Project.objects.values_list("slug", flat=True))
    pages = [client.get(f"/api/v1/projects/?page_size=1000&page={n}").json() for n in range(1, 11)]
    assert pages[0]["count"] == 10_000 and pages[-1]["next"] is None
    assert sorted(row["slug"] for page in pages for row in page["results"]) == sorted(slugs)
