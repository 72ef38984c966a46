"""Name matching at size: 10,000 organisation rows against 10,000 organisations.

A third of the rows name an organisation exactly (another spelling of its suffix), a third
with one typo (near misses), a third are new. Prints, all measured in this run:

- the dry run of the rows with candidates (``match_by_name``), and its ratio to the same dry
  run with the near-miss search switched off: what matching costs the import;
- the near-miss search per row in blocks, and its ratio to a search over every name (the
  cross product the blocks avoid), measured on a sample of the rows;
- the blocks' recall: the share of the typo rows whose organisation is their best candidate.

    .venv/bin/python benchmarks/matching_benchmark.py --orgs 10000 --rows 10000
"""

import argparse
import csv
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = [
    "alliance",
    "medical",
    "imaging",
    "diagnostic",
    "health",
    "care",
    "scan",
    "radiology",
    "community",
    "partners",
    "northern",
    "southern",
    "eastern",
    "western",
    "royal",
    "general",
    "clinical",
    "services",
    "solutions",
    "vision",
    "quantum",
    "apex",
    "summit",
    "meridian",
    "harbour",
    "valley",
    "river",
    "oak",
    "cedar",
    "maple",
    "crown",
    "bridge",
]


def setup_django(var_dir):
    sys.path.insert(0, str(ROOT))
    os.environ["VAR_DIR"] = var_dir
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{var_dir}/bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "investigations.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def names(count, rng):
    """Distinct organisation names: two common words and a made-up one, as in a register."""
    seen = set()
    while len(seen) < count:
        made_up = "".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3))
        seen.add(f"{rng.choice(WORDS).title()} {made_up.title()} {rng.choice(WORDS).title()}")
    return sorted(seen)


def typo(name, rng):
    """One character dropped or two swapped, away from the first letter."""
    i = rng.randrange(1, len(name) - 1)
    if rng.random() < 0.5:
        return name[:i] + name[i + 1 :]
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def seed(org_names):
    from investigations.importers.write import assign_slugs
    from investigations.models import Organisation, normalise_name

    orgs = [
        Organisation(name=f"{name} Ltd", normalised_name=normalise_name(name)) for name in org_names
    ]
    assign_slugs(Organisation, orgs)
    Organisation.objects.bulk_create(orgs, batch_size=2000)


def rows(org_names, count, rng):
    """(csv bytes, the typo rows as (row name, organisation name))."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "country"])
    typos = []
    fresh = iter(names(count + len(org_names), random.Random(7)))
    for i in range(count):
        name = org_names[i % len(org_names)]
        if i % 3 == 0:
            writer.writerow([f"{name} Limited", "GB"])
        elif i % 3 == 1:
            typos.append((typo(name, rng), f"{name} Ltd"))
            writer.writerow([typos[-1][0], "GB"])
        else:
            writer.writerow([f"{next(fresh)} Holdings", "GB"])
    return out.getvalue().encode(), typos


def dry_run(data):
    from investigations.importers.service import run_import

    started = time.perf_counter()
    result = run_import(data, "o.csv", kind="organisations", dry_run=True, match_by_name=True)
    return time.perf_counter() - started, result


def without_near_misses(data):
    from investigations.importers import matching

    near = matching.BlockIndex.near
    matching.BlockIndex.near = lambda self, query: ()
    try:
        return dry_run(data)[0]
    finally:
        matching.BlockIndex.near = near


def per_row_search(typos, sample):
    """Seconds per row of the blocked search and of a search over every name."""
    from rapidfuzz import fuzz, process

    from investigations.importers.keys import OrganisationIndex
    from investigations.importers.matching import NEAR_MISS_CUTOFF, BlockIndex, sorted_words

    index = OrganisationIndex()
    blocks = BlockIndex(index)
    every_name = list(blocks.refs)
    queries = [index.normalise(name) for name, _ in typos[:sample]]
    started = time.perf_counter()
    for query in queries:
        blocks.near(query)
    blocked = (time.perf_counter() - started) / len(queries)
    started = time.perf_counter()
    every_sorted = [blocks.sorted[name] for name in every_name]
    for query in queries:
        for text, choices in ((query, every_name), (sorted_words(query), every_sorted)):
            process.extract(text, choices, scorer=fuzz.ratio, score_cutoff=NEAR_MISS_CUTOFF)
    return blocked, (time.perf_counter() - started) / len(queries)


def recall(result, typos):
    """The share of typo rows whose own organisation is their best candidate."""
    best = {
        match.text: match.candidates[0]["label"].rsplit(" (#", 1)[0]
        for sheet in result.sheets
        for match in sheet.candidates
    }
    return sum(best.get(text) == name for text, name in typos) / len(typos), len(typos)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=300, help="rows timed in the per-row search")
    args = parser.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as var_dir:
        setup_django(var_dir)
        org_names = names(args.orgs, rng)
        seed(org_names)
        data, typos = rows(org_names, args.rows, rng)
        baseline = without_near_misses(data)
        elapsed, result = dry_run(data)
        blocked, full = per_row_search(typos, args.sample)
        share, measured = recall(result, typos)
    [sheet] = result.sheets
    print(f"{args.rows} rows against {args.orgs} organisations")
    print(f"  dry run with candidates:     {elapsed:6.2f} s  ({args.rows / elapsed:,.0f} rows/s)")
    print(f"  dry run, no near-miss search:{baseline:6.2f} s  (ratio {elapsed / baseline:.2f})")
    print(f"  rows: {sheet.updated} matched exactly, {sheet.created} new (near misses among them)")
    print(f"  near-miss search per row:    {blocked * 1000:6.3f} ms in blocks, "
          f"{full * 1000:.3f} ms over every name (ratio {full / blocked:.1f}x)")  # fmt: skip
    print(f"  recall of the typo rows:     {share:.1%} of {measured} have their own as best")


if __name__ == "__main__":
    main()
