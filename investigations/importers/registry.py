"""Which django-import-export resource imports and exports each model."""

from .resources import resource_class_for

__all__ = ["resource_class_for"]
