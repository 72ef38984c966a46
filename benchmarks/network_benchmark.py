"""Serve an organisation with 500 neighbours under gunicorn; print the time of its network
page, uncached (page cache and layout cache emptied before each request), and the ratio
to its profile page, uncached too, measured in the same run.

    .venv/bin/python benchmarks/network_benchmark.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_network .venv/bin/python benchmarks/network_benchmark.py

The database is built once and reused (SQLite: benchmarks/out/network/). Pass --rebuild
to start again.
"""

import argparse
import http.client
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("VAR_DIR", str(ROOT / "benchmarks" / "out" / "network"))
os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from benchmarks import page_benchmark  # noqa: E402
from benchmarks.generate import generate  # noqa: E402
from investigations import models  # noqa: E402

page_benchmark.PORT = 8766  # not the page benchmark's, which may run beside it
HUB_SLUG = "alliance-medical"
NEIGHBOURS = {"contracts": 250, "relationships": 150, "people": 60, "sites": 40}
TARGET_SECONDS = 0.5


def build(rebuild):
    call_command("migrate", verbosity=0)
    hub = models.Organisation.objects.filter(slug=HUB_SLUG).first()
    if hub and not rebuild and hub.contract_parties.count() >= NEIGHBOURS["contracts"]:
        return hub
    call_command("flush", interactive=False, verbosity=0)
    call_command("load_demo_data", verbosity=0)
    generate(organisations=2000, contracts=2000)
    hub = models.Organisation.objects.get(slug=HUB_SLUG)
    with transaction.atomic():
        add_neighbours(hub)
    return hub


def add_neighbours(hub):
    """500 published neighbours of four kinds, each link cited."""
    published = {"status": "published"}
    source = models.Source.objects.create(title="Generated register extract", **published)
    generated = models.Organisation.objects.published().filter(slug__startswith="generated--")
    others = list(generated.order_by("pk")[:400])
    rows = []
    for number in range(NEIGHBOURS["contracts"]):
        contract = models.Contract.objects.create(title=f"Hub contract {number}", **published)
        rows.append(
            models.ContractParty.objects.create(
                contract=contract, organisation=hub, role="operator"
            )
        )
        models.ContractParty.objects.create(
            contract=contract, organisation=others[number % len(others)], role="buyer"
        )
    for number in range(NEIGHBOURS["relationships"]):
        kind = ("partner_of", "supplier_to", "lender_to")[number % 3]
        rows.append(
            models.Relationship.objects.create(
                subject=hub, object=others[number], kind=kind, **published
            )
        )
    for number in range(NEIGHBOURS["people"]):
        person = models.Person.objects.create(name=f"Director {number}", **published)
        rows.append(models.Role.objects.create(person=person, organisation=hub))
    for number in range(NEIGHBOURS["sites"]):
        site = models.Site.objects.create(name=f"Scanning unit {number}", **published)
        rows.append(models.SiteRole.objects.create(site=site, organisation=hub, kind="operator"))
    models.Citation.objects.bulk_create(
        models.Citation(
            content_type=ContentType.objects.get_for_model(row),
            object_id=row.pk,
            source=source,
            quote="As registered.",
        )
        for row in rows
    )


def cold_seconds(path, requests):
    """Median time of requests each made after emptying every cache (pages and layouts)."""
    times = []
    for _ in range(requests):
        cache.clear()
        connection = http.client.HTTPConnection("127.0.0.1", page_benchmark.PORT, timeout=60)
        started = time.perf_counter()
        page_benchmark.fetch(connection, path)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=15, help="timed requests per page")
    parser.add_argument("--rebuild", action="store_true")
    options = parser.parse_args()
    hub = build(options.rebuild)
    pages = {
        "profile page (baseline)": hub.get_absolute_url(),
        "network page, depth 1": f"/network/?around=organisation:{HUB_SLUG}&depth=1",
        "network page, depth 2": f"/network/?around=organisation:{HUB_SLUG}&depth=2",
        "network page, depth 3": f"/network/?around=organisation:{HUB_SLUG}&depth=3",
    }
    server = page_benchmark.serve()
    try:
        report(hub, pages, options.requests)
    finally:
        server.terminate()
        server.wait()


def report(hub, pages, requests):
    neighbours = sum(NEIGHBOURS.values())
    print(
        f"{hub.name}, {neighbours} neighbours added; {models.Organisation.objects.count():,} "
        f"organisations. Median of {requests} uncached requests, under gunicorn (2 workers)"
    )
    timings = {label: cold_seconds(path, requests) for label, path in pages.items()}
    baseline = timings["profile page (baseline)"]
    for label, seconds in timings.items():
        verdict = (
            ""
            if label.startswith("profile")
            else ("  meets" if seconds < TARGET_SECONDS else "  misses")
        )
        print(f"  {label:<26} {seconds * 1000:8.1f} ms {seconds / baseline:6.2f}x{verdict}")
    print(f"  target: every network page under {TARGET_SECONDS * 1000:.0f} ms uncached")


if __name__ == "__main__":
    main()
