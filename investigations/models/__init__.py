from .base import Citable, Featurable, Publishable, SlugRedirect
from .claim_values import claim_value, is_stale, needs_citation
from .concerns import Concern, ConcernParty
from .contracts import Contract, ContractParty, Framework, FrameworkMembership, ServiceCategory
from .dates import PartialDate, PartialDateField, parse_partial_date
from .imports import ImportBatch, ImportBatchItem, ImportMapping
from .merges import Merge
from .money import format_money
from .organisations import (
    FinancialFiling,
    Identifier,
    Organisation,
    OrganisationAlias,
    ProfileSection,
    normalise_name,
)
from .page_cache import PageCacheTag
from .people import Person, Role
from .public import LISTED_KINDS, PUBLIC_KINDS, PublicKind, featured_records
from .relationships import Relationship
from .revisions import Revision
from .sites import Site, SiteRole
from .sources import Citation, Source
from .visibility import (
    PublicationStatus,
    PublicQuerySet,
    PublishableQuerySet,
    blank_private_links,
    is_public,
    published_through,
)

__all__ = [
    "Citable",
    "Citation",
    "Concern",
    "ConcernParty",
    "Contract",
    "ContractParty",
    "Featurable",
    "FinancialFiling",
    "Framework",
    "FrameworkMembership",
    "Identifier",
    "LISTED_KINDS",
    "ImportBatch",
    "Merge",
    "ImportBatchItem",
    "ImportMapping",
    "Organisation",
    "OrganisationAlias",
    "PageCacheTag",
    "PartialDate",
    "PartialDateField",
    "PUBLIC_KINDS",
    "Person",
    "ProfileSection",
    "Publishable",
    "PublicKind",
    "PublicQuerySet",
    "PublicationStatus",
    "PublishableQuerySet",
    "published_through",
    "Relationship",
    "Revision",
    "Role",
    "ServiceCategory",
    "Site",
    "SiteRole",
    "SlugRedirect",
    "Source",
    "blank_private_links",
    "featured_records",
    "format_money",
    "is_public",
    "claim_value",
    "is_stale",
    "needs_citation",
    "normalise_name",
    "parse_partial_date",
]

PUBLISHABLE_MODELS = (*(kind.model for kind in PUBLIC_KINDS), Relationship)
