"""Time many distinct public pages of every kind under gunicorn, uncached and cached, each
as a ratio to a trivial view measured interleaved with them; print a verdict per goal.

    .venv/bin/python benchmarks/page_benchmark.py --database-from million/db.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pages_bench \\
        .venv/bin/python benchmarks/page_benchmark.py --template million
    .venv/bin/python benchmarks/page_benchmark.py --contracts 100000    # generates its own data

Goals (issue #14): uncached p50 <= 30x and p99 <= 100x the trivial view for every kind of
page; cached p50 <= 2x; search p50 under 50 ms. Each page is requested once uncached (by a
server with PUBLIC_PAGE_CACHE_SECONDS=0), then once to fill the cache and once cached (by a
second server with the cache on). With 40 pages a kind, p99 is in effect the slowest. Before
the clock starts, each server renders one other page of every kind a few times a worker.

A prepared database is copied, never written: SQLite's with the backup API into VAR_DIR
(benchmarks/out/pages/), PostgreSQL's as CREATE DATABASE <DATABASE_URL's name> TEMPLATE ...
Without one, the database is built once with benchmarks.generate and reused.
"""

import argparse
import http.client
import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("VAR_DIR", str(ROOT / "benchmarks" / "out" / "pages"))
os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
# Every API page is asked for three times (uncached, to fill the cache, cached) in a few
# minutes: more than the production limit allows one reader.
os.environ.setdefault("API_RATE_LIMIT", "1000000/minute")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from investigations import models  # noqa: E402
from investigations.views.lists import COUNT_LIMIT  # noqa: E402

TRIVIAL = "/bench/ok/"
UNCACHED_P50, UNCACHED_P99, CACHED_P50, SEARCH_P50_MS = 30, 100, 2, 50
DOWNLOAD_ROWS = 10_000
WORKERS = 2


# The database ------------------------------------------------------------------------


def prepare(options):
    """Copy or build the database, then migrate it (a copy may predate new migrations)."""
    if connection.vendor == "sqlite" and options.database_from:
        copy_sqlite(Path(options.database_from), Path(settings.DATABASES["default"]["NAME"]))
    elif connection.vendor == "postgresql" and options.template:
        copy_postgresql(options.template)
    call_command("migrate", verbosity=0)
    if not (options.database_from or options.template):
        build(options.organisations, options.contracts, options.rebuild)
    # Statistics and (on PostgreSQL) the visibility map, as autovacuum keeps them in
    # production: without it an index-only scan reads every row it skips from the heap.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def copy_sqlite(source, target):
    if not source.exists():
        raise SystemExit(f"{source} does not exist")
    for stale in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    # Read-only: the prepared database is never written, not even its WAL.
    original = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    with original, sqlite3.connect(target) as copy:
        original.backup(copy)
    print(f"copied {source} in {time.perf_counter() - started:.0f} s")


def copy_postgresql(template):
    name = settings.DATABASES["default"]["NAME"]
    if name == template:
        raise SystemExit("DATABASE_URL must name a database of its own, not the template")
    connection.close()
    started = time.perf_counter()
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    print(f"created {name} from {template} in {time.perf_counter() - started:.0f} s")


def build(organisations, contracts, rebuild):
    from benchmarks.generate import generate

    if rebuild or models.Contract.objects.count() < contracts:
        call_command("flush", interactive=False, verbosity=0)
        call_command("load_demo_data", verbosity=0)
        generate(organisations=organisations, contracts=contracts)


# The pages ---------------------------------------------------------------------------


def sample(queryset, count, rng):
    """``count`` distinct published records, at random, without ORDER BY RANDOM() over all."""
    ids = list(queryset.values_list("pk", flat=True))
    chosen = rng.sample(ids, min(count, len(ids)))
    return list(queryset.model.objects.filter(pk__in=chosen))


def detail_pages(count, rng):
    """Records of each kind at random; for profiles, a quarter of them the organisations
    with the most contracts, whose pages are the heaviest."""
    pages = {}
    for name, model in (
        ("contract", models.Contract),
        ("concern", models.Concern),
        ("source", models.Source),
        ("person", models.Person),
        ("site", models.Site),
        ("framework", models.Framework),
    ):
        records = sample(model.objects.published(), count, rng)
        pages[f"{name} page"] = [record.get_absolute_url() for record in records]
    biggest = (
        models.ContractParty.objects.values("organisation")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("organisation", flat=True)[: count // 4]
    )
    heavy = list(models.Organisation.objects.published().filter(pk__in=list(biggest)))
    others = sample(models.Organisation.objects.published(), count - len(heavy), rng)
    pages["profile page"] = [org.get_absolute_url() for org in heavy + others]
    return pages


def list_variants(model):
    """A list's filters: a few combinations of its facets and its other parameters."""
    supplier = (
        models.ContractParty.objects.filter(role="lead_supplier")
        .values_list("organisation__slug", flat=True)
        .first()
    )
    variants = {
        models.Organisation: ["kind=company", "kind=nhs_trust&sort=-updated", "name=health"],
        models.Contract: [
            "service_category=mri",
            "service_category=cdc&awarded_from=2018&sort=-value",
            "awarded_from=2015&awarded_to=2019&value_min=1000000",
            f"supplier={supplier}",
            "title=imaging&sort=title",
        ],
        models.Concern: ["kind=enforcement", "year=2020", "sort=-penalty"],
        models.Source: ["kind=news_article", "title=report", "sort=-date"],
        models.Person: ["name=john", "sort=-name"],
        models.Site: ["kind=cdc", "place=london", "sort=opened"],
        models.Framework: ["service_category=imaging", "name=framework", "sort=-value"],
    }
    return variants[model]


def list_pages(count, rng):
    """Each list unfiltered and filtered, on page 1 and on a page in its second half."""
    pages = {}
    lists = {
        "organisation": models.Organisation,
        "contract": models.Contract,
        "concern": models.Concern,
        "person": models.Person,
        "source": models.Source,
        "site": models.Site,
        "framework": models.Framework,
    }
    for name, model in lists.items():
        base = f"/{model._meta.verbose_name_plural.replace(' ', '-')}/"
        base = {"person": "/people/"}.get(name, base)
        last_page = max(1, model.objects.published().count() // 25)
        variants = list_variants(model)
        pages[f"{name} list p1"] = [base] * count
        pages[f"{name} list deep"] = [
            f"{base}?page={rng.randrange(last_page // 2, last_page + 1)}" for _ in range(count)
        ]
        pages[f"{name} list filtered p1"] = [
            f"{base}?{variants[index % len(variants)]}" for index in range(count)
        ]
        pages[f"{name} list filtered deep"] = [
            f"{base}?{variants[index % len(variants)]}&page={rng.randrange(2, 400)}"
            for index in range(count)
        ]
    return pages


def search_pages(count, rng):
    """Words and pairs of words from real organisations' names and contracts' titles."""
    names = [org.name for org in sample(models.Organisation.objects.published(), count, rng)]
    titles = [c.title for c in sample(models.Contract.objects.published(), count, rng)]
    queries = []
    for text in names + titles:
        words = [word for word in text.split() if word.isalpha() and len(word) > 2]
        if words:
            start = rng.randrange(len(words))
            queries.append(" ".join(words[start : start + rng.choice((1, 2))]))
    return [f"/search/?q={query.replace(' ', '+')}" for query in queries[:count]]


def network_pages(count, rng):
    orgs = sample(models.Organisation.objects.published(), count, rng)
    return [f"/network/?around=organisation:{org.slug}&depth={rng.choice((1, 2))}" for org in orgs]


def api_pages(count, rng):
    # A list pages through its first COUNT_LIMIT rows, the API's as the pages'.
    deepest = min(models.Contract.objects.published().count(), COUNT_LIMIT)
    filters = ["", "service_category=mri&", "awarded_from=2016&", "sort=-value&"]
    return [
        f"/api/contracts/?{filters[index % len(filters)]}offset={rng.randrange(0, deepest)}"
        for index in range(count)
    ]


def download_pages(count, rng):
    """Contracts in a band of values holding about DOWNLOAD_ROWS of them, as CSV."""
    values = models.Contract.objects.published().order_by("value", "pk")
    total = values.count()
    pages = []
    for _ in range(count):
        start = rng.randrange(0, max(1, total - DOWNLOAD_ROWS))
        low = values.values_list("value", flat=True)[start]
        high = values.values_list("value", flat=True)[min(total - 1, start + DOWNLOAD_ROWS)]
        pages.append(f"/contracts/?format=csv&value_min={low}&value_max={high}")
    return pages


def all_pages(count, downloads, seed):
    rng = random.Random(seed)
    pages = {"trivial view": [TRIVIAL] * count}
    pages.update(detail_pages(count, rng))
    pages.update(list_pages(count, rng))
    pages["search"] = search_pages(count, rng)
    pages["network page"] = network_pages(count, rng)
    pages["API list page"] = api_pages(count, rng)
    pages[f"{DOWNLOAD_ROWS:,}-row download"] = download_pages(downloads, rng)
    return {kind: paths for kind, paths in pages.items() if paths}


# The servers and the clock -----------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(cache_seconds):
    """A gunicorn of our own on a free port, with the page cache on or off."""
    port = free_port()
    env = dict(os.environ, PUBLIC_PAGE_CACHE_SECONDS=str(cache_seconds))
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [
        str(gunicorn),
        "benchmarks.wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={WORKERS}",
        "--timeout=300",
        "--log-level=warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    for _ in range(300):
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped")
        try:
            fetch(http.client.HTTPConnection("127.0.0.1", port, timeout=5), TRIVIAL)
            return server, port
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def fetch(conn, path):
    conn.request("GET", path, headers={"Host": "127.0.0.1"})
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise SystemExit(f"{path} answered {response.status}: {body[:300]!r}")
    return body


def timed(conn, path):
    started = time.perf_counter()
    fetch(conn, path)
    return time.perf_counter() - started


def shuffled_requests(pages, seed):
    """Every page once, in an order that mixes the kinds and the trivial view, so that the
    noise of a shared machine falls on the baseline and the pages alike."""
    requests = [(kind, path) for kind, paths in pages.items() for path in paths]
    random.Random(seed).shuffle(requests)
    return requests


def run(port, requests, warm, first_renders):
    """Each page of ``requests`` timed once; with ``warm``, after a request that fills the
    cache. ``first_renders`` are pages of every kind outside ``requests``, asked for a few
    times a worker first, so that no timed page pays for a worker's first render of its
    kind (compiling its templates, importing its code): a server does that once, not per
    page."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    for _ in range(20):
        fetch(conn, TRIVIAL)
    for path in first_renders:
        for _ in range(3 * WORKERS):
            fetch(conn, path)
    if warm:
        for _, path in requests:
            fetch(conn, path)
    timings = {}
    for kind, path in requests:
        timings.setdefault(kind, []).append(timed(conn, path))
    return timings


def percentile(times, fraction):
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# The report --------------------------------------------------------------------------


def report(pages, uncached, cached):
    base_cold = statistics.median(uncached["trivial view"])
    base_warm = statistics.median(cached["trivial view"])
    print(
        f"trivial view: {base_cold * 1000:.2f} ms (uncached server), "
        f"{base_warm * 1000:.2f} ms (cached server)"
    )
    header = (
        f"{'page kind':<28} {'n':>3} {'p50 uncached':>16} {'p99 uncached':>17} "
        f"{'p50 cached':>15}  verdict"
    )
    print(header)
    misses = []
    for kind in pages:
        if kind == "trivial view":
            continue
        p50 = statistics.median(uncached[kind])
        p99 = percentile(uncached[kind], 0.99)
        warm = statistics.median(cached[kind])
        verdict = verdicts(kind, p50 / base_cold, p99 / base_cold, warm / base_warm, p50)
        if verdict != "ok":
            misses.append(kind)
        print(
            f"{kind:<28} {len(uncached[kind]):>3} "
            f"{p50 * 1000:7.1f} ms {p50 / base_cold:5.0f}x "
            f"{p99 * 1000:8.1f} ms {p99 / base_cold:5.0f}x "
            f"{warm * 1000:6.1f} ms {warm / base_warm:5.1f}x  {verdict}"
        )
    print(
        f"goals (uncached p50 <= {UNCACHED_P50}x, p99 <= {UNCACHED_P99}x, cached <= "
        f"{CACHED_P50}x, search p50 < {SEARCH_P50_MS} ms): "
        + ("all met" if not misses else f"missed by {len(misses)} kinds: {', '.join(misses)}")
    )


def verdicts(kind, p50_ratio, p99_ratio, cached_ratio, p50):
    missed = []
    if p50_ratio > UNCACHED_P50:
        missed.append("p50")
    if p99_ratio > UNCACHED_P99:
        missed.append("p99")
    if cached_ratio > CACHED_P50:
        missed.append("cached")
    if kind == "search" and p50 * 1000 >= SEARCH_P50_MS:
        missed.append("50 ms")
    return "misses " + ", ".join(missed) if missed else "ok"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-from", help="a prepared SQLite database to copy")
    parser.add_argument("--template", help="a prepared PostgreSQL database to copy")
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--contracts", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true", help="generate the data again")
    parser.add_argument("--pages", type=int, default=40, help="distinct pages of each kind")
    parser.add_argument("--downloads", type=int, default=10, help="downloads timed")
    parser.add_argument("--only", help="time only the kinds whose name contains this")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    prepare(options)
    pages = all_pages(options.pages, options.downloads, options.seed)
    first_renders = [paths[0] for paths in all_pages(1, 0, options.seed + 1).values()]
    if options.only:
        pages = {k: v for k, v in pages.items() if k == "trivial view" or options.only in k}
    published = models.Contract.objects.published().count()
    connection.close()
    collect = [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity=0"]
    subprocess.run(collect, cwd=ROOT, check=True)
    shutil.rmtree(Path(settings.VAR_DIR) / "cache", ignore_errors=True)
    requests = shuffled_requests(pages, options.seed)
    timings = {}
    for mode, cache_seconds in (("uncached", 0), ("cached", 600)):
        server, port = serve(cache_seconds)
        try:
            timings[mode] = run(port, requests, cache_seconds > 0, first_renders)
        finally:
            server.terminate()
            server.wait()
    print(
        f"{connection.vendor}: {published:,} published contracts; {len(requests)} requests, "
        f"each page once, one client, gunicorn with {WORKERS} workers; load {os.getloadavg()}"
    )
    report(pages, timings["uncached"], timings["cached"])


if __name__ == "__main__":
    main()
