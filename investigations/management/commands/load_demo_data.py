"""Load the demo data built from the seed documents; safe to run on every start."""

from django.core.management.base import BaseCommand

from investigations.demo_data import FIXTURE_DIR, load_demo_data


class Command(BaseCommand):
    help = "Create or update the demo records from fixtures/demo/; a second run changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--directory", default=FIXTURE_DIR)

    def handle(self, *args, directory, **options):
        written = load_demo_data(directory)
        if not written:
            self.stdout.write("Demo data already up to date.")
        for (name, action), count in sorted(written.items()):
            self.stdout.write(f"  {action} {count} {name}")
