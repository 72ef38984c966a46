from django.core.management.base import BaseCommand

from investigations.search import rebuild_index


class Command(BaseCommand):
    help = "Rebuild the full-text search index from the published records."

    def handle(self, *args, **options):
        self.stdout.write(f"Search index rebuilt: {rebuild_index():,} documents.")
