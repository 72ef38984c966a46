"""Import a spreadsheet as one batch: the same code path as the admin's upload and confirm."""

import argparse
import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from investigations.importers.kinds import KINDS
from investigations.importers.report import summary_lines
from investigations.importers.service import run_import
from investigations.models import ImportMapping


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
            action=argparse.BooleanOptionalAction,
            help="Read a money value of 0 as not given, as procurement portals mean it "
            "(by default on for OCDS, off for spreadsheets).",
        )
        parser.add_argument(
            "--strict-identifiers",
            action="store_true",
            help="Reject a row whose identifier is of an unknown scheme or fails its check.",
        )
        parser.add_argument(
            "--mapping",
            help="A saved column mapping's name, or a JSON file of one (see the README).",
        )
        parser.add_argument(
            "--one-row-per-party",
            action=argparse.BooleanOptionalAction,
            help="Read rows sharing a reference as one contract with several parties, as "
            "procurement portals publish them (default: as the mapping says, else off).",
        )
        parser.add_argument(
            "--match-by-name",
            action="store_true",
            help="Update a record a row names by name or title alone (refused otherwise).",
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
                mapping=self._mapping(options["mapping"], options["one_row_per_party"]),
                match_by_name=options["match_by_name"],
                progress=lambda n: self.stderr.write(f"  … {n} rows checked"),
            )
        except PermissionError as error:
            raise CommandError(str(error)) from None
        for line in summary_lines(result):
            self.stdout.write(line)
        if result.file_error or (result.errors and not options["skip_invalid"]):
            raise CommandError("Nothing was imported.")

    def _mapping(self, given, one_row_per_party):
        mapping = _read_mapping(given) if given else {}
        if one_row_per_party is not None:
            mapping = {**mapping, "one_row_per_party": one_row_per_party}
        return mapping

    def _user(self, username):
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user “{username}”.") from None


def _read_mapping(given):
    """A JSON file's mapping if ``given`` is a file, else the saved mapping of that name."""
    path = Path(given)
    if path.is_file():
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise CommandError(f"{path}: not a JSON mapping ({error}).") from None
    saved = ImportMapping.objects.filter(name=given).first()
    if saved is None:
        names = ", ".join(ImportMapping.objects.values_list("name", flat=True)) or "none"
        raise CommandError(f"No mapping “{given}”: give a JSON file or a saved name ({names}).")
    return saved.as_mapping()
