"""The change, BUG and release figures of 003 度量考核 on the SLA metrics page, each with its formula."""

from datetime import date

from django.db.models import Count, F, Q

from .models import Bug, ChangeRequest, Release
from .services.bugs import month_span


def _in_month(field: str, month: date | None) -> Q:
    if month is None:
        return Q(**{f"{field}__isnull": False})
    start, end = month_span(month)
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def _rate(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.0f}%（{part}/{whole}）" if whole else "—"


def change_metrics(*, month: date | None, region=None) -> list[dict]:
    scope = Q(project__region=region) if region is not None else Q()
    changes = ChangeRequest.objects.filter(scope, _in_month("reviewed_at", month)).aggregate(
        judged=Count("pk"), met=Count("pk", filter=Q(reviewed_at__lte=F("review_due_at")))
    )
    bugs = Bug.objects.filter(scope, _in_month("confirmed_at", month)).aggregate(
        judged=Count("pk"), met=Count("pk", filter=Q(confirmed_at__lte=F("confirm_due_at")))
    )
    releases = Release.objects.filter(scope, _in_month("released_at", month)).aggregate(
        total=Count("pk"),
        emergency=Count("pk", filter=Q(emergency=True)),
        downtime=Count("pk", filter=Q(downtime=True)),
        rolled_back=Count("pk", filter=Q(rollback_at__isnull=False)),
    )
    return [
        {
            "name": "需求变更业务审批达成率",
            "value": _rate(changes["met"], changes["judged"]),
            "formula": "本期完成用户方初审的需求变更中，在提交后 1 个工作日（时限策略“新增需求业务审批”）"
            "内完成的数量 ÷ 本期完成初审的数量",
        },
        {
            "name": "BUG 确认达成率",
            "value": _rate(bugs["met"], bugs["judged"]),
            "formula": "本期确认是否修复的 BUG 中，在提交后 2 个工作日（时限策略“BUG 确认是否修复”）内确认的数量"
            " ÷ 本期确认的数量",
        },
        {
            "name": "版本发布次数",
            "value": f"{releases['total']} 次（停机 {releases['downtime']} 次，回滚 {releases['rolled_back']} 次）",
            "formula": "本期实际发布（登记发布时间）的版本发布单数量",
        },
        {
            "name": "紧急发布占比",
            "value": _rate(releases["emergency"], releases["total"]),
            "formula": "本期发布中计划时间不在常规发布窗口（周一、周四晚上，遇节假日顺延；当天截止前申请）"
            "的数量 ÷ 本期发布次数",
        },
    ]
