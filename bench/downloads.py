"""Memory of a complete CSV download: peak RSS of a process that serves the whole file.

    python -m bench.downloads /api/v1/decisions/?format=csv

Runs in a process of its own (the benchmark starts it), so its peak resident set is the
download's: first a warm-up request loads the code, then the whole file is streamed through
Django's test client and only counted, never kept. Prints one JSON line: rows, bytes, seconds,
the peak RSS before and after the download, in MB. Constant memory means the two stay close
however many rows the file has.

Next to it, the floor: PostgreSQL's COPY of the same statement (the same columns, formatted the
same way) written by `psql` to /dev/null, in the same run: what the server alone takes.
"""

import json
import os
import resource
import sys
import time


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def copy_floor_seconds() -> float | None:
    """`psql` writing the decisions' COPY statement to /dev/null: the floor of the complete CSV."""
    import shutil
    import subprocess

    import psycopg
    from django.db import connection

    from funding.api import DecisionViewSet
    from funding.models import FundingDecision
    from modellregionen.api.copy_csv import copy_statement

    if connection.vendor != "postgresql" or shutil.which("psql") is None:
        return None
    queryset = FundingDecision.objects.released().order_by("decision_date", "id")
    statement, params = copy_statement(queryset, DecisionViewSet().copy_columns(), dialect="rfc4180")
    connection.ensure_connection()
    # The statement with its parameters bound, as psql needs it.
    text = psycopg.ClientCursor(connection.connection).mogrify(statement, params) if params else statement
    settings = connection.settings_dict
    environment = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    command = ["psql", "-X", "-q", "-h", settings["HOST"] or "127.0.0.1", "-p", str(settings["PORT"] or 5432)]
    command += ["-U", settings["USER"] or "postgres", "-d", settings["NAME"], "-c", text]
    started = time.perf_counter()
    subprocess.run(command, check=True, env=environment, stdout=subprocess.DEVNULL)  # noqa: S603 - our own statement
    return time.perf_counter() - started


def main() -> None:
    path = sys.argv[1]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modellregionen.settings")
    import django

    django.setup()
    from django.test import Client

    client = Client()
    warm = client.get("/api/v1/municipalities/?format=csv")
    b"".join(warm.streaming_content)
    before = peak_rss_mb()
    started = time.perf_counter()
    response = client.get(path)
    assert response.status_code == 200 and response.streaming, response.status_code  # noqa: S101
    rows = size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        rows += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    copy_seconds = copy_floor_seconds()
    print(
        json.dumps(
            {
                "copy_floor_seconds": copy_seconds,
                "rows": rows - 1,  # the header line
                "total_count": int(response["X-Total-Count"]),
                "bytes": size,
                "seconds": seconds,
                "rss_before_mb": before,
                "rss_peak_mb": peak_rss_mb(),
            }
        )
    )


if __name__ == "__main__":
    main()
