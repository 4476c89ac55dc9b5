"""The plan to and from Excel in the shape of 003's table: 编号, 工作任务, 开始时间, 结束时间,
前置任务, 状态, then the owners per side; our columns (类型, 分组, 我方负责人, 实际开始, 实际完成)
follow. A row with a name and no dates is a group heading (003's 「1 智慧消防」). An import saves
all rows or none, and says what is wrong by row, in Chinese."""

from __future__ import annotations

import re
from datetime import date, datetime

from django.db import transaction
from openpyxl import load_workbook

from approvals.errors import DomainError
from pmis import excel
from pmis.org.models import User
from projects.models import Project

from .access import require_edit
from .models import PlanItem
from .plan import plan_item_add, plan_item_update, plan_items

HEADERS = (
    "编号", "工作任务", "开始时间", "结束时间", "前置任务", "状态", "客户负责人", "供应商负责人",
    "我方负责人", "类型", "分组", "实际开始", "实际完成",
)  # fmt: skip
REQUIRED = ("工作任务", "开始时间", "结束时间")
STATUS_BY_LABEL = {label: value for value, label in PlanItem.Status.choices}
KIND_BY_LABEL = {label: value for value, label in PlanItem.Kind.choices} | {"任务": PlanItem.Kind.TASK}


def plan_workbook(project: Project):
    items = plan_items(project)
    rows = [
        [
            i.seq,
            i.name,
            i.planned_start,
            i.planned_end,
            ",".join(str(p.seq) for p in sorted(i.predecessors.all(), key=lambda p: p.seq)),
            i.get_status_display(),
            i.customer_owner,
            i.supplier_owner,
            (i.owner.display_name or i.owner.username) if i.owner else "",
            i.get_kind_display(),
            i.group,
            i.actual_start,
            i.actual_end,
        ]
        for i in items
    ]
    workbook = excel.new_workbook()
    excel.write_table(
        workbook,
        name="里程碑计划",
        title=f"{project.code} {project.name}｜里程碑计划｜导出于 {excel.export_time()}",
        headers=HEADERS,
        rows=rows,
    )
    return workbook


def _date(value, label: str, errors: list[str], row: int) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in (r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", r"(\d{4})年(\d{1,2})月(\d{1,2})日"):
        m = re.fullmatch(pattern, text)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                break
    errors.append(f"第 {row} 行：{label}「{text}」不是有效日期（如 2026-05-09 或 2026年5月9日）")
    return None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _owner(text: str) -> User | None:
    if not text:
        return None
    return User.objects.filter(is_active=True).filter(username=text).first() or (
        User.objects.filter(is_active=True, display_name=text).first()
    )


def parse_rows(upload) -> tuple[list[dict], list[str]]:
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception:
        return [], ["无法读取该文件，请上传 Excel（.xlsx）文件"]
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header_at = next((n for n, row in enumerate(rows[:10]) if row and "工作任务" in [_text(c) for c in row]), None)
    if header_at is None:
        return [], ["找不到表头：第一张表的前 10 行中须有「工作任务」列"]
    columns = {_text(c): n for n, c in enumerate(rows[header_at]) if _text(c)}
    missing = [h for h in REQUIRED if h not in columns]
    if missing:
        return [], [f"缺少列：{'、'.join(missing)}"]

    def cell(row, name):
        n = columns.get(name)
        return row[n] if n is not None and n < len(row) else None

    parsed, errors, group = [], [], ""
    for offset, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not row or all(_text(c) == "" for c in row):
            continue
        name = _text(cell(row, "工作任务"))
        start = _date(cell(row, "开始时间"), "开始时间", errors, offset)
        end = _date(cell(row, "结束时间"), "结束时间", errors, offset)
        if name and start is None and end is None and not _text(cell(row, "开始时间")):
            group = name  # a heading row
            continue
        if not name:
            errors.append(f"第 {offset} 行：缺少工作任务")
            continue
        if start is None or end is None:
            if _text(cell(row, "开始时间")) and _text(cell(row, "结束时间")):
                continue  # already reported as an invalid date
            errors.append(f"第 {offset} 行：请填写开始时间和结束时间")
            continue
        if end < start:
            errors.append(f"第 {offset} 行：结束时间早于开始时间")
            continue
        seq_text = _text(cell(row, "编号"))
        if seq_text and not seq_text.isdigit():
            errors.append(f"第 {offset} 行：编号「{seq_text}」须为正整数")
            continue
        status_text = _text(cell(row, "状态")) or "计划中"
        if status_text not in STATUS_BY_LABEL:
            errors.append(f"第 {offset} 行：状态「{status_text}」须为 {' / '.join(STATUS_BY_LABEL)} 之一")
            continue
        kind_text = _text(cell(row, "类型")) or "工作任务"
        if kind_text not in KIND_BY_LABEL:
            errors.append(f"第 {offset} 行：类型「{kind_text}」须为 工作任务 / 里程碑")
            continue
        owner_text = _text(cell(row, "我方负责人"))
        owner = _owner(owner_text)
        if owner_text and owner is None:
            errors.append(f"第 {offset} 行：找不到我方负责人「{owner_text}」（填写账号或姓名）")
            continue
        preds_text = re.split(r"[,，、\s]+", _text(cell(row, "前置任务")))
        bad = [p for p in preds_text if p and not p.isdigit()]
        if bad:
            errors.append(f"第 {offset} 行：前置任务须填写编号，如 1,3")
            continue
        parsed.append(
            {
                "row": offset,
                "seq": int(seq_text) if seq_text else None,
                "name": name,
                "group": _text(cell(row, "分组")) or group,
                "planned_start": start,
                "planned_end": end,
                "predecessors": [int(p) for p in preds_text if p],
                "status": STATUS_BY_LABEL[status_text],
                "kind": KIND_BY_LABEL[kind_text],
                "owner": owner,
                "customer_owner": _text(cell(row, "客户负责人")),
                "supplier_owner": _text(cell(row, "供应商负责人")),
                "actual_start": _date(cell(row, "实际开始"), "实际开始", errors, offset),
                "actual_end": _date(cell(row, "实际完成"), "实际完成", errors, offset),
            }
        )
    if not parsed and not errors:
        errors.append("表中没有计划行")
    return parsed, errors


class ImportRefused(DomainError):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("；".join(errors[:5]) + ("……" if len(errors) > 5 else ""))


def plan_import(*, project: Project, actor, upload) -> int:
    """Add the sheet's rows to the plan (a row whose 编号 exists updates that item). All or none."""
    require_edit(actor, project)
    rows, errors = parse_rows(upload)
    if errors:
        raise ImportRefused(errors)
    existing = {i.seq: i for i in PlanItem.objects.filter(project=project)}
    used = set(existing) | {r["seq"] for r in rows if r["seq"]}
    next_seq = max(used, default=0) + 1
    for r in rows:
        if r["seq"] is None:
            r["seq"], next_seq = next_seq, next_seq + 1
    seen: dict[int, int] = {}
    for r in rows:
        if r["seq"] in seen:
            errors.append(f"第 {r['row']} 行：编号 {r['seq']} 与第 {seen[r['seq']]} 行重复")
        seen[r["seq"]] = r["row"]
    known = set(existing) | set(seen)
    for r in rows:
        for p in r["predecessors"]:
            if p not in known:
                errors.append(f"第 {r['row']} 行：前置任务编号 {p} 不存在")
    if errors:
        raise ImportRefused(errors)
    with transaction.atomic():
        by_seq = dict(existing)
        # rows in an order where predecessors come first; a cycle is left for the service to refuse
        pending = list(rows)
        ordered: list[dict] = []
        while pending:
            ready = [
                r for r in pending if all(p in by_seq or p in {o["seq"] for o in ordered} for p in r["predecessors"])
            ]
            if not ready:
                ordered += pending
                break
            ordered += ready
            pending = [r for r in pending if r not in ready]
            for r in ready:
                by_seq.setdefault(r["seq"], None)
        items = dict(existing)
        for r in ordered:
            fields = {k: r[k] for k in ("name", "group", "planned_start", "planned_end", "status", "kind", "owner",
                                         "customer_owner", "supplier_owner", "actual_start", "actual_end")}  # fmt: skip
            preds = [items[p] for p in r["predecessors"] if items.get(p) is not None]
            if len(preds) != len(r["predecessors"]):
                raise ImportRefused([f"第 {r['row']} 行：前置任务形成循环依赖"])
            try:
                if r["seq"] in existing:
                    items[r["seq"]], _ = plan_item_update(item=existing[r["seq"]], actor=actor, predecessors=preds,
                                                          **fields)  # fmt: skip
                else:
                    items[r["seq"]] = plan_item_add(project=project, actor=actor, seq=r["seq"], predecessors=preds,
                                                    **fields)  # fmt: skip
            except DomainError as exc:
                raise ImportRefused([f"第 {r['row']} 行：{exc}"]) from exc
    return len(rows)
