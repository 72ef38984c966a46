"""The versions the page cache compares a stored page against (see ``caching``)."""

from django.db import models


class PageCacheTag(models.Model):
    """One thing pages depend on (a record, a table) and the counter value of its last change.

    The row whose tag is ``COUNTER`` holds the counter itself.
    """

    COUNTER = "#"

    tag = models.CharField(max_length=150, primary_key=True)
    version = models.BigIntegerField()

    def __str__(self):
        return f"{self.tag} @ {self.version}"
