"""The two editorial groups and what each may do.

Researchers add and edit drafts and import spreadsheets; editors may also publish,
unpublish, restore deleted records and undo import batches.
"""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

RESEARCHERS = "Researchers"
EDITORS = "Editors"
DATA_ACTIONS = ("import", "export")


def curated_models():
    config = apps.get_app_config("investigations")
    return [model for model in config.get_models() if not model.__name__.startswith("Historical")]


def ensure_editorial_groups(**kwargs):
    """Create the import/export permissions and the two groups; safe to run again."""
    researcher_perms, editor_perms = [], []
    for model in curated_models():
        content_type = ContentType.objects.get_for_model(model)
        name = model._meta.model_name
        for action in DATA_ACTIONS:
            Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{name}",
                defaults={"name": f"Can {action} {model._meta.verbose_name_plural}"},
            )
        perms = Permission.objects.filter(content_type=content_type)
        for perm in perms:
            if perm.codename.startswith(("publish_", "undo_")):
                editor_perms.append(perm)
            else:
                researcher_perms.append(perm)
    researchers, _ = Group.objects.get_or_create(name=RESEARCHERS)
    researchers.permissions.set(researcher_perms)
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.set(researcher_perms + editor_perms)


def publish_permission(model):
    return f"{model._meta.app_label}.publish_{model._meta.model_name}"


def can_publish(user, model):
    return user.has_perm(publish_permission(model))
