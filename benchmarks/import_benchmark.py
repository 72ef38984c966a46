"""Import N contract rows (two parties and a citation each) three ways and print rows/s,
CPU seconds and peak RSS, as ratios:

- engine:  this project's import (investigations.importers.service.run_import);
- per-row: django-import-export's default ModelResource import of the same contracts and
  their parties, row by row (citations left out: its default cannot write a generic
  relation, which only flatters it). Measured on --per-row-sample rows and reported as a
  rate, because at 100,000 rows it would run for the better part of an hour;
- floor:   the rows the engine writes, by raw executemany (SQLite) or COPY (PostgreSQL):
  records, child rows, citations, a history row for each, the batch and its items. The
  run prints the rows each wrote, table by table, and fails unless the floor wrote the
  same rows as the engine with the same columns filled.

    .venv/bin/python benchmarks/import_benchmark.py --rows 100000 --per-row-sample 1000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/import_bench \\
        .venv/bin/python benchmarks/import_benchmark.py --rows 100000 --per-row-sample 1000

Each approach runs in its own process on a fresh database, so RSS figures are its own.
"""

import argparse
import csv
import hashlib
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORGS, ROWS_PER_SOURCE = 500, 100


def rows(n):
    """The benchmark's contract rows: buyer and supplier from a pool of organisations."""
    for i in range(n):
        yield {
            "title": f"Diagnostic imaging contract {i}",
            "reference": f"BENCH-{i:07d}",
            "value": f"£{1 + i % 900}.5m",
            "awarded": f"{1 + i % 28}/{1 + i % 12}/20{10 + i % 15}",
            "buyer": f"NHS Trust {i % ORGS}",
            "lead_supplier": f"Imaging Supplier {i % ORGS} Ltd",
            "source": f"Award notice {i // ROWS_PER_SOURCE}",
            "quote": f"Contract {i} was awarded.",
        }


def csv_bytes(n):
    """The file as uploaded bytes, built without a StringIO (4 bytes a character) so that
    the engine's peak RSS is not the benchmark's own."""
    out = io.BytesIO()
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    writer = csv.DictWriter(text, fieldnames=list(next(rows(1))))
    writer.writeheader()
    writer.writerows(rows(n))
    text.flush()
    return out.getvalue()


def setup_django(var_dir):
    sys.path.insert(0, str(ROOT))
    os.environ["VAR_DIR"] = var_dir
    _fresh_postgres_database(os.environ.get("DATABASE_URL", ""))
    os.environ["DJANGO_SETTINGS_MODULE"] = "investigations.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    _seed()


def _fresh_postgres_database(url):
    """On PostgreSQL, drop and recreate the database DATABASE_URL names (SQLite gets a new
    file in a temporary directory): every run starts from the same empty schema."""
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    params = {"host": config["HOST"], "port": config["PORT"] or 5432, "user": config["USER"]}
    if config["PASSWORD"]:
        params["password"] = config["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{config["NAME"]}"')


def _seed():
    from investigations.importers.write import assign_slugs
    from investigations.models import Organisation, Source, normalise_name

    orgs = [Organisation(name=f"NHS Trust {i}", kind="nhs_trust") for i in range(ORGS)]
    orgs += [Organisation(name=f"Imaging Supplier {i} Ltd") for i in range(ORGS)]
    for org in orgs:
        org.normalised_name = normalise_name(org.name)
    assign_slugs(Organisation, orgs)
    Organisation.objects.bulk_create(orgs)
    sources = [Source(title=f"Award notice {i}") for i in range(1_000_000 // ROWS_PER_SOURCE)]
    assign_slugs(Source, sources)
    Source.objects.bulk_create(sources)


def run_engine(n):
    from investigations.importers.service import run_import

    data = csv_bytes(n)
    other_writer = OtherWriter()
    other_writer.start()
    with Stopwatch() as watch:
        result = run_import(data, "bench.csv", kind="contracts")
    other_writer.stop()
    assert result.written and result.batch.rows_created == n, result.errors[:3]
    return watch, {
        "other_writes": len(other_writer.waits),
        "longest_wait": max(other_writer.waits),
    }


class Stopwatch:
    """Wall-clock and CPU seconds of a block. On SQLite the database's work is the
    process's own, so its CPU seconds hold steadier than wall time on a busy machine."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


class OtherWriter(threading.Thread):
    """An editor saving a record every 0.2 s while the import runs: how long each waits."""

    def __init__(self):
        super().__init__(daemon=True)
        self.waits, self.stopping = [], threading.Event()

    def run(self):
        from django.db import connection, transaction

        from investigations.models import Source

        while not self.stopping.wait(0.2):
            started = time.perf_counter()
            with transaction.atomic():
                Source.objects.filter(pk=1).update(notes=f"edited at {started}")
            self.waits.append(time.perf_counter() - started)
        connection.close()

    def stop(self):
        self.stopping.set()
        self.join()


def run_per_row(n):
    import tablib
    from import_export import fields, resources, widgets

    from investigations.models import Contract, ContractParty, Organisation

    class ContractResource(resources.ModelResource):
        class Meta:
            model = Contract
            fields = ("title", "reference", "value", "awarded")
            import_id_fields = ("reference",)

    class PartyResource(resources.ModelResource):
        contract = fields.Field(
            "contract", "contract", widgets.ForeignKeyWidget(Contract, "reference")
        )
        organisation = fields.Field(
            "organisation", "organisation", widgets.ForeignKeyWidget(Organisation, "name")
        )

        class Meta:
            model = ContractParty
            fields = ("contract", "organisation", "role")
            import_id_fields = ("contract", "organisation", "role")

    data = list(rows(n))
    contracts = tablib.Dataset(headers=["title", "reference", "value", "awarded"])
    parties = tablib.Dataset(headers=["contract", "organisation", "role"])
    for i, row in enumerate(data):
        contracts.append([row["title"], row["reference"], 1_000_000 + i, f"20{10 + i % 15}"])
        parties.append([row["reference"], row["buyer"], "buyer"])
        parties.append([row["reference"], row["lead_supplier"], "lead_supplier"])
    with Stopwatch() as watch:
        for resource_class, dataset in ((ContractResource, contracts), (PartyResource, parties)):
            result = resource_class().import_data(dataset, raise_errors=True)
            assert not result.has_errors()
    return watch


def run_floor(n):
    """The rows the engine writes, written with no ORM at all: the database's own speed.

    Contracts, their parties and citations, a history row for each carrying the batch, the
    ImportBatch and one ImportBatchItem per record, with the values the engine parses from
    the file (``floor_values``) and every column it fills.
    """
    from django.db import connection, transaction
    from django.utils import timezone

    from investigations import models as m

    data, table = csv_bytes(n), list(rows(n))
    with Stopwatch() as watch:
        org_ids = dict(m.Organisation.objects.values_list("name", "pk"))
        source_ids = dict(m.Source.objects.values_list("title", "pk"))
        contract_type, party_type, citation_type = (
            _content_type(model) for model in (m.Contract, m.ContractParty, m.Citation)
        )
        now = timezone.now()
        with transaction.atomic(), connection.cursor() as cursor:
            batch_id = _insert(cursor, m.ImportBatch, *_floor_batch(n, data, now), now)[0]
            history = (now, f"Import batch #{batch_id}", "+", batch_id)
            contracts = [floor_values(i, row) for i, row in enumerate(table)]
            contract_ids = _insert_with_history(
                cursor, m.Contract, CONTRACT_COLUMNS, contracts, history
            )
            parties = [
                (pk, org_ids[row[role]], role)
                for pk, row in zip(contract_ids, table, strict=True)
                for role in ("buyer", "lead_supplier")
            ]
            party_ids = _insert_with_history(
                cursor, m.ContractParty, PARTY_COLUMNS, parties, history
            )
            citations = [
                (contract_type, pk, source_ids[row["source"]], row["quote"])
                for pk, row in zip(contract_ids, table, strict=True)
            ]
            citation_ids = _insert_with_history(
                cursor, m.Citation, CITATION_COLUMNS, citations, history
            )
            row_numbers = range(2, n + 2)  # the header is row 1
            items = [
                *_items(batch_id, contract_type, contract_ids, row_numbers),
                *_items(batch_id, party_type, party_ids, (r for r in row_numbers for _ in "bl")),
                *_items(batch_id, citation_type, citation_ids, row_numbers),
            ]
            _insert(cursor, m.ImportBatchItem, ITEM_COLUMNS, items, now)
    return watch


CONTRACT_COLUMNS = ("title", "slug", "reference", "value", "currency", "awarded")
PARTY_COLUMNS = ("contract_id", "organisation_id", "role")
CITATION_COLUMNS = ("content_type_id", "object_id", "source_id", "quote")
ITEM_COLUMNS = ("batch_id", "content_type_id", "object_id", "action", "row_number")
HISTORY_COLUMNS = ("history_date", "history_change_reason", "history_type", "import_batch_id")


def floor_values(i, row):
    """A contract row as the engine reads it: "£12.5m" is 12,500,000.00 GBP, "3/4/2012" is
    2012-04-03; the floor knows them from the row's number rather than parsing them."""
    value = Decimal((1 + i % 900) * 1_000_000 + 500_000).quantize(Decimal("0.01"))
    awarded = f"20{10 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}"
    slug = f"diagnostic-imaging-contract-{i}"
    return (row["title"], slug, row["reference"], value, "GBP", awarded)


def _floor_batch(n, data, now):
    """The committed ImportBatch row, its counts and summary as the engine records them."""
    summary = {"bench": {"kind": "contracts", "created": n, "updated": 0, "skipped": 0}}
    values = {
        "file_name": "bench.csv",
        "file_sha256": hashlib.sha256(data).hexdigest(),
        "kind": "contracts",
        "state": "committed",
        "match_by_name": True,
        "rows_total": n,
        "rows_created": n,
        "rows_done": n,
        "summary": json.dumps(summary),
        "errors": "[]",
        "mapping": "{}",
        "name_decisions": "{}",
        "finished_at": now,
    }
    return tuple(values), [tuple(values.values())]


def _insert_with_history(cursor, model, columns, values, history):
    """The records, then one history row each (its id and values, then when, why, what,
    which batch); returns the records' ids."""
    first, columns, values = _insert(cursor, model, columns, values, history[0])
    ids = range(first, first + len(values))
    history_rows = [(pk, *row, *history) for pk, row in zip(ids, values, strict=True)]
    _insert(cursor, model.history.model, ("id", *columns, *HISTORY_COLUMNS), history_rows, None)
    return ids


def _items(batch_id, content_type_id, ids, row_numbers):
    for pk, number in zip(ids, row_numbers, strict=True):
        yield batch_id, content_type_id, pk, "created", number


def _content_type(model):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk


def _insert(cursor, model, columns, values, now):
    """executemany on SQLite, COPY on PostgreSQL, filling every other column the schema
    requires as the engine does. Returns the first new id and the columns and rows written."""
    from django.db import connection

    extra = _required_defaults(model, columns, now)
    columns = (*columns, *extra)
    values = [(*row, *extra.values()) for row in values]
    table = model._meta.db_table
    names = ", ".join(f'"{c}"' for c in columns)  # "end" and "start" are reserved words
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)
    pk = model._meta.pk.column
    cursor.execute(f'SELECT max("{pk}") - %s + 1 FROM {table}', [len(values)])
    return cursor.fetchone()[0], columns, values


def _required_defaults(model, given, now):
    """The values of the columns not given that may not be null: ``now`` for an auto_now
    one, else the default."""
    from django.db import connection
    from django.db.models import NOT_PROVIDED

    extra = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.column in given or field.null:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            extra[field.column] = now
        elif field.default is not NOT_PROVIDED:
            extra[field.column] = field.get_db_prep_save(field.get_default(), connection)
        else:
            extra[field.column] = ""
    return extra


APPROACHES = {"engine": run_engine, "per-row": run_per_row, "floor": run_floor}


def child(approach, n):
    with tempfile.TemporaryDirectory() as var_dir:
        setup_django(var_dir)
        before = _row_counts()
        outcome = APPROACHES[approach](n)
        from django.db import connection

        vendor = connection.vendor
        written = _written(before)
    watch, extra = outcome if isinstance(outcome, tuple) else (outcome, {})
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {"rows": n, "seconds": watch.wall, "cpu_seconds": watch.cpu, "peak_mb": peak_mb}
    figures.update(vendor=vendor, **extra)
    print(json.dumps({**figures, "written": written}))


def _row_counts():
    from django.db import connection

    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
        return counts


def _written(before):
    """{table: {"rows": rows added, column: rows with a value}} of each table the run
    added rows to: what lets the floor be checked against the engine."""
    from django.db import connection

    written = {}
    with connection.cursor() as cursor:
        for table, count in _row_counts().items():
            # The page cache's tag versions are the site's bookkeeping, not the import's
            # data: a floor that wrote them would still be the database's own speed.
            if count == before.get(table) or table == "investigations_pagecachetag":
                continue
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            filled = ", ".join(
                f'SUM(CASE WHEN "{c}" IS NULL OR CAST("{c}" AS TEXT) = \'\' THEN 0 ELSE 1 END)'
                for c in columns
            )
            cursor.execute(f'SELECT {filled} FROM "{table}"')
            written[table] = {"rows": count - before.get(table, 0)}
            written[table].update(zip(columns, cursor.fetchone(), strict=True))
    return written


def measure(approach, n):
    command = [sys.executable, __file__, "--child", approach, "--rows", str(n)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--per-row-sample", type=int, default=5_000)
    parser.add_argument("--child", choices=APPROACHES)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.rows)
    results = {
        "engine": measure("engine", args.rows),
        "per-row": measure("per-row", min(args.rows, args.per_row_sample)),
        "floor": measure("floor", args.rows),
    }
    rate = {k: r["rows"] / r["seconds"] for k, r in results.items()}
    print(
        f"{results['engine']['vendor']}: {args.rows:,} contract rows, two parties and a "
        "citation each"
    )
    for name, r in results.items():
        print(
            f"  {name:8} {r['rows']:>8,} rows  {r['seconds']:8.2f} s  {rate[name]:>10,.0f} rows/s"
            f"  CPU {r['cpu_seconds']:7.2f} s  peak RSS {r['peak_mb']:6.0f} MB"
        )
    print(f"  engine is {rate['engine'] / rate['per-row']:.1f}× the per-row default")
    print(f"  engine is {rate['floor'] / rate['engine']:.1f}× slower than the floor")
    engine, floor = results["engine"], results["floor"]
    if engine["vendor"] == "sqlite":
        cpu = (engine["cpu_seconds"] / engine["rows"]) / (floor["cpu_seconds"] / floor["rows"])
        print(f"  engine is {cpu:.1f}× the floor's CPU time (SQLite runs in the process)")
    print(
        f"  another writer saving a record every 0.2 s during the engine's import: "
        f"{engine['other_writes']} saves, the longest waited {engine['longest_wait']:.2f} s"
    )
    return compare_written(engine["written"], floor["written"])


def compare_written(engine, floor):
    """Print the rows each wrote, table by table; 1 (a failed run) unless the floor wrote
    the same rows as the engine with the same columns filled."""
    print(f"  {'rows written':40} {'engine':>9} {'floor':>9}")
    for table in sorted(engine.keys() | floor.keys()):
        counts = [written.get(table, {}).get("rows", 0) for written in (engine, floor)]
        print(f"  {table:40} {counts[0]:>9,} {counts[1]:>9,}")
    differences = [
        f"{table}.{column}: engine {engine.get(table, {}).get(column)}, "
        f"floor {floor.get(table, {}).get(column)}"
        for table in sorted(engine.keys() | floor.keys())
        for column in sorted(engine.get(table, {}).keys() | floor.get(table, {}).keys())
        if engine.get(table, {}).get(column) != floor.get(table, {}).get(column)
    ]
    if differences:
        print("  the floor did not write what the engine wrote (rows, or columns filled):")
        print("\n".join(f"    {line}" for line in differences))
        return 1
    print("  the floor wrote the same rows as the engine, with the same columns filled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
