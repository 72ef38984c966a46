from .base import Citable, Publishable, PublishableQuerySet, SlugRedirect, published_through
from .claim_values import claim_value, is_stale, needs_citation
from .concerns import Concern, ConcernParty
from .contracts import Contract, ContractParty, Framework, FrameworkMembership, ServiceCategory
from .dates import PartialDate, PartialDateField, parse_partial_date
from .imports import ImportBatch, ImportBatchItem
from .money import format_money
from .organisations import (
    FinancialFiling,
    Identifier,
    Organisation,
    OrganisationAlias,
    ProfileSection,
    normalise_name,
)
from .people import Person, Role
from .relationships import Relationship
from .sites import Site, SiteRole
from .sources import Citation, Source

__all__ = [
    "Citable",
    "Citation",
    "Concern",
    "ConcernParty",
    "Contract",
    "ContractParty",
    "FinancialFiling",
    "Framework",
    "FrameworkMembership",
    "Identifier",
    "ImportBatch",
    "ImportBatchItem",
    "Organisation",
    "OrganisationAlias",
    "PartialDate",
    "PartialDateField",
    "Person",
    "ProfileSection",
    "Publishable",
    "PublishableQuerySet",
    "published_through",
    "Relationship",
    "Role",
    "ServiceCategory",
    "Site",
    "SiteRole",
    "SlugRedirect",
    "Source",
    "format_money",
    "claim_value",
    "is_stale",
    "needs_citation",
    "normalise_name",
    "parse_partial_date",
]

PUBLISHABLE_MODELS = (
    Organisation,
    Person,
    Relationship,
    Site,
    Framework,
    Contract,
    Concern,
    Source,
)
