"""Write the bulk dumps of all published records: README "Using the data"."""

from django.core.management.base import BaseCommand

from investigations.exports.dumps import export_dumps


class Command(BaseCommand):
    help = (
        "Write gzipped JSON-lines dumps of every published record of each kind, with their "
        "citations, and a manifest of counts and SHA-256s, to DUMPS_ROOT/<date>/ (pointed at "
        "by DUMPS_ROOT/LATEST, which the /data/ page links)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", help="Write to this folder instead; the /data/ page does not link it."
        )

    def handle(self, *args, output=None, **options):
        folder, manifest = export_dumps(output)
        for entry in manifest["files"]:
            self.stdout.write(
                f"{entry['name']}: {entry['records']:,} records, {entry['bytes']:,} bytes"
            )
        self.stdout.write(self.style.SUCCESS(f"Wrote {folder}"))
