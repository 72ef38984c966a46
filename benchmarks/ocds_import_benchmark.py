"""Import a generated year of Contracts Finder as OCDS, and the same awards as a spreadsheet,
and print seconds, awards/s and peak RSS, and the ratio of the two:

- ocds:        a release package of --awards awards (about 1.8 suppliers each, one in ten
               processes with a later update release), into an empty database: sources,
               organisations, identifiers, contracts, parties and a citation for every value;
- spreadsheet: the same awards as one CSV of contracts (buyer, suppliers, one citation each),
               the organisations already in the database, as benchmarks/import_benchmark.py.

    .venv/bin/python benchmarks/ocds_import_benchmark.py              # 33,000 awards
    .venv/bin/python benchmarks/ocds_import_benchmark.py --awards 2000

Each runs in its own process on a fresh database (benchmarks/import_benchmark.setup_django),
so RSS figures are its own.
"""

import argparse
import csv
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import import_benchmark  # noqa: E402

BUYERS, SUPPLIERS, UPDATED_EVERY = 2_000, 15_000, 10
WORDS = ("imaging", "diagnostic", "pathology", "cleaning", "software", "catering", "estates",
         "transport", "consultancy", "equipment", "radiology", "maintenance")  # fmt: skip


def awards(n, seed=1):
    """(ocid, award id, buyer number, supplier numbers, value, award day) of each award."""
    rng = random.Random(seed)
    for i in range(n):
        count = 1 if rng.random() < 0.4 else rng.choice((2, 2, 2, 3))  # about 1.8 on average
        suppliers = rng.sample(range(SUPPLIERS), count)
        value = 0 if rng.random() < 0.05 else rng.randrange(5_000, 20_000_000)
        yield f"ocds-b5fd17-bench-{i:08d}", "1", rng.randrange(BUYERS), suppliers, value, i


def _buyer(number):
    return {"id": f"GB-CFS-B{number}", "name": f"Bench NHS Trust {number}",
            "identifier": {"legalName": f"Bench NHS Trust {number}"},
            "address": {"locality": "Leeds", "postalCode": "LS1 4AP", "countryName": "England"},
            "contactPoint": {"email": "procurement@example.org"}, "roles": ["buyer"]}  # fmt: skip


def _supplier(number):
    party = {"id": f"GB-CFS-S{number}", "name": f"Bench Supplier {number} Ltd",
             "address": {"streetAddress": f"{number} High Street", "postalCode": "M1 1AA"},
             "details": {"scale": "sme", "vcse": False}, "roles": ["supplier"]}  # fmt: skip
    if number % 5:  # four in five suppliers give a company number, some of them unpadded
        company = str(1_000_000 + number) if number % 7 == 0 else f"{10_000_000 + number}"
        party["identifier"] = {"scheme": "GB-COH", "id": company, "legalName": party["name"]}
    return party


def _date(day):
    return f"2024-{1 + day % 12:02d}-{1 + day % 28:02d}"


def release(ocid, award_id, buyer, suppliers, value, day, update=False):
    award = {"id": award_id, "title": f"Bench {WORDS[day % len(WORDS)]} services {day}",
             "status": "active", "date": f"{_date(day)}T00:00:00+01:00",
             "value": {"amount": value + (1000 if update else 0), "currency": "GBP"},
             "suppliers": [{"id": f"GB-CFS-S{s}", "name": f"Bench Supplier {s} Ltd"}
                           for s in suppliers],
             "contractPeriod": {"startDate": f"{_date(day)}T00:00:00Z",
                                "endDate": f"2027-{1 + day % 12:02d}-01T23:59:59Z"}}  # fmt: skip
    return {
        "ocid": ocid, "id": f"{ocid}-{2 if update else 1}", "language": "en",
        "date": f"{_date(day)}T{11 if update else 10}:00:00Z",
        "tag": ["awardUpdate" if update else "award"], "initiationType": "tender",
        "tender": {"id": f"T-{day}", "title": award["title"], "status": "complete",
                   "description": "Provision of services to the trust, as set out in the "
                   "specification, for an initial term with options to extend.",
                   "classification": {"scheme": "CPV", "id": "85000000"}},
        "buyer": {"id": f"GB-CFS-B{buyer}", "name": f"Bench NHS Trust {buyer}"},
        "parties": [_buyer(buyer), *(_supplier(s) for s in suppliers)],
        "awards": [award],
    }  # fmt: skip


def package_bytes(n):
    """A release package as uploaded bytes, written release by release to a file and read
    back once, so that the import's peak RSS holds one copy of the file, as an upload's."""
    with tempfile.TemporaryFile() as out:
        _write_package(out, n)
        out.seek(0)
        return out.read()


def _write_package(out, n):
    out.write(b'{"uri": "https://example.org/bench.json", "publishedDate": "2025-01-01T00:00:00Z",'
              b' "publisher": {"name": "Contracts Finder"}, "version": "1.1", "releases": [')  # fmt: skip
    first = True
    for ocid, award_id, buyer, suppliers, value, day in awards(n):
        versions = [False] + ([True] if day % UPDATED_EVERY == 0 else [])
        for update in versions:
            out.write(b"" if first else b",")
            out.write(json.dumps(release(ocid, award_id, buyer, suppliers, value, day, update))
                      .encode())  # fmt: skip
            first = False
    out.write(b"]}")


def csv_bytes(n):
    """The same awards as the spreadsheet template's contracts, one citation each."""
    out = io.BytesIO()
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    writer = csv.writer(text)
    writer.writerow(("title", "reference", "value", "awarded", "start", "end", "buyer",
                     "supplier", "source", "locator"))  # fmt: skip
    for ocid, award_id, buyer, suppliers, value, day in awards(n):
        bump = 1000 if day % UPDATED_EVERY == 0 else 0
        writer.writerow((
            f"Bench {WORDS[day % len(WORDS)]} services {day}", f"{ocid}/{award_id}",
            value + bump if value else "", _date(day), _date(day), f"2027-{1 + day % 12:02d}-01",
            f"Bench NHS Trust {buyer}", ";".join(f"Bench Supplier {s} Ltd" for s in suppliers),
            f"Award notice {day // 100}", "awards[0]",
        ))  # fmt: skip
    text.flush()
    return out.getvalue()


def _seed_organisations():
    from investigations.importers.write import assign_slugs
    from investigations.models import Organisation, normalise_name

    orgs = [Organisation(name=f"Bench NHS Trust {i}", kind="nhs_trust") for i in range(BUYERS)]
    orgs += [Organisation(name=f"Bench Supplier {i} Ltd") for i in range(SUPPLIERS)]
    for org in orgs:
        org.normalised_name = normalise_name(org.name)
    assign_slugs(Organisation, orgs)
    Organisation.objects.bulk_create(orgs)  # the sources are import_benchmark's own


def run_ocds(n):
    from investigations.importers.service import run_import

    data = package_bytes(n)
    started, cpu = time.perf_counter(), time.process_time()
    result = run_import(data, "bench.json")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    contracts = next(s for s in result.sheets if s.kind == "contracts")
    assert result.written and contracts.created == n, result.errors[:3]
    return elapsed, {"megabytes": len(data) / 1_048_576, "cpu": cpu}


def run_spreadsheet(n):
    from investigations.importers.service import run_import

    _seed_organisations()
    data = csv_bytes(n)
    started, cpu = time.perf_counter(), time.process_time()
    result = run_import(data, "bench.csv", kind="contracts")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert result.written and result.batch.rows_created == n, result.errors[:3]
    return elapsed, {"megabytes": len(data) / 1_048_576, "cpu": cpu}


APPROACHES = {"ocds": run_ocds, "spreadsheet": run_spreadsheet}


def child(approach, n):
    os.environ.setdefault("IMPORT_MAX_UPLOAD_BYTES", str(1024 * 1_048_576))
    with tempfile.TemporaryDirectory() as var_dir:
        import_benchmark.setup_django(var_dir)
        seconds, extra = APPROACHES[approach](n)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"awards": n, "seconds": seconds, "peak_mb": peak_mb, **extra}))


def measure(approach, n):
    command = [sys.executable, __file__, "--child", approach, "--awards", str(n)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--awards", type=int, default=33_000)
    parser.add_argument("--child", choices=APPROACHES)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.awards)
    results = {name: measure(name, args.awards) for name in APPROACHES}
    print(f"{args.awards:,} awards of a generated Contracts Finder year, SQLite or DATABASE_URL")
    for name, r in results.items():
        print(
            f"  {name:11} {r['seconds']:7.2f} s ({r['cpu']:6.2f} s of CPU)"
            f"  {r['awards'] / r['seconds']:>6,.0f} awards/s  peak RSS {r['peak_mb']:4.0f} MB"
            f"  file {r['megabytes']:5.1f} MB"
        )
    ocds, spreadsheet = results["ocds"], results["spreadsheet"]
    print(
        f"  the OCDS import takes {ocds['seconds'] / spreadsheet['seconds']:.2f}× the "
        f"spreadsheet import's time ({ocds['cpu'] / spreadsheet['cpu']:.2f}× its CPU time)"
    )


if __name__ == "__main__":
    main()
