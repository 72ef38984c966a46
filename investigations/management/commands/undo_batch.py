"""Undo an import batch: the same code path as the admin's undo button."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from investigations.importers.undo import UndoRefused, undo_batch
from investigations.models import ImportBatch


class Command(BaseCommand):
    help = "Undo a committed import batch, as an editor (one who may undo imports)."

    def add_arguments(self, parser):
        parser.add_argument(
            "batch", type=int, help="The batch's number, as import_batch prints it."
        )
        parser.add_argument("--user", required=True, help="Username of the editor undoing it.")

    def handle(self, *args, **options):
        try:
            batch = ImportBatch.objects.get(pk=options["batch"])
            user = get_user_model().objects.get(username=options["user"])
            undo_batch(batch, user)
        except ImportBatch.DoesNotExist:
            raise CommandError(f"No import batch #{options['batch']}.") from None
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user “{options['user']}”.") from None
        except (PermissionDenied, UndoRefused) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Batch #{batch.pk} undone: {batch.items.count()} record(s) taken back.")
