"""Detail pages of every main record. Each builds its context, then a ``Footnotes``."""

from django.shortcuts import render

from investigations.caching import cache_keyed_on
from investigations.citations import Footnotes
from investigations.models import (
    Concern,
    ConcernParty,
    Contract,
    Framework,
    Organisation,
    Person,
    Site,
    Source,
    blank_private_links,
)
from investigations.network.as_of import EXPLANATION, parse_as_of
from investigations.network.graph import neighbourhood
from investigations.network.picture import picture_of

from .claims import claims_page
from .lookup import detail_view
from .profiles import (
    cited_records,
    group_sections,
    organisation_profile,
    published_parties,
    withhold_from_profile,
)

# How far out a record page's network goes: one step, but for a site, where the companies
# that finance, procure and operate it meet, three (its owners' owners, its contractors').
SECTION_DEPTH = {Site: 3}


def render_detail(request, template, record, rows, **context):
    """Render with footnotes for the record and its cited ``rows`` (a name → list dict).

    Links to records the public may not see are blanked; claims backed only by unpublished
    sources are withheld from the record and the rows.
    """
    records = [record, *(row for listed in rows.values() for row in listed)]
    graph = neighbourhood(record, SECTION_DEPTH.get(type(record), 1))
    footnotes = Footnotes([*blank_private_links(records), *graph.cited_records()])
    footnotes.withhold([record])
    rows = {name: footnotes.withhold(listed) for name, listed in rows.items()}
    network = picture_of(graph, footnotes)
    context.update(rows, record=record, footnotes=footnotes, network=network)
    return render(request, f"investigations/{template}", context)


def show_organisation(request, organisation):
    try:
        as_of = parse_as_of(request.GET.get("as_of", ""))
    except ValueError as error:
        context = {"record": organisation, "as_of_error": str(error)}
        return render(request, "investigations/as_of_error.html", context, status=400)
    profile = organisation_profile(organisation, as_of)
    graph = neighbourhood(organisation, as_of=as_of)
    records = blank_private_links(cited_records(organisation, profile))
    footnotes = Footnotes([*records, *graph.cited_records()])
    withhold_from_profile(footnotes, organisation, profile)
    group_sections(profile)
    context = {
        "organisation": organisation,
        "record": organisation,
        "footnotes": footnotes,
        "network": picture_of(graph, footnotes),
        "as_of_explanation": EXPLANATION,
        "page_description": f"{organisation.name}: {organisation.get_kind_display()}"
        " — contracts, concerns, ownership and sources.",
    }
    return render(request, "investigations/organisation_detail.html", {**context, **profile})


def show_contract(request, contract):
    parties = list(published_parties().filter(contract=contract))
    concerns = list(contract.concerns.published())
    return render_detail(
        request, "contract_detail.html", contract, {"parties": parties}, concerns=concerns
    )


def show_concern(request, concern):
    parties = list(
        ConcernParty.objects.published()
        .filter(concern=concern)
        .select_related("organisation", "parent_at_time")
    )
    context = {
        "contracts": list(concern.contracts.published()),
        "people": list(concern.people.published()),
    }
    return render_detail(request, "concern_detail.html", concern, {"parties": parties}, **context)


def show_person(request, person):
    roles = list(person.roles.published().select_related("organisation").order_by("start"))
    concerns = list(person.concerns.published())
    return render_detail(request, "person_detail.html", person, {"roles": roles}, concerns=concerns)


def show_site(request, site):
    roles = list(site.roles.published().select_related("organisation"))
    contracts = list(site.contracts.published())
    # Every party to the contracts at the site, so the page names all who finance, buy,
    # equip, advise and run it, not only those with a role at the site itself.
    parties = list(published_parties().filter(contract__site=site).order_by("contract", "role"))
    rows = {"roles": roles, "parties": parties}
    return render_detail(request, "site_detail.html", site, rows, contracts=contracts)


# A framework's page shows this many of its call-offs, the latest first; the contracts list,
# filtered by the framework, has every one. A national framework has thousands.
FRAMEWORK_CALL_OFFS = 50


def show_framework(request, framework):
    memberships = list(framework.memberships.published().select_related("organisation"))
    latest = framework.call_offs.published().order_by("-awarded", "-pk")
    call_offs = list(latest[: FRAMEWORK_CALL_OFFS + 1])
    return render_detail(
        request,
        "framework_detail.html",
        framework,
        {"memberships": memberships},
        call_offs=call_offs[:FRAMEWORK_CALL_OFFS],
        more_call_offs=len(call_offs) > FRAMEWORK_CALL_OFFS,
    )


def show_source(request, source):
    after = request.GET.get("after", "")
    after = int(after) if after.isdigit() and len(after) < 19 else 0
    claims, more = claims_page(source, after)
    context = {
        "source": source,
        "record": source,
        "claims": claims,
        "after": after,
        "later": claims[-1].citation.pk if more else None,
    }
    return render(request, "investigations/source_detail.html", context)


organisation_detail = cache_keyed_on("as_of")(detail_view(Organisation, show_organisation))
contract_detail = cache_keyed_on()(detail_view(Contract, show_contract))
concern_detail = cache_keyed_on()(detail_view(Concern, show_concern))
person_detail = cache_keyed_on()(detail_view(Person, show_person))
site_detail = cache_keyed_on()(detail_view(Site, show_site))
framework_detail = cache_keyed_on()(detail_view(Framework, show_framework))
source_detail = cache_keyed_on("after")(detail_view(Source, show_source))
