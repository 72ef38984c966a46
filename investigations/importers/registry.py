"""Which django-import-export resource imports and exports each model."""

from import_export.resources import modelresource_factory


def resource_class_for(model):
    return modelresource_factory(model)
