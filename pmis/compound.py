"""UNION ALL of querysets that each keep their own ORDER BY and LIMIT (the first n rows of each
branch of an inbox, of each rank of a search), and several counts read in one statement.

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


def counts(*, limit: int | None = None, **querysets: QuerySet) -> dict[str, int]:
    """How many rows each queryset has, read in one statement: a scalar subquery per count, so
    that each keeps the plan it would have alone (an index-only count), in one round trip. With
    `limit`, each is counted no further than limit + 1 rows (more than the limit: limit + 1)."""
    parts, params, db = [], [], None
    for queryset in querysets.values():
        db = db or queryset.db
        rows = queryset.order_by().values("pk")
        if limit is not None:
            rows = rows[: limit + 1]
        sql, part_params = rows.query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) counted)")
        params.extend(part_params)
    with connections[db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return dict(zip(querysets, row, strict=True))
