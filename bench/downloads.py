"""Memory of a complete CSV download: peak RSS of a process that serves the whole file.

    python -m bench.downloads /api/v1/decisions/?format=csv

Runs in a process of its own (the benchmark starts it), so its peak resident set is the
download's: first a warm-up request loads the code, then the whole file is streamed through
Django's test client and only counted, never kept. Prints one JSON line: rows, bytes, seconds,
the peak RSS before and after the download, in MB. Constant memory means the two stay close
however many rows the file has.
"""

import json
import os
import resource
import sys
import time


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


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
    print(
        json.dumps(
            {
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
