"""Generated data for the benchmarks: ``manage.py generate_demo_data``'s, from Python.

Every generated contract has a buyer, a supplier and citations, like real data, and the
search index is rebuilt; ``investigations.generation.plan`` gives the proportions.
"""

from investigations import generation


def generate(organisations=10_000, contracts=100_000, seed=1):
    """Generate anew, replacing any generated data already there; curated data stays."""
    return generation.generate(organisations, contracts, seed=seed, replace=True)
