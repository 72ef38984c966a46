"""The page cache's hit rate over a simulated hour: 20 reads a second over a Zipf-distributed
set of public pages, and an editor saving a random published record once a minute.

    .venv/bin/python benchmarks/cache_hit_benchmark.py              # SQLite, generated data
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cache_bench .venv/bin/python benchmarks/cache_hit_benchmark.py
    .venv/bin/python benchmarks/cache_hit_benchmark.py --database-from million/db.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cache_bench \\
        .venv/bin/python benchmarks/cache_hit_benchmark.py --template million

Time is simulated (the cache's clock is the trace's, so entries expire as they would in an
hour); requests are real, through the middleware, with Django's test client. It prints the
hit rate measured with per-record tags ("after"), the hit rate the old rule (every edit
empties the cache) gives on the same trace ("before"), and a cached page's median time as
a ratio to a trivial view, both requested through the same client in turn.
"""

import argparse
import os
import random
import statistics
import sys
import time
import types
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("VAR_DIR", str(ROOT / "benchmarks" / "out" / "cache_hits"))
os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.cache.backends import base, filebased  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from benchmarks.generate import generate  # noqa: E402
from benchmarks.page_benchmark import copy_postgresql, copy_sqlite  # noqa: E402
from investigations import caching  # noqa: E402
from investigations.generation.names import INVESTOR_WORDS, TRADES  # noqa: E402
from investigations.models import Contract, Organisation, PageCacheTag  # noqa: E402

READS_PER_SECOND = 20
SECONDS_PER_EDIT = 60
ZIPF_S = 1.1


class SimulatedClock:
    """The clock the cache reads expiry times from: the trace's, not the wall's."""

    def __init__(self):
        self.now = time.time()

    def time(self):
        return self.now


def build(options):
    """Copy a prepared database (never written), or generate one once and reuse it."""
    if django.db.connection.vendor == "sqlite" and options.database_from:
        copy_sqlite(Path(options.database_from), Path(settings.DATABASES["default"]["NAME"]))
    elif django.db.connection.vendor == "postgresql" and options.template:
        copy_postgresql(options.template)
    call_command("migrate", verbosity=0)
    prepared = options.database_from or options.template
    if not prepared and (options.rebuild or Contract.objects.count() < options.contracts):
        call_command("flush", interactive=False, verbosity=0)
        generate(organisations=options.organisations, contracts=options.contracts)
    call_command("collectstatic", "--no-input", verbosity=0)
    cache.clear()


def public_pages(profiles, contracts, list_pages):
    orgs = Organisation.objects.published().order_by("pk")[:profiles]
    deals = Contract.objects.published().order_by("pk")[:contracts]
    pages = [org.get_absolute_url() for org in orgs] + [c.get_absolute_url() for c in deals]
    pages += [f"/organisations/?page={n}" for n in range(1, list_pages + 1)]
    pages += [f"/contracts/?page={n}" for n in range(1, list_pages + 1)]
    words = sorted({word.lower() for name in TRADES + INVESTOR_WORDS for word in name.split()})
    pages += [f"/search/?q={word}" for word in words] + ["/"]
    return pages


def trace(pages, reads, rng):
    """The pages read, in order: popularity by Zipf's law over a shuffled ranking."""
    ranked = rng.sample(pages, len(pages))
    weights = [1 / rank**ZIPF_S for rank in range(1, len(ranked) + 1)]
    return rng.choices(ranked, weights=weights, k=reads)


def edit(rng, number):
    """An editor's save of a random published record, as the admin makes it."""
    model = rng.choice([Organisation, Contract])
    pks = list(model.objects.published().values_list("pk", flat=True)[:5000])
    record = model.objects.get(pk=rng.choice(pks))
    field = "summary" if model is Organisation else "description"
    setattr(record, field, f"Edited in the simulated hour, change {number}.")
    record.save()


def old_rule_hits(reads, reads_per_edit, ttl_reads):
    """Hits on the same trace if every edit emptied the cache (the rule before tags)."""
    stored, hits = {}, 0
    for index, path in enumerate(reads):
        if index and index % reads_per_edit == 0:
            stored.clear()
        if path in stored and index - stored[path] < ttl_reads:
            hits += 1
        else:
            stored[path] = index
    return hits


def run_hour(client, reads, clock, reads_per_edit, rng):
    """Returns the number of reads served from the cache: those the middleware did not render."""
    render, misses = caching.PublicPageCacheMiddleware._render, []

    def counted_render(middleware, *args):
        misses.append(1)
        return render(middleware, *args)

    caching.PublicPageCacheMiddleware._render = counted_render
    try:
        for index, path in enumerate(reads):
            clock.now += 1 / READS_PER_SECOND
            if index and index % reads_per_edit == 0:
                edit(rng, index // reads_per_edit)
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")
    finally:
        caching.PublicPageCacheMiddleware._render = render
    return len(reads) - len(misses)


def hit_ratio(client, paths, rounds):
    """Median time of a cached page and of the trivial view, requested in turn."""
    for path in paths:
        client.get(path)
    cached, trivial = [], []
    for _ in range(rounds):
        for path in paths:
            started = time.perf_counter()
            client.get("/bench/ok/")
            trivial.append(time.perf_counter() - started)
            started = time.perf_counter()
            client.get(path)
            cached.append(time.perf_counter() - started)
    return statistics.median(cached), statistics.median(trivial)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=1_000)
    parser.add_argument("--contracts", type=int, default=5_000)
    parser.add_argument("--reads", type=int, default=READS_PER_SECOND * 3600)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--database-from", help="a prepared SQLite database to copy")
    parser.add_argument("--template", help="a prepared PostgreSQL database to copy")
    options = parser.parse_args()
    build(options)
    tags_before = PageCacheTag.objects.count()
    rng = random.Random(14)
    pages = public_pages(profiles=1500, contracts=1500, list_pages=100)
    reads = trace(pages, options.reads, rng)
    reads_per_edit = READS_PER_SECOND * SECONDS_PER_EDIT
    ttl_reads = settings.PUBLIC_PAGE_CACHE_SECONDS * READS_PER_SECOND
    clock = SimulatedClock()
    base.time = filebased.time = types.SimpleNamespace(time=clock.time)
    client = Client(HTTP_HOST="127.0.0.1")
    started = time.perf_counter()
    hits = run_hour(client, reads, clock, reads_per_edit, rng)
    took = time.perf_counter() - started
    before = old_rule_hits(reads, reads_per_edit, ttl_reads)
    hot = [path for path, _ in Counter(reads).most_common(20)]
    cached, trivial = hit_ratio(client, hot, rounds=50)
    edits = (len(reads) - 1) // reads_per_edit
    print(
        f"{django.db.connection.vendor}: {len(reads):,} reads of {len(set(reads)):,} distinct "
        f"pages (of {len(pages):,}, Zipf s={ZIPF_S}), {edits} edits, "
        f"cache entries kept {settings.PUBLIC_PAGE_CACHE_SECONDS} s; run took {took:.0f} s"
    )
    print(f"  hit rate after (per-record tags, measured): {hits / len(reads):6.1%}")
    print(
        f"  page cache tag rows: {tags_before:,} before the hour, {PageCacheTag.objects.count():,} after"
    )
    print(
        f"  hit rate before (every edit empties the cache, same trace): {before / len(reads):6.1%}"
    )
    print(
        f"  cached page {cached * 1000:.2f} ms, trivial view {trivial * 1000:.2f} ms: "
        f"{cached / trivial:.2f}x (target <= 2x)"
    )


if __name__ == "__main__":
    main()
