"""Generated concerns: enforcement, fines, challenges, collapses, each with its parties."""

from investigations import models

from . import names
from .base import PREFIX, money, partial_date

CONCERN_FIELDS = ("id", "title", "slug", "kind", "concern_status", "regulator", "occurred")
CONCERN_FIELDS += ("action_count", "penalty", "summary", "status", "published_at")
STATUSES = ("reported", "alleged", "under_investigation", "upheld", "dismissed", "settled")


class Concerns:
    def make_concerns(self):
        count = self.plan.concerns
        ids = self.writer.ids(models.Concern, count)
        for start, end in self.chunks("concerns", count):
            for concern_id in ids[start:end]:
                self._concern(concern_id)

    def _concern(self, concern_id):
        rng = self.rng
        kind = rng.choice(tuple(names.CONCERN_TITLES))
        organisation = rng.choice(self.orgs["suppliers"])
        name = self.org_names[organisation]
        title = names.CONCERN_TITLES[kind].format(name=name)
        regulated = kind in ("enforcement", "fine", "market_power")
        regulator = rng.choice(self.orgs["regulators"]) if regulated else None
        penalty = money(rng, 11, 1.5) if kind == "fine" else None
        count = rng.randint(1, 15) if kind == "enforcement" else None
        occurred = partial_date(rng, 2010, 2026)
        summary = f"{title}, as the record of {occurred[:4]} sets out.[^c1]"
        row = (concern_id, title, f"{PREFIX}concern-{concern_id}", kind, rng.choice(STATUSES))
        status = self.status()
        row += (regulator, occurred, count, penalty, summary, *status)
        self.add(models.Concern, CONCERN_FIELDS, row)
        if status[0] == "published":
            self.document("concern", concern_id, title, summary)
        source = self.source("regulator" if regulated else "news")
        self.cite(models.Concern, concern_id, source, quote=title)
        self.cite(models.Concern, concern_id, source, field="occurred", value=occurred)
        self.cite_passage(models.Concern, concern_id, source, "summary", summary, "c1")
        if penalty is not None:
            quote = f"A penalty of £{penalty:,}"
            self.cite(
                models.Concern, concern_id, source, field="penalty", quote=quote, value=penalty
            )
        self._concern_parties(concern_id, organisation, source)

    def _concern_parties(self, concern_id, organisation, source):
        rng = self.rng
        parties = {organisation}
        if rng.random() < 0.4:
            parties.add(rng.choice(self.orgs["suppliers"]))
        for party in sorted(parties):
            party_id = self.new_id(models.ConcernParty)
            parent = rng.choice(self.orgs["owners"]) if rng.random() < 0.3 else None
            fields = ("id", "concern", "organisation", "named_as", "parent_at_time")
            self.add(models.ConcernParty, fields, (party_id, concern_id, party, "", parent))
            self.cite(models.ConcernParty, party_id, source, quote=f"{self.org_names[party]}")
        if rng.random() < 0.3:
            contract = rng.choice(self.contract_ids)
            fields = ("id", "concern", "contract")
            through = models.Concern.contracts.through
            self.add(through, fields, (self.new_id(through), concern_id, contract))
