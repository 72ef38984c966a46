from django.core.management.base import BaseCommand, CommandError

from investigations.backups import BackupError, back_up, default_folder


class Command(BaseCommand):
    help = (
        "Back up the database and the uploaded files into a new folder (by default "
        "var/backups/<UTC time>/), consistently, while the site keeps serving and writing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="the folder to create (it must not exist)")

    def handle(self, *args, output=None, **options):
        try:
            folder = back_up(output or default_folder())
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Backed up into {folder}")
