"""Import N contract rows (two parties and a citation each) three ways and print rows/s and
peak RSS, as ratios:

- engine:  this project's import (investigations.importers.service.run_import);
- per-row: django-import-export's default ModelResource import of the same contracts and
  their parties, row by row (citations left out: its default cannot write a generic
  relation, which only flatters it). Measured on --per-row-sample rows and reported as a
  rate, because at 100,000 rows it would run for the better part of an hour;
- floor:   raw executemany of the same rows (SQLite), or COPY (PostgreSQL).

    .venv/bin/python benchmarks/import_benchmark.py --rows 10000
    .venv/bin/python benchmarks/import_benchmark.py --rows 100000

Each approach runs in its own process on a fresh database, so RSS figures are its own.
"""

import argparse
import csv
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
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
    started = time.perf_counter()
    result = run_import(data, "bench.csv", kind="contracts")
    elapsed = time.perf_counter() - started
    other_writer.stop()
    assert result.written and result.batch.rows_created == n, result.errors[:3]
    return elapsed, {
        "other_writes": len(other_writer.waits),
        "longest_wait": max(other_writer.waits),
    }


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
    started = time.perf_counter()
    for resource_class, dataset in ((ContractResource, contracts), (PartyResource, parties)):
        result = resource_class().import_data(dataset, raise_errors=True)
        assert not result.has_errors()
    return time.perf_counter() - started


def run_floor(n):
    """The same rows written with no ORM at all: the database's own speed."""
    from django.db import connection, transaction

    from investigations.models import Citation, Contract, ContractParty, Organisation, Source

    org_ids = dict(Organisation.objects.values_list("name", "pk"))
    source_ids = dict(Source.objects.values_list("title", "pk"))
    data = list(rows(n))
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        contract_rows = [
            (r["title"], f"bench-{i}", r["reference"], 1_000_000 + i, "GBP", "2020")
            for i, r in enumerate(data)
        ]
        first_id = _insert(
            cursor,
            Contract,
            ("title", "slug", "reference", "value", "currency", "awarded"),
            contract_rows,
        )
        ids = range(first_id, first_id + n)
        party_rows = [
            (cid, org_ids[r[side]], side)
            for cid, r in zip(ids, data, strict=True)
            for side in ("buyer", "lead_supplier")
        ]
        _insert(cursor, ContractParty, ("contract_id", "organisation_id", "role"), party_rows)
        ct = _content_type(Contract)
        citation_rows = [
            (ct, cid, source_ids[r["source"]], r["quote"]) for cid, r in zip(ids, data, strict=True)
        ]
        _insert(
            cursor, Citation, ("content_type_id", "object_id", "source_id", "quote"), citation_rows
        )
    return time.perf_counter() - started


def _content_type(model):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk


def _insert(cursor, model, columns, values):
    """executemany on SQLite, COPY on PostgreSQL; fills the columns the schema requires."""
    from django.db import connection
    from django.utils import timezone

    extra = _required_defaults(model, columns)
    columns = (*columns, *extra)
    values = [(*row, *extra.values()) for row in values]
    table = model._meta.db_table
    names = ", ".join(f'"{c}"' for c in columns)  # "end" and "start" are reserved words
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
        cursor.execute(f"SELECT max(id) - %s + 1 FROM {table}", [len(values)])
        return cursor.fetchone()[0]
    marks = ", ".join(["%s"] * len(columns))
    cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)
    cursor.execute(f"SELECT max(id) - %s + 1 FROM {table}", [len(values)])
    del timezone
    return cursor.fetchone()[0]


def _required_defaults(model, given):
    from django.db.models import NOT_PROVIDED
    from django.utils import timezone

    now = timezone.now()
    extra = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.attname in given or field.null:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            extra[field.column] = now
        elif field.default is not NOT_PROVIDED:
            extra[field.column] = field.get_default()
        else:
            extra[field.column] = ""
    return extra


APPROACHES = {"engine": run_engine, "per-row": run_per_row, "floor": run_floor}


def child(approach, n):
    with tempfile.TemporaryDirectory() as var_dir:
        setup_django(var_dir)
        outcome = APPROACHES[approach](n)
        from django.db import connection

        vendor = connection.vendor
    seconds, extra = outcome if isinstance(outcome, tuple) else (outcome, {})
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {"rows": n, "seconds": seconds, "peak_mb": peak_mb, "vendor": vendor, **extra}
    print(json.dumps(figures))


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
            f"  peak RSS {r['peak_mb']:6.0f} MB"
        )
    print(f"  engine is {rate['engine'] / rate['per-row']:.1f}× the per-row default")
    print(f"  engine is {rate['floor'] / rate['engine']:.1f}× slower than the floor")
    engine = results["engine"]
    print(
        f"  another writer saving a record every 0.2 s during the engine's import: "
        f"{engine['other_writes']} saves, the longest waited {engine['longest_wait']:.2f} s"
    )


if __name__ == "__main__":
    main()
