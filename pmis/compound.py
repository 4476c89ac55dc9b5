"""UNION ALL of querysets that each keep their own ORDER BY and LIMIT (the first n rows of each
branch of an inbox, of each rank of a search).

PostgreSQL reads them as one compound statement, which can also stand as a subquery (pk__in). The
embedded default, SQLite, allows no ORDER BY or LIMIT in a compound's parts: there each part is
read alone and the rows are joined in Python, which its small demo data does not notice."""

from django.db import connections
from django.db.models import QuerySet


def union_all(querysets: list[QuerySet]):
    """The rows of every queryset in turn, duplicates kept: a queryset on PostgreSQL, a list on
    SQLite. Either can be iterated, sliced or given to pk__in."""
    first, *others = querysets
    if not others:
        return first
    if connections[first.db].features.supports_slicing_ordering_in_compound:
        return first.union(*others, all=True)
    return [row for queryset in querysets for row in queryset]
