"""The pages of the departments whose work reaches them as steps of other people's records
(000 §3.2–3.5): 商务管理部 (registrations, product requests, cloud orders, outsourcing), 产品管理部
(product requests, product defects and fix versions) and 研发 (defect fixes, customisation). Each
shows the department's queue (the open steps waiting on its role groups) and its figures; the
departments with records of their own (运营客服组, 售后支持组, 平台运维部) have their own pages."""

from dataclasses import dataclass, replace

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from pmis import reference
from pmis.lists import export_response, list_result
from pmis.navigation import OVERSEERS as NAV_OVERSEERS
from pmis.org.selectors import user_role_codes
from success.selectors import department_figures, figures_formula

from .lists import INBOX
from .models import Task
from .rows import department_rows


@dataclass(frozen=True)
class DepartmentPage:
    label: str
    groups: tuple[str, ...]
    viewers: frozenset[str]  # besides the department's own groups


OVERSEERS = frozenset(NAV_OVERSEERS)
DEPARTMENTS = {
    "business": DepartmentPage("商务管理部", ("business_approver",), OVERSEERS),
    "product": DepartmentPage("产品管理部", ("product_dept",), OVERSEERS),
    "rd": DepartmentPage("研发", ("rd_expert",), OVERSEERS),
}

# the inbox's columns and sorts; its due-time sort is served by task_open_by_group (group, region, due_at).
# Its total is the page's 等待 figure when that is exact; past the figures' bound (or narrowed by a
# keyword) it is paged as the inbox is, "99+" past its own bound.
QUEUE = replace(INBOX, title="部门待办")


def can_view_department(user, department: DepartmentPage) -> bool:
    roles = user_role_codes(user)
    return user.is_superuser or bool(roles & (set(department.groups) | department.viewers))


@login_required
def department_queue(request, code: str):
    department = DEPARTMENTS.get(code)
    if department is None:
        raise Http404("没有这个部门页面")
    if not can_view_department(request.user, department):
        raise PermissionDenied(f"只有{department.label}人员与项目总监可以查看该部门的队列")
    groups = reference.group_ids(department.groups)
    tasks = Task.objects.filter(state=Task.State.OPEN, group_id__in=groups).select_related(
        "group", "region", "assignee", "claimed_by"
    )
    result = list_result(request, tasks, QUEUE, scope=department.label)
    if result.exporting:
        return export_response(result)
    now = timezone.now()
    figures = department_figures(department.groups, now=now)
    # the queue is what 等待 counts: its total is that figure when exact, unless a keyword narrows it
    waiting = figures["waiting"]
    page = result.page(count=waiting if isinstance(waiting, int) and not result.keyword else None)
    for task in page.object_list:
        task.overdue = task.is_overdue(now)
    return render(
        request,
        "approvals/department.html",
        {
            "department": department,
            "list": result,
            "page": page,
            "figures": figures,
            "formula": figures_formula(),
            "rows": department_rows(page.object_list, empty=f"没有等待{department.label}处理的事项"),
        },
        status=result.status,
    )
