"""How every Excel export is written, so a downloaded sheet reads like a report: a title row
saying what the sheet holds (the list, its filters and sort, when it was exported), a bold header
row frozen under it, columns as wide as their content, dates and times as real Excel dates in
China time and numbers as numbers, and a Chinese sheet name.

    workbook = new_workbook()
    write_table(workbook, name="项目列表", title="项目列表｜…", headers=[...], rows=[[...], ...])
    return xlsx_response(workbook, "项目列表-20261124.xlsx")
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "hh:mm"
# Layout of the sheet, not policy: how wide a column may grow, in Excel's character units.
MIN_WIDTH, MAX_WIDTH = 6, 60
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def sheet_name(name: str) -> str:
    """Excel refuses some characters and more than 31 of them in a sheet name."""
    return _SHEET_NAME_FORBIDDEN.sub("-", name).strip("'")[:31] or "Sheet"


def excel_value(value):
    """A Python value as Excel should hold it: aware datetimes in the site's time zone (Excel has
    no zones), numbers stay numbers, 是/否 for booleans, text for everything else."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, (date, time, int, float, Decimal, str)):
        return value
    return str(value)


def _number_format(value) -> str | None:
    if isinstance(value, datetime):
        return DATETIME_FORMAT
    if isinstance(value, date):
        return DATE_FORMAT
    if isinstance(value, time):
        return TIME_FORMAT
    return None


def _display_width(value) -> int:
    """How many character columns a value takes on screen: CJK characters count double."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return len("2026-01-01 00:00")
    if isinstance(value, date):
        return len("2026-01-01")
    text = value if isinstance(value, str) else str(value)
    longest = max(text.splitlines() or [""], key=len)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)


def write_table(workbook: Workbook, *, name: str, title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> None:
    """One sheet: the title row, the bold frozen header row, then the rows."""
    rows = [[excel_value(v) for v in row] for row in rows]
    sheet = workbook.create_sheet(sheet_name(name))
    for index, header in enumerate(headers):
        widest = max([_display_width(header), *(_display_width(row[index]) for row in rows if index < len(row))])
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(MAX_WIDTH, max(MIN_WIDTH, widest + 2))
    sheet.freeze_panes = "A3"  # the title and header rows stay on screen
    title_cell = WriteOnlyCell(sheet, value=title)
    title_cell.font = Font(bold=True, size=12)
    sheet.append([title_cell])
    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="DDE7F5")
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font, cell.fill = header_font, header_fill
        cell.alignment = Alignment(vertical="center")
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        cells = []
        for value in row:
            number_format = _number_format(value)
            if number_format is None:
                cells.append(value)
            else:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                cells.append(cell)
        sheet.append(cells)


def export_time() -> str:
    return f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}"


def xlsx_response(workbook: Workbook, filename: str) -> HttpResponse:
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
