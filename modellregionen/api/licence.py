"""The licence every answer, download and description of the open data carries."""

LICENCE = {
    "name": "Datenlizenz Deutschland – Namensnennung – 2.0",
    "url": "https://www.govdata.de/dl-de/by-2-0",
    # Municipalities, their keys and populations come from the official directory.
    "attribution_municipalities": "Gemeindeverzeichnis (GV100AD, Gebietsstand 30.11.2025): "
    "© Statistisches Bundesamt (Destatis), 2025, dl-de/by-2-0",
}


def citation(*, programme, version, stand: str, permalink: str) -> str:
    """How to cite a figures answer or page: programme, what it shows, version, source, licence, permalink."""
    from django.utils import timezone

    computed = timezone.localtime(version.computed_at).strftime("%d.%m.%Y %H:%M")
    return (
        f"{programme.name}, Kennzahlen {stand}, Version {version.pk} (berechnet {computed}); "
        f"Quelle: {programme.funder}; {LICENCE['name']}; {permalink}"
    )
