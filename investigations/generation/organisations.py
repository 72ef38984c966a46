"""Generated sources, and organisations with their identifiers, aliases and summaries."""

import datetime

from investigations import models, search

from . import names
from .base import PREFIX, THIS_YEAR, partial_date

SOURCE_POOLS = {
    "notices": ("dataset", "official_register", "Contract award notices"),
    "accounts": ("annual_report", "official_register", "Annual report and accounts"),
    "register": ("company_filing", "official_register", "Companies House register extract"),
    "news": ("news_article", "third_party", "Trade press report"),
    "regulator": ("regulator_record", "official_register", "Regulator's published decision"),
}
SOURCE_FIELDS = ("id", "title", "slug", "kind", "source_type", "publisher", "published_on")
SOURCE_FIELDS += ("url", "accessed_on", "status", "published_at")
ORG_FIELDS = ("id", "name", "normalised_name", "slug", "kind", "org_status", "country")
ORG_FIELDS += ("website", "founded", "dissolved", "summary", "status", "published_at")
SCHEMES = {"company": "GB-COH", "llp": "GB-COH", "lp": "GB-COH", "fund": "GB-COH"}
SCHEMES |= {"nhs_trust": "GB-NHS", "charity": "GB-CHC", "public_body": "GB-GOR"}
IDENTIFIER_VALUES = {  # distinct per organisation, and from the demo data's
    "GB-COH": "{:08d}".format,
    "GB-NHS": "R{:07d}".format,
    "GB-CHC": "{:09d}".format,
    "GB-GOR": "GEN{:07d}".format,
}
SUPPLIER_KINDS = ("company", "llp", "charity", "consortium")
OWNER_KINDS = ("company", "fund", "lp")
BUYER_KINDS = ("nhs_trust", "public_body")
RECORD_QUOTES = ("Registered office and status", "Listed in the register", "Entry found")


class Organisations:
    def make_sources(self):
        total = sum(self.plan.sources.values())
        ids = iter(self.writer.ids(models.Source, total))
        self.draft_sources = {}
        with self.progress("sources", total) as bar:
            for pool, count in self.plan.sources.items():
                self._source_pool(pool, count, ids)
                bar.update(count)
            self.rows.flush()

    def _source_pool(self, pool, count, ids):
        kind, source_type, title = SOURCE_POOLS[pool]
        self.sources[pool], self.draft_sources[pool] = [], []
        for number in range(1, count + 1):
            source_id = next(ids)
            # The first of each pool is published and the second a draft, however few.
            status = {1: ("published", self.now), 2: ("draft", None)}.get(number) or self.status()
            named, publisher = f"{title} {number:,}", f"{pool.capitalize()} desk"
            row = (source_id, named, f"{PREFIX}source-{source_id}", kind, source_type, publisher)
            row += (partial_date(self.rng, 2012, 2025), f"https://example.org/{pool}/{number}")
            self.add(models.Source, SOURCE_FIELDS, (*row, datetime.date(THIS_YEAR, 11, 1), *status))
            if status[0] == "published":
                self.document("source", source_id, named, publisher)
            (self.sources if status[0] == "published" else self.draft_sources)[pool].append(
                source_id
            )

    def make_organisations(self):
        kinds = self.plan.organisation_kinds(self.rng)
        ids = self.writer.ids(models.Organisation, len(kinds))
        for start, end in self.chunks("organisations", len(kinds)):
            for number in range(start, end):
                self._organisation(ids[number], kinds[number], number)

    def _organisation(self, org_id, kind, number):
        rng = self.rng
        if kind == "regulator":
            name, status = names.REGULATORS[number % len(names.REGULATORS)], ("published", self.now)
        else:
            name, status = names.organisation_name(rng, kind), self.status()
        org_status = rng.choices(
            ("active", "dissolved", "in_liquidation", "in_administration", "merged"),
            (88, 6, 3, 2, 1),
        )[0]
        founded = partial_date(rng, 1950, 2020)
        ended = org_status in ("dissolved", "merged")
        dissolved = partial_date(rng, int(founded[:4]) + 2, 2025) if ended else ""
        country = "GB" if rng.random() < 0.9 else rng.choice(("IE", "NL", "DE", "US", "ZA"))
        website = f"https://www.{org_id}.example.com/" if rng.random() < 0.4 else ""
        summary = self._summary(name, kind) if rng.random() < self.plan.summary_share else ""
        row = (org_id, name, models.normalise_name(name), f"{PREFIX}organisation-{org_id}", kind)
        row += (org_status, country, website, founded, dissolved, summary, *status)
        self.add(models.Organisation, ORG_FIELDS, row)
        self.org_names[org_id] = name
        self._pool(org_id, kind, status[0] == "published")
        self._cite_organisation(org_id, org_status, founded, summary)
        terms = self._identifier(org_id, kind)
        alias = self._alias(org_id, name) if rng.random() < self.plan.alias_share else ""
        if status[0] == "published":
            self.document("organisation", org_id, name, alias, *terms, summary)

    def _summary(self, name, kind):
        does = "commissions diagnostic services" if kind in BUYER_KINDS else "provides services"
        return f"{name} {does} in the {self.rng.choice(names.REGIONS)} region.[^g1]"

    def _pool(self, org_id, kind, published):
        self.orgs["all"].append(org_id)
        if kind == "regulator":
            self.orgs["regulators"].append(org_id)
        if not published:
            return
        for pool, kinds in (("buyers", BUYER_KINDS), ("suppliers", SUPPLIER_KINDS)):
            if kind in kinds:
                self.orgs[pool].append(org_id)
        if kind in OWNER_KINDS:
            self.orgs["owners"].append(org_id)

    def _cite_organisation(self, org_id, org_status, founded, summary):
        register = self.source("register")
        quote = self.rng.choice(RECORD_QUOTES)
        self.cite(models.Organisation, org_id, register, quote=quote)
        self.cite(models.Organisation, org_id, register, field="org_status", value=org_status)
        self.cite(models.Organisation, org_id, register, field="founded", value=founded)
        if summary:
            self.cite_passage(
                models.Organisation, org_id, self.source("news"), "summary", summary, "g1"
            )

    def _identifier(self, org_id, kind):
        scheme = SCHEMES.get(kind)
        if not scheme or self.rng.random() > self.plan.identifier_share:
            return ()
        value = IDENTIFIER_VALUES[scheme](90_000_000 + org_id)
        identifier_id = self.new_id(models.Identifier)
        fields = ("id", "organisation", "scheme", "value")
        self.add(models.Identifier, fields, (identifier_id, org_id, scheme, value))
        quote = f"Company number {value}"
        self.cite(models.Identifier, identifier_id, self.source("register"), quote=quote)
        return search.identifier_terms(f"{scheme}-{value}", value)

    def _alias(self, org_id, name):
        kind = self.rng.choice(("former", "trading", "short"))
        words = name.split()
        alias = {
            "former": f"{names.coined(self.rng, 3)} {self.rng.choice(names.TRADES)} Ltd",
            "trading": f"{words[0]} {self.rng.choice(names.TRADES)}",
            "short": "".join(word[0] for word in words if word[0].isupper()),
        }[kind]
        alias_id = self.new_id(models.OrganisationAlias)
        fields = ("id", "organisation", "name", "normalised_name", "kind")
        row = (alias_id, org_id, alias, models.normalise_name(alias), kind)
        self.add(models.OrganisationAlias, fields, row)
        quote = f"Also known as {alias}"
        self.cite(models.OrganisationAlias, alias_id, self.source("register"), quote=quote)
        return alias
