"""The public's data to take away: downloads of the lists and bulk dumps, built on one
reading of published records (``records``)."""
