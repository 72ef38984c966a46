"""Admin helpers for reviewing pending revisions."""

from django import template

from investigations.models import Revision

register = template.Library()


@register.simple_tag
def pending_revision_count():
    return Revision.objects.pending().count()
