"""Generated frameworks, sites, contracts with their parties, and concerns."""

from investigations import models

from . import names
from .base import PREFIX, THIS_YEAR, Weights, money, partial_date

FRAMEWORK_FIELDS = ("id", "name", "slug", "reference", "buyer", "value", "supplier_count")
FRAMEWORK_FIELDS += ("service_category", "start", "end", "status", "published_at")
SITE_FIELDS = ("id", "name", "slug", "kind", "locality", "region", "opened", "status")
SITE_FIELDS += ("published_at",)
CONTRACT_FIELDS = ("id", "title", "slug", "reference", "framework", "site", "value", "currency")
CONTRACT_FIELDS += ("value_kind", "awarded", "start", "end", "duration_months")
CONTRACT_FIELDS += ("extension_options", "procurement_route", "contract_status")
CONTRACT_FIELDS += ("service_category", "region", "lot", "description", "status", "published_at")
PARTY_FIELDS = ("id", "contract", "organisation", "role")
ROUTES = {"open": 30, "restricted": 10, "negotiated": 5, "direct_award": 10, "aqp": 5}
ROUTES = Weights(ROUTES | {"competitive_dialogue": 3, "partnership": 2, "unknown": 10})
CATEGORIES = {"mri": 25, "ct": 15, "imaging": 25, "cdc": 10, "pet_ct": 8}
CATEGORIES = Weights(CATEGORIES | {"radiopharmaceuticals": 5, "other": 12})
TITLES = {  # "Mobile MRI scanning services", for each category
    category: tuple(form.format(service=service) for form in names.CONTRACT_FORMS)
    for category, service in names.SERVICES.items()
}
TITLES = {
    category: tuple(f"{t[0].upper()}{t[1:]}" for t in forms) for category, forms in TITLES.items()
}
CHANGED_STATUSES = Weights({"": 97, "terminated": 2, "challenged": 1})  # "": as the dates say
VALUE_KINDS = Weights({"total": 75, "annual": 10, "estimated": 10, "ceiling": 5})
EXTRA_PARTIES = Weights({0: 45, 1: 35, 2: 15, 3: 5})
OTHER_ROLES = ("supplier", "consortium_member", "subcontractor", "operator")
OTHER_ROLES += ("equipment_supplier", "funder", "adviser")
ROLE_WORDS = {role: role.replace("_", " ") for role in (*OTHER_ROLES, "buyer", "lead_supplier")}
MONTHS = (12, 24, 36, 36, 48, 60, 60, 84, 120)


class Contracts:
    def make_frameworks(self):
        count = self.plan.frameworks
        ids = self.writer.ids(models.Framework, count)
        self.frameworks = []
        with self.progress("frameworks", count) as bar:
            for framework_id in ids:
                self._framework(framework_id)
                bar.update(1)
            self.rows.flush()

    def _framework(self, framework_id):
        rng = self.rng
        category = rng.weighted(CATEGORIES)
        members = rng.sample(
            self.orgs["suppliers"], min(len(self.orgs["suppliers"]), rng.randint(5, 70))
        )
        began = partial_date(rng, 2012, 2024)
        name = f"{names.SERVICES[category].capitalize()} framework {framework_id}"
        row = (framework_id, name, f"{PREFIX}framework-{framework_id}", f"FW-{framework_id}")
        row += (rng.choice(self.orgs["buyers"]), money(rng, 20, 1), len(members), category)
        status = self.status()
        row += (began, f"{int(began[:4]) + 4}", *status)
        self.add(models.Framework, FRAMEWORK_FIELDS, row)
        if status[0] == "published":
            self.document("framework", framework_id, name, row[3])
        source = self.source("notices")
        self.cite(models.Framework, framework_id, source, quote=f"{name}: award of framework")
        self.cite(
            models.Framework, framework_id, source, field="supplier_count", value=len(members)
        )
        for lot, organisation in enumerate(members):
            membership_id = self.new_id(models.FrameworkMembership)
            fields = ("id", "framework", "organisation", "lot")
            row = (membership_id, framework_id, organisation, f"Lot {lot % 4 + 1}")
            self.add(models.FrameworkMembership, fields, row)
            quote = f"Appointed to {name}"
            self.cite(models.FrameworkMembership, membership_id, source, quote=quote)
        self.frameworks.append((framework_id, members))

    def make_sites(self):
        count = self.plan.sites
        ids = self.writer.ids(models.Site, count)
        self.sites = list(ids)
        with self.progress("sites", count) as bar:
            for site_id in ids:
                self._site(site_id)
                bar.update(1)
            self.rows.flush()

    def _site(self, site_id):
        rng = self.rng
        town = names.place(rng)
        name = f"{town} {rng.choice(names.SITE_FORMS)}"
        kind = rng.choice(("cdc", "scanning_unit", "hospital", "mobile_unit"))
        opened = partial_date(rng, 2005, 2025)
        region, status = rng.choice(names.REGIONS), self.status()
        row = (site_id, name, f"{PREFIX}site-{site_id}", kind, town, region)
        self.add(models.Site, SITE_FIELDS, (*row, opened, *status))
        if status[0] == "published":
            self.document("site", site_id, name, region, town)
        source = self.source("news")
        self.cite(models.Site, site_id, source, quote=f"{name} opened")
        self.cite(models.Site, site_id, source, field="opened", value=opened)
        roles = {"owner": "owners", "operator": "suppliers", "commissioner": "buyers"}
        for kind, pool in roles.items():
            role_id = self.new_id(models.SiteRole)
            began = partial_date(rng, int(opened[:4]), 2025)
            fields = ("id", "site", "organisation", "kind", "start")
            self.add(
                models.SiteRole,
                fields,
                (role_id, site_id, rng.choice(self.orgs[pool]), kind, began),
            )
            self.cite(models.SiteRole, role_id, source, quote=f"The {kind} of {name}")

    def make_contracts(self):
        count = self.plan.contracts
        ids = self.contract_ids = self.writer.ids(models.Contract, count)
        self.contract_rows = self.rows.of(models.Contract, CONTRACT_FIELDS)
        self.party_rows = self.rows.of(models.ContractParty, PARTY_FIELDS)
        self.party_ids = self.writer.counter(models.ContractParty)
        for start, end in self.chunks("contracts", count):
            for number in range(start, end):
                self._contract(ids[number], number)

    def _contract(self, contract_id, number):
        rng = self.rng
        category = rng.weighted(CATEGORIES)
        buyer = rng.choice(self.orgs["buyers"])
        call_off = rng.random() < self.plan.call_off_share
        framework, members = rng.choice(self.frameworks) if call_off else (None, None)
        supplier = rng.choice(members) if call_off else self._supplier()
        title = f"{rng.choice(TITLES[category])} for {self.org_names[buyer]}"
        awarded = partial_date(rng, 2012, THIS_YEAR)
        year = int(awarded[:4])
        months = rng.choice(MONTHS)
        ends = year + months // 12
        status = "ended" if ends < THIS_YEAR else ("active" if year < THIS_YEAR else "awarded")
        status = rng.weighted(CHANGED_STATUSES) or status
        value = money(rng, 13, 1.7, least=5000)
        route = "call_off" if call_off else rng.weighted(ROUTES)
        site = rng.choice(self.sites) if rng.random() < self.plan.site_share else None
        described = rng.random() < self.plan.description_share
        description = (
            f"{title} in the {rng.choice(names.REGIONS)} region.[^d1]" if described else ""
        )
        reference = f"GEN-{year}-{number:07d}"
        region = rng.choice(names.REGIONS)
        published = self.status()
        self.contract_rows.append(
            (
                contract_id,
                title,
                f"{PREFIX}contract-{contract_id}",
                reference,
                framework,
                site,
                value,
                "GBP" if rng.random() < 0.98 else "EUR",
                rng.weighted(VALUE_KINDS),
                awarded,
                awarded,
                f"{ends}",
                months,
                "Optional 12-month extensions" if rng.random() < 0.3 else "",
                route,
                status,
                category,
                region,
                f"Lot {rng.randint(1, 6)}" if call_off else "",
                description,
                *published,
            )
        )
        if published[0] == "published":
            self.document("contract", contract_id, title, reference, region, description)
        notice = self.sources["notices"][contract_id % len(self.sources["notices"])]
        self._cite_contract(contract_id, notice, title, value, awarded, description)
        self._parties(contract_id, notice, buyer, supplier)

    def _supplier(self):
        """Skewed: a few suppliers hold many contracts, as in the market."""
        suppliers = self.orgs["suppliers"]
        return suppliers[int(len(suppliers) * self.rng.random() ** 2)]

    def _cite_contract(self, contract_id, notice, title, value, awarded, description):
        rng = self.rng
        self.cite(models.Contract, contract_id, notice, quote=f"Award notice: {title}")
        withheld = self.draft_sources["news"] and rng.random() < self.plan.draft_share
        # A value only a draft source backs is withheld from the public until it is published.
        backs = rng.choice(self.draft_sources["news"]) if withheld else notice
        quote = f"Total value of the contract: £{value:,}"
        self.cite(models.Contract, contract_id, backs, field="value", quote=quote, value=value)
        self.cite(models.Contract, contract_id, notice, field="awarded", value=awarded)
        if description:
            self.cite_passage(
                models.Contract, contract_id, notice, "description", description, "d1"
            )

    def _parties(self, contract_id, notice, buyer, supplier):
        rng = self.rng
        parties = {(buyer, "buyer"), (supplier, "lead_supplier")}
        if rng.random() < 0.05:
            parties.add((rng.choice(self.orgs["buyers"]), "buyer"))
        for _ in range(rng.weighted(EXTRA_PARTIES)):
            parties.add((rng.choice(self.orgs["all"]), rng.choice(OTHER_ROLES)))
        for organisation, role in sorted(parties):
            party_id = next(self.party_ids)
            self.party_rows.append((party_id, contract_id, organisation, role))
            quote = f"{self.org_names[organisation]} ({ROLE_WORDS[role]})"
            self.cite(models.ContractParty, party_id, notice, quote=quote)
