"""The curation admin: one module per aggregate, each registering its models."""

from . import concerns, contracts, organisations, people, relationships, sites, sources

__all__ = ["concerns", "contracts", "organisations", "people", "relationships", "sites", "sources"]

# The import batches admin (.imports) is added here by the importers' owner.
from . import import_mappings, imports  # noqa: F401
