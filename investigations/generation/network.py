"""Generated ownership and other ties between organisations, their filings, and people."""

import datetime
from decimal import Decimal

from investigations import models

from . import names
from .base import PREFIX, THIS_YEAR, money, partial_date

RELATIONSHIP_FIELDS = ("id", "subject", "kind", "object", "share_min", "share_max", "value")
RELATIONSHIP_FIELDS += ("start", "end", "status", "published_at")
TIES = ("joint_venture", "partner_of", "lender_to", "investor_in", "adviser_to", "supplier_to")
FILING_FIELDS = ("id", "organisation", "period_end", "turnover", "operating_profit")
FILING_FIELDS += ("profit_before_tax", "net_assets", "employees")
PERSON_FIELDS = ("id", "name", "slug", "description", "status", "published_at")
ROLE_FIELDS = ("id", "person", "organisation", "kind", "title", "start", "end")


class Network:
    def make_relationships(self):
        """Most companies' parent, some acquisitions, and other ties."""
        owned = self.plan.owned(self.rng, self.orgs["suppliers"])
        for start, end in self.chunks("relationships", len(owned)):
            for subject in owned[start:end]:
                self._relationship(subject)

    def _relationship(self, company):
        rng = self.rng
        parent = rng.choice(self.orgs["owners"])
        if parent == company:
            return
        kind = rng.choices(("parent_of", "shareholder_in", "acquired", "tie"), (60, 15, 10, 15))[0]
        share = {"parent_of": rng.choice((100, 100, 75, 51)), "shareholder_in": rng.randint(5, 49)}
        share_min = share_max = share.get(kind)
        value = money(rng, 17, 1.5) if kind == "acquired" else None
        kind = rng.choice(TIES) if kind == "tie" else kind
        began = partial_date(rng, 1995, 2025)
        ended = partial_date(rng, int(began[:4]) + 1, 2026) if rng.random() < 0.1 else ""
        relationship_id = self.new_id(models.Relationship)
        row = (relationship_id, parent, kind, company, share_min, share_max, value, began, ended)
        self.add(models.Relationship, RELATIONSHIP_FIELDS, (*row, *self.status()))
        source = self.source("register" if share_min else "news")
        quote = f"{self.org_names[parent]} {kind.replace('_', ' ')} {self.org_names[company]}"
        self.cite(models.Relationship, relationship_id, source, quote=quote)
        if share_min is not None:
            self.cite(
                models.Relationship, relationship_id, source, field="share_min", value=share_min
            )
            self.cite(
                models.Relationship, relationship_id, source, field="share_max", value=share_max
            )

    def make_filings(self):
        """Accounts for several consecutive years of a share of the companies."""
        filers = self.plan.filers(self.rng, self.orgs["suppliers"])
        for start, end in self.chunks("financial filings", len(filers)):
            for company in filers[start:end]:
                self._filings(company)

    def _filings(self, company):
        rng = self.rng
        years = rng.randint(2, self.plan.filing_years)
        last = rng.randint(THIS_YEAR - 3, THIS_YEAR - 1)
        turnover = money(rng, 16, 1.8)
        source = self.source("accounts")
        for year in range(last - years + 1, last + 1):
            turnover = round(turnover * ratio(rng.gauss(1.04, 0.12)))
            profit = round(turnover * ratio(rng.uniform(-0.15, 0.2)))
            net_assets = round(turnover * ratio(rng.uniform(-0.2, 1.5)))
            employees = max(1, int(turnover / 80_000))
            filing_id = self.new_id(models.FinancialFiling)
            period = datetime.date(year, rng.choice((3, 12)), 31)
            row = (filing_id, company, period, turnover, profit, profit, net_assets, employees)
            self.add(models.FinancialFiling, FILING_FIELDS, row)
            quote = f"Turnover for the year ended {period:%d %B %Y}: £{turnover:,}"
            self.cite(models.FinancialFiling, filing_id, source, quote=quote)
            cited = {"turnover": turnover, "operating_profit": profit, "employees": employees}
            for field, value in cited.items():
                self.cite(models.FinancialFiling, filing_id, source, field=field, value=f"{value}")

    def make_people(self):
        """Directors, executives and a few politicians, each with one to three roles."""
        count = self.plan.people
        ids = self.writer.ids(models.Person, count)
        for start, end in self.chunks("people", count):
            for person_id in ids[start:end]:
                self._person(person_id)

    def _person(self, person_id):
        rng = self.rng
        kinds = rng.choices(tuple(names.ROLE_TITLES), (40, 25, 15, 10, 2, 8), k=rng.randint(1, 3))
        name = names.person_name(rng)
        description = f"{names.ROLE_TITLES[kinds[0]]} in the diagnostics sector"
        status = self.status()
        row = (person_id, name, f"{PREFIX}person-{person_id}", description, *status)
        self.add(models.Person, PERSON_FIELDS, row)
        if status[0] == "published":
            self.document("person", person_id, name, description)
        register = self.source("register")
        self.cite(models.Person, person_id, register, quote=f"{name}, appointed")
        self.cite(models.Person, person_id, register, field="description", value=description)
        for kind in kinds:
            self._role(person_id, kind, name)

    def _role(self, person_id, kind, name):
        rng = self.rng
        organisation = rng.choice(self.orgs["all"])
        began = partial_date(rng, 2000, 2025)
        ended = partial_date(rng, int(began[:4]) + 1, 2026) if rng.random() < 0.3 else ""
        role_id = self.new_id(models.Role)
        title = names.ROLE_TITLES[kind]
        row = (role_id, person_id, organisation, kind, title, began, ended)
        self.add(models.Role, ROLE_FIELDS, row)
        source = self.source("register")
        self.cite(models.Role, role_id, source, quote=f"{name}: {title}")
        self.cite(models.Role, role_id, source, field="start", value=began)


def ratio(number):
    """A float ratio as a Decimal of three places, so money stays exact."""
    return Decimal(f"{number:.3f}")
