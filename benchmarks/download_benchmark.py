"""Download the contracts list as CSV at 100,000 and 1,000,000 rows; print rows/s, peak RSS,
and the peak RSS at 1,000,000 rows as a ratio to 100,000 (flat memory shows as a ratio near 1).

    .venv/bin/python benchmarks/download_benchmark.py
    .venv/bin/python benchmarks/download_benchmark.py --sizes 10000 100000   # quicker
    .venv/bin/python benchmarks/download_benchmark.py --database-from 100k/db.sqlite3

The data is benchmarks/generate.py's, as for the page benchmark (every contract has a buyer,
a supplier and a citation): up to 100,000 contracts are generated, and a larger size copies
them in SQL (with their parties and citations) until it is reached, since generating a
million at the generator's pace takes most of an hour. One database is grown size by size
(SQLite: benchmarks/out/downloads/; PostgreSQL: the DATABASE_URL database, which is flushed
and refilled). Each download runs in a process of its own, through the whole middleware
stack, so its peak RSS is its own. The baseline, in the same process, is a floor: the
contract table's rows read by a raw cursor and written by csv.writer. ``--database-from``
measures a prepared SQLite database instead (a copy of it, in benchmarks/out/downloads-copy/).
"""

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATED = 100_000  # contracts made by the generator; more are copies of these


def setup(size):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("VAR_DIR", str(ROOT / "benchmarks" / "out" / "downloads"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    import django

    django.setup()


def build(size, organisations):
    from django.core.management import call_command

    from benchmarks.generate import generate
    from investigations.models import Contract

    call_command("migrate", verbosity=0)
    have = Contract.objects.count()
    base = min(size, GENERATED)
    if have != size and (have != base or size % base):
        call_command("flush", interactive=False, verbosity=0)
        generate(organisations=organisations, contracts=base)
    for copy in range(Contract.objects.count() // base, size // base):
        copy_generated(base, copy)


def copy_generated(count, copy):
    """Copies of the first ``count`` contracts, with their parties and citations, in SQL."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from investigations.models import Citation, Contract, ContractParty

    fields = [f.column for f in Contract._meta.concrete_fields if not f.primary_key]
    copied = ", ".join(f"slug || '-copy-{copy}'" if c == "slug" else c for c in fields)
    contract, party, citation = (m._meta.db_table for m in (Contract, ContractParty, Citation))
    pairs = f"{contract} new JOIN {contract} old ON new.slug = old.slug || '-copy-{copy}'"
    cited = [f.column for f in Citation._meta.concrete_fields if not f.primary_key]
    cited_copy = ", ".join("new.id" if c == "object_id" else f"c.{c}" for c in cited)
    type_id = ContentType.objects.get_for_model(Contract).pk
    with transaction.atomic(), connection.cursor() as cursor:
        first = Contract.objects.order_by("pk").values_list("pk", flat=True)[count - 1]
        cursor.execute(
            f"INSERT INTO {contract} ({', '.join(fields)}) SELECT {copied} FROM {contract} "  # noqa: S608
            f"WHERE id <= %s",
            [first],
        )
        cursor.execute(
            f"INSERT INTO {party} (contract_id, organisation_id, role, note) "  # noqa: S608
            f"SELECT new.id, p.organisation_id, p.role, p.note FROM {pairs} "
            f"JOIN {party} p ON p.contract_id = old.id WHERE old.id <= %s",
            [first],
        )
        cursor.execute(
            f"INSERT INTO {citation} ({', '.join(cited)}) SELECT {cited_copy} FROM {pairs} "  # noqa: S608
            f"JOIN {citation} c ON c.object_id = old.id AND c.content_type_id = %s "
            f"WHERE old.id <= %s",
            [type_id, first],
        )
        cursor.execute("ANALYZE")


class NullFile:
    def write(self, text):
        return len(text)


def floor_rows_per_second():
    """Rows of the contract table, raw, into csv.writer: what no download can beat."""
    from django.db import connection

    from investigations.models import Contract

    writer = csv.writer(NullFile())
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Contract._meta.db_table}")  # noqa: S608 - a constant
        count = 0
        while rows := cursor.fetchmany(2000):
            writer.writerows(rows)
            count += len(rows)
    return count / (time.perf_counter() - started)


def measure():
    """One CSV download of the whole contracts list, read as a browser would, chunk by chunk."""
    from django.test import Client

    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    response = Client(HTTP_HOST="127.0.0.1").get("/contracts/", {"format": "csv"})
    assert response.status_code == 200, response.status_code
    lines = size_bytes = 0
    for block in response.streaming_content:
        lines += block.count(b"\n")
        size_bytes += len(block)
    seconds = time.perf_counter() - started
    figures = {
        "rows": lines - 1,  # the header
        "seconds": seconds,
        "bytes": size_bytes,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "before_mb": before_mb,
        "floor_rows_per_second": floor_rows_per_second(),
    }
    print(json.dumps(figures))


def in_own_process(*arguments):
    command = [sys.executable, __file__, *arguments]
    done = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def copied_and_measured(database):
    """One download of a copy of a prepared database's whole contracts list."""
    folder = ROOT / "benchmarks" / "out" / "downloads-copy"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{database}{suffix}").exists():
            shutil.copy(f"{database}{suffix}", folder / f"db.sqlite3{suffix}")
    os.environ["VAR_DIR"] = str(folder)
    try:
        return in_own_process("--measure", "1")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--database-from", type=Path, help="a prepared SQLite database to copy")
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.build:
        setup(options.build)
        return build(options.build, options.organisations)
    if options.measure:
        setup(options.measure)
        return measure()
    if options.database_from:
        return report({0: json.loads(copied_and_measured(options.database_from))})
    results = {}
    for size in options.sizes:
        started = time.perf_counter()
        in_own_process("--build", str(size), "--organisations", str(options.organisations))
        print(f"database of {size:,} contracts ready in {time.perf_counter() - started:.0f} s")
        results[size] = json.loads(in_own_process("--measure", str(size)))
    report(results)


def report(results):
    vendor = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    print(f"{vendor}: CSV download of the contracts list, the whole of it, one process each")
    print(
        f"  {'rows':>10} {'seconds':>8} {'rows/s':>8} {'floor rows/s':>13} {'ratio':>6}"
        f" {'MB':>7} {'peak RSS':>9} {'before':>7}"
    )
    for figures in results.values():
        rate = figures["rows"] / figures["seconds"]
        print(
            f"  {figures['rows']:>10,} {figures['seconds']:>8.1f} {rate:>8,.0f}"
            f" {figures['floor_rows_per_second']:>13,.0f} {rate / figures['floor_rows_per_second']:>6.2f}"
            f" {figures['bytes'] / 1e6:>7.0f} {figures['peak_mb']:>6.0f} MB {figures['before_mb']:>4.0f} MB"
        )
    smallest, largest = min(results), max(results)
    if smallest != largest:
        ratio = results[largest]["peak_mb"] / results[smallest]["peak_mb"]
        print(
            f"  peak RSS at {results[largest]['rows']:,} rows is {ratio:.2f}x that at "
            f"{results[smallest]['rows']:,} (1.00 is flat memory)"
        )


if __name__ == "__main__":
    main()
