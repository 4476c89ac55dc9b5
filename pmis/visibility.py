"""Why a user may see a row, one reason at a time.

A visibility selector (registrations_visible, projects_visible…) is the OR of its reasons: the
user's own rows, the ones waiting on him, those of the projects he is on. The search needs each
reason in two shapes besides: as a probe of one row (is this match his to see?) when it checks a
handful of keyword matches, and as the set of rows it names when those are few (a salesperson's
own) and should lead the query. A reason is a condition on the model's own columns, or the rows
of another table that point at it."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet


class _Probe(Exists):
    """EXISTS that PostgreSQL runs as written, an index lookup for each row asked about. Without
    the OFFSET it may turn the subquery into a hashed set of every row it names, and does so on
    estimates: a salesperson's inbox, estimated at thousands of tasks, was built in full (every
    open task joined to the one it waits for) to check a page of keyword matches."""

    template = "EXISTS(%(subquery)s OFFSET 0)"


@dataclass(frozen=True)
class Reason:
    condition: Q | None = None
    rows: QuerySet | None = None  # rows of another table naming the model's rows …
    column: str = ""  # … in this column

    def q(self) -> Q:
        if self.rows is None:
            return self.condition
        return Q(pk__in=self.rows.order_by().values(self.column))

    def probe(self):
        """The same reason asked of one row: an index lookup per row checked, never a set built
        of every row the reason names (a director's inbox, every project)."""
        if self.rows is None:
            return self.condition
        return _Probe(self.rows.order_by().filter(**{self.column: OuterRef("pk")}))

    def ids(self, model) -> QuerySet:
        if self.rows is None:
            return model.objects.filter(self.condition).order_by().values("pk")
        return self.rows.order_by().values(self.column)


def any_of(reasons: list[Reason], shape: str = "q") -> Q:
    condition = Q(pk__in=[])
    for reason in reasons:
        condition |= getattr(reason, shape)()
    return condition
