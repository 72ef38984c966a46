"""The read-only JSON API under /api/: published records, their citations, and the rows
that link them, as resources with URLs (README "Using the data")."""
