"""One list pattern for every list page: a keyword box, sortable columns (only sorts an index
serves, from a whitelist), page numbers with the total, filters kept in the URL, and an Excel
export that follows the same filters and sort.

A view builds its queryset from a selector (what the user may see), narrows it by its own filter
form, then hands it to `list_result` with the list's `ListSpec`:

    result = list_result(request, queryset, SPEC)
    if result.exporting:
        return export_response(result)
    return render(request, "...", {"list": result, "page": result.page(), ...})

The template includes `partials/list_toolbar.html` (keyword, the filter form, export) and
`partials/pagination.html` (page numbers and total), and writes sortable headers with
`{% sort_header list "key" "标题" %}` from `pmis.search.templatetags.lists`."""

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Q, QuerySet, prefetch_related_objects
from django.db.models.query import ModelIterable
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from pmis import excel
from pmis.statements import prepared_with_one_value, run_when_repeated

KEYWORD = "q"
SORT = "sort"
PAGE = "page"
EXPORT = "export"


@dataclass(frozen=True)
class Sort:
    """A sortable column: the fields of its ascending order. Each must be served by an index
    (the test of the list pattern checks every whitelisted sort against the database)."""

    label: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Column:
    """An export column: its heading and how to read it from a row."""

    label: str
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class ListSpec:
    title: str  # the sheet and file name of the export
    sorts: dict[str, Sort]
    default_sort: str  # a key of sorts, "-" first for descending
    columns: tuple[Column, ...]
    search_fields: tuple[str, ...] = ()
    search: Callable[[QuerySet, str], QuerySet] | None = None  # instead of search_fields
    keyword_label: str = "关键字"
    prepare: Callable[[list], list] | None = None  # gives a page (or an export chunk) its related rows
    default_order: Callable[[QuerySet], QuerySet] | None = None  # the list's own order when unsorted
    # Count no further than this (and the pages around the one shown): a queue of thousands is
    # "99+", as the side bar's badges show it, rather than counted whole on every visit. A function
    # is asked on each visit (figure_limit: a setting).
    count_limit: int | Callable[[], int] | None = None


def figure_limit() -> int:
    """How far a long list (all projects, every ticket) is counted: as far as a department's
    figures are (PMIS_FIGURE_COUNT_LIMIT, "9999+" past it), so that its total costs the same at ten
    times the rows. Its pages are then read as ids first and rows by id (BoundedPaginator)."""
    return settings.PMIS_FIGURE_COUNT_LIMIT


class BoundedPaginator(Paginator):
    """A paginator that counts the rows only as far as the page asked for and the two after it
    (at least `limit`): past that the total reads "N+" and the last page is not offered, only
    the next one."""

    def __init__(self, object_list, per_page, *, number, limit: int, ids=None):
        super().__init__(object_list, per_page)
        self.bound = max(limit, (number + 2) * per_page)
        # reads the ids of rows start:stop in an order (the queryset's) by a cheaper way than the
        # queryset itself (an inbox, branch by branch: approvals.selectors.InboxIds); one that
        # has a count(order, upto) method counts the list the same way
        self.ids = ids

    @cached_property
    def count(self) -> int:
        if hasattr(self.ids, "count"):  # the reader counts too, from what it reads for the page
            return self.ids.count(self.object_list.query.order_by, self.bound + 1)
        try:
            sql, params = self.object_list.order_by().values("pk")[: self.bound + 1].query.sql_with_params()
        except EmptyResultSet:  # a list that cannot hold a row (a refused filter)
            return 0
        # planned once per connection for the same person's same list (a visibility of several
        # reasons took longer to plan than to count)
        return run_when_repeated(f"SELECT COUNT(*) FROM ({sql}) subquery", params, using=self.object_list.db)[0][0]

    def page(self, number) -> Page:
        """The page's ids first, in the list's order, then its rows by id: ordering thousands of
        narrow rows is cheap, ordering them joined to every related row the page shows is not."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if self.ids is not None:
            ids = self.ids(self.object_list.query.order_by, bottom, bottom + self.per_page)
        else:
            query = self.object_list.values_list("pk")[bottom : bottom + self.per_page].query
            try:
                sql, params = query.sql_with_params()
            except EmptyResultSet:
                sql = None
            ids = [row[0] for row in run_when_repeated(sql, params, using=self.object_list.db)] if sql else []
        rows = rows_by_id(self.object_list, ids)
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)

    @property
    def more(self) -> bool:
        """More rows than were counted."""
        return self.count > self.bound

    @property
    def count_label(self) -> str:
        return f"{self.bound}+" if self.more else str(self.count)


def rows_by_id(queryset: QuerySet, ids: list) -> dict:
    """{id: row} of ids just read through the queryset, with its related rows, by id alone: the
    ids already met its conditions, and a list's conditions (an inbox's dozen OR-ed branches)
    take PostgreSQL several times longer to plan than the page's rows take to read. A queryset
    that adds columns of its own (annotations, extra, deferred fields) is read through itself."""
    query = queryset.query
    plain = (
        queryset._iterable_class is ModelIterable
        and not query.annotations
        and not query.extra
        and query.deferred_loading == (frozenset(), True)
    )
    if not plain:
        return queryset.order_by().in_bulk(ids)
    rows = queryset.model._default_manager.all()
    rows.query.select_related = query.select_related
    kept = _kept_rows_compiler(rows) if ids else None
    if kept is None:
        if queryset._prefetch_related_lookups:
            rows = rows.prefetch_related(*queryset._prefetch_related_lookups)
        return rows.in_bulk(ids)
    sql, compiler = kept
    compiler = copy.copy(compiler)  # this request's: its connection, its ids
    compiler.connection = connections[rows.db]
    # planned once per connection too: with its joins, planning took as long as reading the rows
    sql = prepared_with_one_value(("rows", sql), sql, using=rows.db) or sql
    compiler.as_sql = lambda *args, **kwargs: (sql, ([int(pk) for pk in ids],))
    rows.query.get_compiler = lambda *args, **kwargs: compiler
    found = list(rows)
    if queryset._prefetch_related_lookups:
        prefetch_related_objects(found, *queryset._prefetch_related_lookups)
    return {row.pk: row for row in found}


# The compiled statement reading a model's rows by id with some related rows (a page's rows), by
# model, the related rows and the database: one statement text for any number of ids
# (`pk = ANY(%s)`, PostgreSQL), so that each page runs it with its ids instead of building and
# compiling the query again (a third of a list page's reading). Few: one per list's rows.
_ROWS_SQL: dict[tuple, tuple[str, Any] | None] = {}


def _frozen(related) -> tuple | bool:
    if isinstance(related, dict):
        return tuple(sorted((name, _frozen(inner)) for name, inner in related.items()))
    return related


def _kept_rows_compiler(rows: QuerySet):
    """(statement, compiler) of rows by id on PostgreSQL, the compiler having set out its columns
    and related rows; None elsewhere (the rows are then read as any queryset)."""
    db = rows.db
    if connections[db].vendor != "postgresql":
        return None
    key = (rows.model, _frozen(rows.query.select_related), db)
    if key not in _ROWS_SQL:
        marker = 2147483646
        compiler = rows.order_by().filter(pk__in=[marker]).query.get_compiler(using=db)
        sql, params = compiler.as_sql()
        pk = rows.model._meta.pk
        quote = connections[db].ops.quote_name
        condition = f"{quote(rows.model._meta.db_table)}.{quote(pk.column)} IN (%s)"
        usable = params == (marker,) and sql.count(condition) == 1 and pk.get_internal_type().endswith("AutoField")
        sql = sql.replace(condition, condition.replace(" IN (%s)", " = ANY(%s)"))
        _ROWS_SQL[key] = (sql, compiler) if usable else None
    return _ROWS_SQL[key]


def _page_number(value) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def _order(sort: Sort, descending: bool) -> list[str]:
    # PostgreSQL's own null placement (last ascending, first descending) is the order a plain
    # b-tree index holds, so either direction reads the index.
    return [f"-{name}" if descending else name for name in sort.fields]


@dataclass
class ListResult:
    request: Any
    spec: ListSpec
    queryset: QuerySet
    keyword: str = ""
    sort: str = ""
    error: str = ""
    filter_names: tuple[str, ...] = ()
    filter_form: Any = field(default=None, repr=False)
    scope: str = ""  # which of the page's own views (a tab such as 本团队 or 我认领的) is shown
    page_ids: Callable | None = field(default=None, repr=False)  # see BoundedPaginator
    _page: Page | None = field(default=None, repr=False)

    @property
    def exporting(self) -> bool:
        return self.request.GET.get(EXPORT) == "xlsx"

    @property
    def status(self) -> int:
        return 400 if self.error else 200

    def page(self, *, count: int | None = None) -> Page:
        """The page asked for. `count`: the list's exact total when the view has just read it (a
        figure the page shows), so that it is not counted again."""
        if self._page is None:
            size, limit = settings.PMIS_LIST_PAGE_SIZE, self.spec.count_limit
            limit = limit() if callable(limit) else limit
            if limit is None or count is not None:  # counted whole, or the total known already
                paginator = Paginator(self.queryset, size)
                if count is not None:
                    paginator.count = count
            else:
                number = _page_number(self.request.GET.get(PAGE))
                # the ids' reader knows the list's own conditions, not a keyword typed into it
                ids = self.page_ids if not self.keyword else None
                paginator = BoundedPaginator(self.queryset, size, number=number, limit=limit, ids=ids)
            self._page = paginator.get_page(self.request.GET.get(PAGE))
            if self.spec.prepare is not None:
                self._page.object_list = self.spec.prepare(list(self._page.object_list))
        return self._page

    def params(self, **changes) -> str:
        """The current query string with some parameters changed (None removes one)."""
        params = [(k, v) for k, values in self.request.GET.lists() for v in values if k not in changes]
        params += [(k, v) for k, v in changes.items() if v not in (None, "")]
        return urlencode(params)

    def kept_params(self) -> list[tuple[str, str]]:
        """Parameters the toolbar keeps as hidden inputs: not the keyword, page or export, and
        not the fields the filter form renders itself."""
        # a picker field posts its choice and the text in its box (`<name>__search`): both rendered
        drop = {KEYWORD, PAGE, EXPORT, *self.filter_names, *(f"{name}__search" for name in self.filter_names)}
        return [(k, v) for k, values in self.request.GET.lists() for v in values if k not in drop]

    def export_url(self) -> str:
        return "?" + self.params(**{EXPORT: "xlsx", PAGE: None})

    def sort_url(self, key: str) -> str:
        """Clicking a column sorts by it; clicking the sorted column again reverses it."""
        reverse = self.sort.lstrip("-") == key and not self.sort.startswith("-")
        target = f"-{key}" if reverse else key
        return "?" + self.params(**{SORT: target, PAGE: None})

    def applied_filters(self) -> list[str]:
        """What narrows the list, in words: the view, the keyword, each filter with the label of
        its chosen value, and the sort."""
        parts = [f"范围：{self.scope}"] if self.scope else []
        if self.keyword:
            parts.append(f"{self.spec.keyword_label}：“{self.keyword}”")
        form = self.filter_form
        if form is not None and form.is_bound and form.is_valid():
            for name, bound in form.fields.items():
                if name == KEYWORD:
                    continue
                shown = _chosen_label(bound, form.cleaned_data.get(name))
                if shown:
                    parts.append(f"{bound.label}：{shown}")
        key = self.sort.lstrip("-")
        if key in self.spec.sorts:
            parts.append(f"排序：{self.spec.sorts[key].label}{'（降序）' if self.sort.startswith('-') else '（升序）'}")
        return parts

    def sort_state(self, key: str) -> str:
        if self.sort.lstrip("-") != key:
            return "none"
        return "descending" if self.sort.startswith("-") else "ascending"


def _chosen_label(form_field, value) -> str:
    """A filter's chosen value as the user saw it in the form: a choice's label, not its code."""
    if value in (None, "", [], ()):
        return ""
    if hasattr(value, "strftime") and not hasattr(value, "hour"):
        return f"{value:%Y-%m-%d}"
    choices = getattr(form_field, "choices", None)
    if choices is not None and not hasattr(form_field, "queryset"):
        labels = {str(k): v for k, v in choices}
        return str(labels.get(str(value), value))
    return str(value)


def page_links(query, page: Page) -> dict:
    """Page numbers around the current one, the first and the last (gaps marked), and the
    previous / next links, each keeping every other parameter of the query string."""

    def url(number: int) -> str:
        params = [(k, v) for k, values in query.lists() for v in values if k != PAGE] + [(PAGE, number)]
        return "?" + urlencode(params)

    last = page.paginator.num_pages
    more = getattr(page.paginator, "more", False)  # uncounted rows after the last page known
    numbers = {1, *range(max(1, page.number - 2), min(last, page.number + 2) + 1)}
    if not more:
        numbers.add(last)
    links, previous = [], 0
    for number in sorted(numbers):
        if number - previous > 1:
            links.append({"gap": True})
        links.append({"number": number, "url": url(number), "current": number == page.number})
        previous = number
    if more:
        links.append({"gap": True})
    return {
        "numbers": links,
        "previous": url(page.previous_page_number()) if page.has_previous() else "",
        "next": url(page.next_page_number()) if page.has_next() else "",
    }


def row_url(name: str) -> Callable[[int], str]:
    """The URL of one row from its pk, reversed once for the page rather than once per row:
    `claim = row_url("approvals:claim")`, then `claim(task.pk)`."""
    marker = "2147483647"
    head, tail = reverse(name, args=[int(marker)]).split(marker, 1)
    return lambda pk: f"{head}{pk}{tail}"


def keyword_filter(queryset: QuerySet, fields: Iterable[str], keyword: str) -> QuerySet:
    """Rows where any of the fields contains the keyword (case-insensitive). On PostgreSQL the
    trigram indexes of pmis/search serve these lookups. A NUL character (which no field can hold
    and PostgreSQL refuses in a query) is dropped rather than failing the page."""
    keyword = keyword.replace("\x00", "")
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": keyword})
    return queryset.filter(condition)


def list_result(
    request,
    queryset: QuerySet | Callable[[], QuerySet],
    spec: ListSpec,
    *,
    filter_form=None,
    scope: str = "",
    page_ids=None,
    rows: QuerySet | None = None,
) -> ListResult:
    """The list as the request asks for it: keyword, sort, page. `page_ids(order, start, stop)`,
    when given, reads the ids of a page of a bounded list (count_limit) in the order asked for,
    by a way cheaper than the queryset: it must return what the queryset would.

    With page_ids, `queryset` may be a function that builds the list's queryset, and `rows` the
    queryset its rows are read through by id (their related rows): the list's own conditions (an
    inbox's OR of a dozen branches) are then built only for what page_ids does not serve, a
    keyword typed or an export."""
    keyword = request.GET.get(KEYWORD, "").strip()[: settings.PMIS_SEARCH_MAX_CHARS]
    if callable(queryset):
        served = page_ids is not None and rows is not None and spec.count_limit is not None and not keyword
        queryset = rows if served and request.GET.get(EXPORT) != "xlsx" else queryset()
    if keyword:
        if spec.search is not None:
            queryset = spec.search(queryset, keyword)
        else:
            queryset = keyword_filter(queryset, spec.search_fields, keyword)
    requested = request.GET.get(SORT, "")
    error = ""
    if requested and requested.lstrip("-") not in spec.sorts:
        choices = "、".join(s.label for s in spec.sorts.values())
        error = f"不支持按“{requested}”排序，可按{choices}排序；已按默认顺序显示"
        requested = ""
    if requested:
        queryset = queryset.order_by(*_order(spec.sorts[requested.lstrip("-")], requested.startswith("-")))
    elif spec.default_order is not None:
        queryset = spec.default_order(queryset)
    else:
        default = spec.default_sort
        queryset = queryset.order_by(*_order(spec.sorts[default.lstrip("-")], default.startswith("-")))
    return ListResult(
        request=request,
        spec=spec,
        queryset=queryset,
        keyword=keyword,
        sort=requested or spec.default_sort,
        error=error,
        filter_names=tuple(filter_form.fields) if filter_form is not None else (),
        filter_form=filter_form,
        scope=scope,
        page_ids=page_ids,
    )


def export_response(result: ListResult) -> HttpResponse:
    """The whole filtered, sorted list as an Excel sheet (at most PMIS_LIST_EXPORT_MAX_ROWS rows),
    written the way every export is (pmis/excel.py), its title row stating the filters."""
    spec = result.spec
    rows = []
    chunk_size = 2000
    limit = settings.PMIS_LIST_EXPORT_MAX_ROWS
    for start in range(0, limit, chunk_size):
        chunk = list(result.queryset[start : min(start + chunk_size, limit)])
        if spec.prepare is not None:
            chunk = spec.prepare(chunk)
        rows += [[c.value(row) for c in spec.columns] for row in chunk]
        if len(chunk) < chunk_size:
            break
    filters = "；".join(result.applied_filters()) or "无"
    title = f"{spec.title}｜筛选条件：{filters}｜{excel.export_time()}｜共 {len(rows)} 行"
    workbook = excel.new_workbook()
    excel.write_table(workbook, name=spec.title, title=title, headers=[c.label for c in spec.columns], rows=rows)
    return excel.xlsx_response(workbook, f"{spec.title}-{timezone.localdate():%Y%m%d}.xlsx")
