"""Statements kept compiled, run again with new values.

Building a queryset of a dozen conditions and compiling it costs more than PostgreSQL spends
running it (the search's visibility: an OR of a person's reasons, each a subquery). A statement
whose text changes only with who asks is compiled once, with markers where the changing values
go (the keyword typed, the ids a first statement found, a bound), and kept by the caller's key;
each run puts the values in the markers' places. Kept per process, bounded (emptied when full).

Only on PostgreSQL (`= ANY(%s)` takes a list of any length); elsewhere the queryset is built with
the values and run as it is, so both give the same rows.

On connections kept between requests, a statement run again and again can also be prepared on
the server (`run_prepared`, `prepared_with_one_value`), so that PostgreSQL plans it once per
connection rather than on every page."""

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

# A keyword no one types (private-use characters, nothing LIKE escapes), and ids no table reaches.
KEYWORD = "\ue000pmis-keyword\ue000"
IDS = 2147483646
BOUNDS = (2147483645, 2147483644, 2147483643, 2147483642)

_KEPT: dict[tuple, "Kept | None"] = {}
KEPT_MAX = 4096

_PLACEHOLDER = re.compile(r"%%|%s")


@dataclass(frozen=True)
class Kept:
    sql: str
    params: tuple
    slots: tuple  # (position, what): "keyword", "like" (the keyword inside a LIKE pattern), "ids", a bound's index
    db: str

    def run(self, *, keyword: str = "", ids: Sequence[int] = (), bounds: Sequence = ()) -> list[tuple]:
        values = list(self.params)
        like = connections[self.db].ops.prep_for_like_query(keyword) if keyword else ""
        for position, what in self.slots:
            if what == "keyword":
                values[position] = keyword
            elif what == "like":
                values[position] = self.params[position].replace(KEYWORD, like)
            elif what == "ids":
                values[position] = list(ids)
            else:
                values[position] = bounds[what]
        with connections[self.db].cursor() as cursor:
            cursor.execute(self.sql, values)
            return cursor.fetchall()


def _slot(param):
    if param == KEYWORD:
        return "keyword"
    if isinstance(param, str) and KEYWORD in param:
        return "like"
    if isinstance(param, int) and not isinstance(param, bool):
        if param == IDS:
            return "ids"
        if param in BOUNDS:
            return BOUNDS.index(param)
    return None


def compile_kept(queryset: QuerySet) -> Kept | None:
    """The queryset (built with the markers) as a kept statement; None when it cannot be kept
    (not PostgreSQL, or a marker that did not come through as a value of its own)."""
    db = queryset.db
    if connections[db].vendor != "postgresql":
        return None
    sql, params = queryset.query.sql_with_params()
    params = tuple(params)
    slots = tuple((i, what) for i, p in enumerate(params) if (what := _slot(p)) is not None)
    pieces, at, index = [], 0, 0
    for match in _PLACEHOLDER.finditer(sql):
        if match.group() == "%%":
            continue
        if params[index] == IDS and not isinstance(params[index], bool):
            before, after = sql[at : match.start()], sql[match.end() :]
            if not (before.endswith(" IN (") and after.startswith(")")):
                return None  # ids anywhere but `column IN (marker)`: not a list we can pass
            pieces.append(before[: -len(" IN (")] + " = ANY(%s")
            at = match.end()
        index += 1
    if index != len(params):
        return None
    pieces.append(sql[at:])
    sql = "".join(pieces)
    if KEYWORD in sql or str(IDS) in sql:
        return None  # a marker written into the text, not passed as a value
    return Kept(sql, params, slots, db)


def kept(key: tuple, build: Callable[[], QuerySet]) -> Kept | None:
    """The statement kept under `key`, compiled from build() (a queryset holding the markers)
    the first time; None when it cannot be kept (the caller then runs its queryset itself)."""
    try:
        return _KEPT[key]
    except KeyError:
        pass
    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        return None
    statement = compile_kept(build())
    if len(_KEPT) >= KEPT_MAX:
        _KEPT.clear()
    _KEPT[key] = statement
    return statement


# Server-side prepared statements, per connection: how many one connection keeps before it lets
# them all go (each holds a plan in the server's memory for as long as the connection lives).
PREPARED_MAX = 128
_prepared_names = itertools.count(1)


def _preparing(connection) -> bool:
    # a connection closed at the end of each request (CONN_MAX_AGE 0) would plan it again anyway
    return connection.vendor == "postgresql" and bool(connection.settings_dict.get("CONN_MAX_AGE"))


def prepared(cursor, connection, key: tuple, text: Callable[[], str]) -> str:
    """The name of the statement prepared under `key` on this connection (text(): its SQL, values
    as $1, $2… or written in), preparing it the first time. Not through a pooler in transaction
    mode (PgBouncer's default): a prepared statement belongs to one server connection."""
    raw = connection.connection
    kept = getattr(connection, "_pmis_prepared", None)
    if kept is None or kept[0] is not raw:  # a new connection holds none of them
        kept = (raw, {})
        connection._pmis_prepared = kept
    names = kept[1]
    name = names.get(key)
    if name is None:
        if len(names) >= PREPARED_MAX:
            cursor.execute("DEALLOCATE ALL")
            names.clear()
        name = f"pmis_kept_{next(_prepared_names)}"
        cursor.execute(f"PREPARE {name} AS {text()}")
        names[key] = name
    return name


def run_prepared(key: tuple, sql: str, params, *, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
    """Run a statement whose values never change for its key (a person's inbox branches) as a
    prepared statement of this connection, its values written in: PostgreSQL plans it once per
    connection rather than on every page (planning a dozen UNION-ed branches took as long as
    running them), and the plan is its own for those values, as a fresh one would be. The server
    plans it again by itself when a table it reads is analysed or altered. Elsewhere than
    PostgreSQL, or on connections that do not outlive a request, the statement is simply run."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if not _preparing(connection):
            cursor.execute(sql, params)
            return cursor.fetchall()
        name = prepared(cursor, connection, key, lambda: cursor.mogrify(sql, params).decode())
        cursor.execute(f"EXECUTE {name}")
        return cursor.fetchall()


# How many statements a connection remembers having run once (run_when_repeated): bounded, as a
# list's statements whose values change on every visit (the time now) are never run twice.
SEEN_MAX = 512


def run_when_repeated(sql: str, params, *, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
    """Run a statement, and prepare it on this connection once it is run a second time with the
    same values (run_prepared): a list's count and page ids, whose conditions a person's
    visibility makes long to plan, are asked again and again by the same people with the same
    values. A statement whose values differ each time (the time now, a keyword) is only ever run,
    never prepared. Values that cannot be remembered (a list) run the statement as it is."""
    connection = connections[using]
    params = tuple(params)
    try:
        key = ("repeated", sql, params)
        hash(key)
    except TypeError:
        key = None
    if key is None or not _preparing(connection):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    raw = connection.connection
    seen = getattr(connection, "_pmis_seen", None)
    if seen is None or seen[0] is not raw:
        seen = (raw, set())
        connection._pmis_seen = seen
    kept = getattr(connection, "_pmis_prepared", None)
    if key in seen[1] or (kept is not None and kept[0] is raw and key in kept[1]):
        return run_prepared(key, sql, params, using=using)
    if len(seen[1]) >= SEEN_MAX:
        seen[1].clear()
    seen[1].add(key)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def prepared_with_one_value(key: tuple, sql: str, *, using: str = DEFAULT_DB_ALIAS) -> str | None:
    """`sql` (one %s, its only value) as `EXECUTE name(%s)` of a statement prepared on this
    connection, for a statement run again and again with a new value (rows by their ids): after a
    few runs PostgreSQL keeps one plan for any value rather than planning each run. None where
    statements are not prepared (the caller runs `sql` itself)."""
    connection = connections[using]
    if not _preparing(connection):
        return None
    with connection.cursor() as cursor:
        name = prepared(cursor, connection, key, lambda: sql.replace("%s", "$1").replace("%%", "%"))
    return f"EXECUTE {name}(%s)"
