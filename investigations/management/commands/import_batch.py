"""Import a spreadsheet as one batch: the same code path as the admin's upload and confirm."""

from argparse import BooleanOptionalAction
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from investigations.importers.kinds import KINDS
from investigations.importers.report import summary_lines
from investigations.importers.service import run_import


class Command(BaseCommand):
    help = (
        "Import a CSV, XLSX or ODS file (a workbook: one sheet per kind), or OCDS JSON (a "
        "release or record package, or JSON lines of releases), as one batch."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--kind", choices=sorted(KINDS))
        parser.add_argument("--dry-run", action="store_true", help="Validate; write nothing.")
        parser.add_argument("--skip-invalid", action="store_true", help="Write the valid rows.")
        parser.add_argument("--publish", action="store_true", help="Publish what passes the gate.")
        parser.add_argument(
            "--zero-is-unknown",
            action=BooleanOptionalAction,
            help="Read a money value of 0 as not given, as procurement portals mean it "
            "(by default on for OCDS, off for spreadsheets).",
        )
        parser.add_argument(
            "--strict-identifiers",
            action="store_true",
            help="Reject a row whose identifier is of an unknown scheme or fails its check.",
        )
        parser.add_argument("--user", help="Username recorded on the batch and history.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        user = self._user(options["user"])
        try:
            result = run_import(
                path.read_bytes(),
                path.name,
                user=user,
                kind=options["kind"],
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                publish=options["publish"],
                zero_is_unknown=options["zero_is_unknown"],
                strict_identifiers=options["strict_identifiers"],
                progress=lambda n: self.stderr.write(f"  … {n} rows checked"),
            )
        except PermissionError as error:
            raise CommandError(str(error)) from None
        for line in summary_lines(result):
            self.stdout.write(line)
        if result.file_error or (result.errors and not options["skip_invalid"]):
            raise CommandError("Nothing was imported.")

    def _user(self, username):
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user “{username}”.") from None
