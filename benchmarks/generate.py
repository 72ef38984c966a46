"""Generate many published records, in bulk, for the benchmarks.

Every generated contract has a buyer, a supplier and a citation, like real data.
"""

import random
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from investigations.models import Citation, Contract, ContractParty, Organisation, Source

CHUNK = 5000
WORDS = [
    "Imaging",
    "Diagnostics",
    "Health",
    "Care",
    "Scanning",
    "Medical",
    "Community",
    "Partners",
    "Services",
    "Clinical",
    "Radiology",
    "Molecular",
    "Pathology",
    "Regional",
    "National",
    "Northern",
    "Southern",
    "Eastern",
    "Western",
]


def generate(organisations=10_000, contracts=100_000, seed=1):
    rng = random.Random(seed)
    now = timezone.now()
    published = {"status": "published", "published_at": now}
    with transaction.atomic():
        source = Source.objects.create(title="Generated procurement notices", **published)
        orgs = _organisations(rng, organisations, published)
        _contracts(rng, contracts, orgs, source, published)
    # Planner statistics, as autovacuum (PostgreSQL) or a periodic ANALYZE would gather
    # them in production; without them PostgreSQL scans whole tables for small lookups.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _organisations(rng, count, published):
    orgs = [
        Organisation(
            name=f"{rng.choice(WORDS)} {rng.choice(WORDS)} {number} Ltd",
            normalised_name=f"generated {number}",
            slug=f"generated-organisation-{number}",
            kind=rng.choice(["company", "nhs_trust", "fund"]),
            **published,
        )
        for number in range(count)
    ]
    Organisation.objects.bulk_create(orgs, batch_size=CHUNK)
    return list(
        Organisation.objects.filter(slug__startswith="generated-").values_list("pk", flat=True)
    )


def _contracts(rng, count, org_ids, source, published):
    contract_type = ContentType.objects.get_for_model(Contract)
    for start in range(0, count, CHUNK):
        batch = [
            Contract(
                title=f"{rng.choice(WORDS)} services contract {number}",
                slug=f"generated-contract-{number}",
                value=Decimal(rng.randrange(10_000, 500_000_000)),
                awarded=f"{rng.randrange(2010, 2025)}-{rng.randrange(1, 13):02d}",
                service_category=rng.choice(["mri", "pet_ct", "cdc", "imaging"]),
                **published,
            )
            for number in range(start, min(start + CHUNK, count))
        ]
        created = Contract.objects.bulk_create(batch)
        if not created or created[0].pk is None:
            slugs = [contract.slug for contract in batch]
            created = list(Contract.objects.filter(slug__in=slugs))
        ContractParty.objects.bulk_create(_parties(rng, created, org_ids))
        Citation.objects.bulk_create(
            Citation(
                content_type=contract_type,
                object_id=contract.pk,
                source=source,
                quote=f"Contract notice for {contract.title}",
            )
            for contract in created
        )


def _parties(rng, contracts, org_ids):
    for contract in contracts:
        buyer, supplier = rng.sample(org_ids, 2)
        yield ContractParty(contract=contract, organisation_id=buyer, role="buyer")
        yield ContractParty(contract=contract, organisation_id=supplier, role="lead_supplier")
