import json

from django.core.management.base import BaseCommand, CommandError

from investigations.backups import BackupError, restore, summary


class Command(BaseCommand):
    help = (
        "Restore a backup folder made by `backup` into the database DATABASE_URL names (an "
        "empty one, unless --replace) and MEDIA_ROOT. Stop the site and the worker first."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument(
            "--replace", action="store_true", help="overwrite a database that has tables"
        )

    def handle(self, *args, folder, replace, **options):
        try:
            restore(folder, replace=replace)
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Restored from {folder}")
        self.stdout.write(json.dumps(summary(), indent=2, sort_keys=True))
