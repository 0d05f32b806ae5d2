"""The licence every answer, download and description of the open data carries."""

LICENCE = {
    "name": "Datenlizenz Deutschland – Namensnennung – 2.0",
    "url": "https://www.govdata.de/dl-de/by-2-0",
    # Municipalities, their keys and populations come from the official directory.
    "attribution_municipalities": "Gemeindeverzeichnis (GV100AD, Gebietsstand 30.11.2025): "
    "© Statistisches Bundesamt (Destatis), 2025, dl-de/by-2-0",
}
