"""The database in the standards' own formats: FollowTheMoney (ftm) and OCDS (ocds).

Both show what the public pages show, and nothing else: published records, the links
between them when both ends are published, claims as the pages withhold them (a value
backed only by an unpublished source is left out), and citations to published sources.
"""
