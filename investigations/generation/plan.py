"""How many of each kind to generate, in proportion to the organisations and contracts asked.

Per 1,000,000 contracts and 100,000 organisations (the proportions scale with both):

- organisations: 70% companies, 7% NHS trusts, 3% other public bodies, 6% funds, 4% LLPs,
  3% LPs, 4% charities, 2% consortia, 1% universities, and up to 8 regulators; 85% of those
  on a register have an identifier (Companies House, ODS, charity or government), 20% an
  alias (former, trading or short name), 10% a one-sentence cited summary;
- contracts: one buyer (a second for 5%), one lead supplier drawn with a skew (a few
  suppliers hold many contracts) and 0.8 further parties on average (suppliers, consortium
  members, subcontractors, operators, funders, advisers); 25% are call-offs from one of
  200 frameworks (5 to 70 suppliers each), 3% at one of 5,000 sites (owner, operator and
  commissioner each), 10% with a cited description; each contract's record, value and
  award date, and each party, is cited to its award notice, the value with a quote;
- sources: 100,000 (one per 10 contracts): award notices 80%, accounts 7%, news 6%,
  register extracts 5%, regulators' decisions 2%;
- financial filings: 30% of supplier organisations, 2 to 5 consecutive years each;
- relationships: 35% of suppliers tied to an owner (parent, shareholder, acquirer, or a
  partnership, loan, investment...), with shares and prices where they apply;
- people: 25,000, each with one to three roles (director, chief executive, chair, MP...);
- concerns: 5,000 (one per 200 contracts), about a supplier and, for 40%, a second; 30%
  name a contract, those of regulators name the regulator;
- drafts: 2% of every kind of record (organisations, contracts, concerns, people, sites,
  frameworks, sources, relationships), and 2% of contract values cited only to a draft
  source, so the public filtering does real work.
"""

from dataclasses import dataclass

from . import names

ORGANISATION_KINDS = {"company": 70, "nhs_trust": 7, "public_body": 3, "fund": 6, "llp": 4}
ORGANISATION_KINDS |= {"lp": 3, "charity": 4, "consortium": 2, "academic": 1}
SOURCE_SHARES = {"notices": 80, "accounts": 7, "news": 6, "register": 5, "regulator": 2}
SMALLEST = 50  # organisations: enough for every pool (buyers, suppliers, owners) to be filled


@dataclass(frozen=True)
class Plan:
    organisations: int
    contracts: int
    draft_share: float = 0.02
    identifier_share: float = 0.85
    alias_share: float = 0.2
    summary_share: float = 0.1
    owned_share: float = 0.35
    filer_share: float = 0.3
    filing_years: int = 5
    call_off_share: float = 0.25
    site_share: float = 0.03
    description_share: float = 0.1

    def __post_init__(self):
        if self.organisations < SMALLEST or self.contracts < 1:
            raise ValueError(
                f"Generate at least {SMALLEST} organisations and 1 contract "
                f"(asked for {self.organisations:,} and {self.contracts:,})."
            )

    @property
    def sources(self):
        total = max(50, self.contracts // 10)
        return {pool: max(2, total * share // 100) for pool, share in SOURCE_SHARES.items()}

    @property
    def people(self):
        return self.organisations // 4

    @property
    def frameworks(self):
        return max(2, self.contracts // 5000)

    @property
    def sites(self):
        return max(5, self.contracts // 200)

    @property
    def concerns(self):
        return max(10, self.contracts // 200)

    def organisation_kinds(self, rng):
        regulators = min(len(names.REGULATORS), max(2, self.organisations // 5000))
        others = self.organisations - regulators
        weights = tuple(ORGANISATION_KINDS.values())
        return ["regulator"] * regulators + rng.choices(
            tuple(ORGANISATION_KINDS), weights, k=others
        )

    def owned(self, rng, suppliers):
        return rng.sample(suppliers, int(len(suppliers) * self.owned_share))

    def filers(self, rng, suppliers):
        return rng.sample(suppliers, int(len(suppliers) * self.filer_share))
