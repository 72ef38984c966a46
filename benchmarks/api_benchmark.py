"""Time API list pages against the HTML list pages of the same records, under gunicorn, at
the scale of the page benchmark; print each median as a ratio to the HTML page measured in
the same rounds.

    .venv/bin/python benchmarks/api_benchmark.py            # SQLite, 10,000 orgs, 100,000 contracts
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python benchmarks/api_benchmark.py

It builds (or reuses) the page benchmark's database. The page cache is off, as the API never
uses it, so both sides do their whole work on every request; the throttle is on, with a
limit no run reaches, so the API pays for counting requests as it does in production.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["PUBLIC_PAGE_CACHE_SECONDS"] = "0"
os.environ["API_RATE_LIMIT"] = "100000000/minute"

# Sets up Django with the page benchmark's settings and database.
from django.db import connection  # noqa: E402

from benchmarks.page_benchmark import build, median_seconds, serve  # noqa: E402
from investigations.models import Contract  # noqa: E402
from investigations.views.lists import PAGE_SIZE  # noqa: E402


def pairs():
    """Each HTML list page and the API page of the same rows."""
    deep_page = Contract.objects.published().count() // PAGE_SIZE // 2
    deep_offset = (deep_page - 1) * PAGE_SIZE
    return {
        "contracts, page 1": ("/contracts/", "/api/contracts/"),
        f"contracts, page {deep_page:,}": (
            f"/contracts/?page={deep_page}",
            f"/api/contracts/?offset={deep_offset}",
        ),
        "contracts by value, page 1": ("/contracts/?sort=-value", "/api/contracts/?sort=-value"),
        "organisations, page 1": ("/organisations/", "/api/organisations/"),
    }


def report(requests):
    compared = pairs()
    paths = ["/bench/ok/", *(path for pair in compared.values() for path in pair)]
    medians = median_seconds(paths, requests)
    baseline = medians["/bench/ok/"]
    print(
        f"{connection.vendor}: {Contract.objects.published().count():,} published "
        f"contracts, {PAGE_SIZE} rows a page, median of {requests} requests, gunicorn (2 workers), "
        f"page cache off; trivial view {baseline * 1000:.2f} ms"
    )
    print(f"  {'list':<30} {'HTML':>10} {'API':>10} {'API / HTML':>11}")
    for label, (html, api) in compared.items():
        print(
            f"  {label:<30} {medians[html] * 1000:7.1f} ms {medians[api] * 1000:7.1f} ms "
            f"{medians[api] / medians[html]:10.2f}x"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--contracts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--rebuild", action="store_true")
    options = parser.parse_args()
    build(options.organisations, options.contracts, options.rebuild)
    server = serve()
    try:
        report(options.requests)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
