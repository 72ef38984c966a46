"""Words the generated records are named and described with: plausible, never real.

Company names are made of syllables, so that a hundred thousand of them are nearly all
different and each is a word the search index can find on its own.
"""

SYLLABLES = [
    "al",
    "ar",
    "bel",
    "bran",
    "cal",
    "cor",
    "dan",
    "del",
    "en",
    "fal",
    "gar",
    "hal",
    "har",
    "kel",
    "ken",
    "lan",
    "lor",
    "mar",
    "mer",
    "nor",
    "or",
    "pen",
    "ran",
    "ros",
    "sal",
    "tan",
    "tor",
    "val",
    "ven",
    "wen",
]
PLACE_ENDINGS = ("ford", "ton", "bury", "field", "ham", "wick", "mouth", "ley", "bridge", "stead")
TRADES = (
    "Imaging",
    "Diagnostics",
    "Healthcare",
    "Medical",
    "Scanning",
    "Radiology",
    "Clinical Services",
    "Molecular Imaging",
    "Pathology",
    "Care Partners",
    "Health Services",
    "Medical Equipment",
    "Estates",
    "Facilities Management",
)
INVESTOR_WORDS = ("Capital", "Infrastructure Partners", "Investments", "Asset Management", "Equity")
COMPANY_SUFFIXES = ("Ltd", "Limited", "Holdings Ltd", "Group plc", "UK Ltd")
TRUST_FORMS = (
    "NHS Foundation Trust",
    "Hospitals NHS Foundation Trust",
    "University Hospitals NHS Trust",
    "Community Health NHS Trust",
    "Healthcare NHS Trust",
)
PUBLIC_BODY_FORMS = ("Integrated Care Board", "County Council", "Health Board", "Borough Council")
CHARITY_FORMS = ("Hospice", "Health Trust", "Cancer Care", "Community Foundation")
CONSORTIUM_FORMS = ("Imaging Network", "Diagnostics Alliance", "Provider Collaborative")
ACADEMIC_FORMS = ("University", "Institute of Health Research")
REGULATORS = (
    "Care Quality Commission",
    "Competition and Markets Authority",
    "Health and Safety Executive",
    "Environment Agency",
    "Information Commissioner's Office",
    "Medicines and Healthcare products Regulatory Agency",
    "Financial Conduct Authority",
    "Charity Commission",
)

REGIONS = (
    "North East and Yorkshire",
    "North West",
    "Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
    "Wales",
    "Scotland",
)
SERVICES = {
    "mri": "MRI scanning",
    "ct": "CT scanning",
    "pet_ct": "PET-CT imaging",
    "cdc": "community diagnostic centre",
    "imaging": "diagnostic imaging",
    "radiopharmaceuticals": "radiopharmaceutical supply",
    "other": "diagnostic support",
}
CONTRACT_FORMS = (
    "Provision of {service} services",
    "Mobile {service} services",
    "{service} capacity",
    "Managed {service} service",
    "Insourced {service} sessions",
)
FIRST_NAMES = [
    "Alex",
    "Amira",
    "Ben",
    "Catherine",
    "David",
    "Eleanor",
    "Farid",
    "Grace",
    "Hamish",
    "Helen",
    "Imran",
    "James",
    "Joanna",
    "Kwame",
    "Laura",
    "Mark",
    "Nadia",
    "Oliver",
    "Priya",
    "Rachel",
    "Samuel",
    "Sarah",
    "Thomas",
    "Una",
    "Victoria",
    "William",
    "Yusuf",
    "Zoe",
]
SURNAMES = [
    "Ahmed",
    "Baker",
    "Chen",
    "Clarke",
    "Davies",
    "Evans",
    "Fletcher",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Nash",
    "Okafor",
    "Patel",
    "Quinn",
    "Roberts",
    "Shah",
    "Taylor",
    "Turner",
    "Walsh",
    "Williams",
    "Wright",
    "Young",
]
ROLE_TITLES = {
    "director": "Director",
    "non_executive": "Non-executive director",
    "executive": "Chief executive",
    "chair": "Chair",
    "politician": "Member of Parliament",
    "adviser": "Senior adviser",
}
CONCERN_TITLES = {
    "enforcement": "Inspection finds {name} services require improvement",
    "fine": "{name} fined over patient safety failings",
    "legal_case": "Losing bidder challenges award to {name}",
    "political": "Director of {name} donated to a governing party",
    "market_power": "Regulator examines {name} acquisition",
    "financial_collapse": "{name} enters administration",
    "service_failure": "Scan backlog at {name} centres",
}
SITE_FORMS = ("Community Diagnostic Centre", "Imaging Centre", "Diagnostic Hub", "Scanning Unit")


def coined(rng, syllables=2):
    """A made-up word, capitalised: "Corvanel"."""
    return "".join(rng.choice(SYLLABLES) for _ in range(syllables)).capitalize()


def place(rng):
    return coined(rng, 1 + (rng.random() < 0.5)) + rng.choice(PLACE_ENDINGS)


def organisation_name(rng, kind):
    if kind == "nhs_trust":
        return f"{place(rng)} {rng.choice(TRUST_FORMS)}"
    if kind == "public_body":
        return f"{place(rng)} {rng.choice(PUBLIC_BODY_FORMS)}"
    if kind == "charity":
        return f"{place(rng)} {rng.choice(CHARITY_FORMS)}"
    if kind == "consortium":
        return f"{place(rng)} {rng.choice(CONSORTIUM_FORMS)}"
    if kind == "academic":
        return f"{place(rng)} {rng.choice(ACADEMIC_FORMS)}"
    if kind in ("fund", "lp"):
        form = "LP" if kind == "lp" else "Ltd"
        return f"{coined(rng, 3)} {rng.choice(INVESTOR_WORDS)} {form}"
    if kind == "llp":
        return f"{coined(rng, 3)} {rng.choice(TRADES)} LLP"
    return f"{coined(rng, 3)} {rng.choice(TRADES)} {rng.choice(COMPANY_SUFFIXES)}"


def person_name(rng):
    return f"{rng.choice(FIRST_NAMES)} {coined(rng, 2)}-{rng.choice(SURNAMES)}"
