import json

from django.core.management.base import BaseCommand

from investigations.backups import summary


class Command(BaseCommand):
    help = (
        "Print the rows in each table and a SHA-256 of all published records, as JSON: "
        "two databases with the same summary hold the same data."
    )

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(summary(), indent=2, sort_keys=True))
