"""One record in the standards' formats: FollowTheMoney JSON lines, OCDS release packages.

Published records only, looked up as their pages are (a draft's address is a 404; a
renamed record's old address leads to its page, which links to these). Cached like pages.
"""

import json

from django.db.models import Q
from django.http import HttpResponse

from investigations.caching import cache_keyed_on
from investigations.models import Contract, ContractParty, Organisation, Person, Site
from investigations.standards import ftm, ocds

from .lookup import detail_view

FTM_CONTENT_TYPE = "application/x-ndjson; charset=utf-8"
OCDS_CONTENT_TYPE = "application/json; charset=utf-8"


def site_address(request):
    return request.build_absolute_uri("/")


def ftm_lines(request, record):
    entities = ftm.record_entities(record, site_address(request))
    lines = "".join(json.dumps(entity, ensure_ascii=False) + "\n" for entity in entities)
    response = HttpResponse(lines.encode(), content_type=FTM_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{record.slug}.ftm.jsonl"'
    return response


def release_package(request, where):
    envelope, releases = ocds.release_package(
        where, uri=request.build_absolute_uri(), base_url=site_address(request)
    )
    body = "".join(ocds.package_json(envelope, releases))
    return HttpResponse(body.encode(), content_type=OCDS_CONTENT_TYPE)


def contract_package(request, contract):
    return release_package(request, Q(pk=contract.pk))


def organisation_package(request, organisation):
    """The contracts the organisation has a published part in."""
    parties = ContractParty.objects.published().filter(organisation=organisation)
    return release_package(request, Q(pk__in=parties.values("contract")))


organisation_ftm = cache_keyed_on()(detail_view(Organisation, ftm_lines))
person_ftm = cache_keyed_on()(detail_view(Person, ftm_lines))
site_ftm = cache_keyed_on()(detail_view(Site, ftm_lines))
contract_ftm = cache_keyed_on()(detail_view(Contract, ftm_lines))
organisation_ocds = cache_keyed_on()(detail_view(Organisation, organisation_package))
contract_ocds = cache_keyed_on()(detail_view(Contract, contract_package))
