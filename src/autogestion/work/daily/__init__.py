"""The daily plan made at a body's evening meeting (R3, R12, R13): services, queries,
rules, pages, API, calendar feed and demo. Its models are in work/models.py."""
