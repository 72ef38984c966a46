"""manage.py generate_demo_data: a database of realistic size, for demonstrations and benchmarks."""

import contextlib
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from investigations import generation


class Command(BaseCommand):
    help = (
        "Generate organisations, contracts and everything around them (parties, citations, "
        "sources, identifiers, aliases, filings, relationships, people and roles, concerns, "
        "sites, frameworks), 2% of each as drafts, then rebuild the search index. "
        "Refuses if generated data is there already, unless --replace. Demo and curated "
        "records are never touched. Proportions:\n\n" + generation.plan.__doc__
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisations", type=int, default=10_000)
        parser.add_argument("--contracts", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1, help="The same seed, the same data.")
        parser.add_argument(
            "--replace", action="store_true", help="Delete generated data already there first."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bars.")

    def handle(self, *args, organisations, contracts, seed, replace, no_progress, **options):
        started = time.perf_counter()
        try:
            counts = generation.generate(
                organisations,
                contracts,
                seed=seed,
                replace=replace,
                progress=None if no_progress else self.bar,
            )
        except generation.GeneratedDataExists as error:
            raise CommandError(
                f"{error} Run with --replace to delete it and generate anew."
            ) from None
        except ValueError as error:
            raise CommandError(str(error)) from None
        made = ", ".join(f"{count:,} {name}" for name, count in counts.items())
        self.stdout.write(f"Generated {made} in {time.perf_counter() - started:.0f} s.")

    @contextlib.contextmanager
    def bar(self, label, total):
        with tqdm(total=total, desc=f"{label:>24}", unit=" records", unit_scale=True) as bar:
            yield bar
