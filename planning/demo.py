"""Demo plans and risks for the demo projects in delivery: a plan with a baseline, one item late
(the PM and the director have been told), the critical path through it, and a few risks, one of
them waiting on its owner's weekly review."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from projects.models import ACTIVE_STATES, Project

from .models import PlanItem, Risk
from .plan import plan_baseline_set, plan_item_add, plan_item_update, plan_late_notify
from .raci import raci_from_template, raci_template_seed
from .risks import risk_matrix_seed, risk_raise, risk_reviews_due, risk_update
from .workdays import Workdays


def _plan(project: Project, pm, implementer) -> None:
    days = Workdays()
    today = timezone.localdate()
    end3 = days.shift(today, -3)
    start3 = days.shift(end3, -4)
    end2 = days.shift(start3, -1)
    end1 = days.shift(end2, -1)
    start1 = days.shift(end1, -7)

    def add(name, start, end, preds=(), **extra):
        return plan_item_add(project=project, actor=pm, name=name, planned_start=start, planned_end=end,
                             predecessors=list(preds), **extra)  # fmt: skip

    survey = add("需求调研与确认", start1, end1, group="需求", owner=pm, customer_owner="信息中心 张工",
                 status=PlanItem.Status.DONE, actual_start=start1, actual_end=end1)  # fmt: skip
    signed = add("需求规格说明书签收", end2, end2, [survey], group="需求", kind=PlanItem.Kind.MILESTONE,
                 owner=pm, customer_owner="信息中心 张工", status=PlanItem.Status.DONE, actual_end=end2)  # fmt: skip
    env = add("测试环境部署", start3, end3, [signed], group="实施", owner=implementer,
              customer_owner="信息中心 李工", supplier_owner="服务器供应商 王工",
              status=PlanItem.Status.IN_PROGRESS, actual_start=start3)  # fmt: skip
    start4 = days.after(end3)
    joint = add("系统联调（OA 对接）", start4, days.shift(start4, 4), [env], group="实施", owner=implementer,
                supplier_owner="OA 厂商 赵工")  # fmt: skip
    ca = add("CA 证书申请", start4, days.shift(start4, 2), [signed], group="实施", owner=pm,
             supplier_owner="CFCA 客户经理")  # fmt: skip
    start6 = days.after(joint.planned_end)
    training = add("用户培训", start6, days.shift(start6, 2), [joint, ca], group="上线", owner=implementer,
                   customer_owner="人力资源部")  # fmt: skip
    go_live = days.after(training.planned_end)
    add("系统上线", go_live, go_live, [training], group="上线", kind=PlanItem.Kind.MILESTONE, owner=pm)
    plan_baseline_set(project=project, actor=pm)
    # the environment slipped a day after the baseline: it and everything after it moved
    plan_item_update(item=env, actor=pm, planned_end=days.shift(end3, 1))


def _risks(project: Project, pm, implementer) -> None:
    today = timezone.localdate()
    risk_raise(project=project, actor=pm, source=Risk.Source.CUSTOMER, probability=3, impact=3,
               description="客户测试环境服务器迟迟未到位，联调无法按期开始", strategy=Risk.Strategy.MITIGATE,
               measures="周例会上请客户信息中心确认到货日期，先用云主机搭临时环境", owner=pm,
               due_date=today + timedelta(days=5))  # fmt: skip
    review = risk_raise(project=project, actor=pm, source=Risk.Source.SUPPLIER, probability=2, impact=2,
                        description="OA 厂商接口文档版本不一致", strategy=Risk.Strategy.TRANSFER,
                        measures="按合同背靠背条款由 OA 厂商提供联调支持", owner=implementer,
                        due_date=today + timedelta(days=10))  # fmt: skip
    Risk.objects.filter(pk=review.pk).update(next_review=today - timedelta(days=1))
    closed = risk_raise(project=project, actor=pm, source=Risk.Source.TECHNICAL, probability=1, impact=2,
                        description="证书格式与客户现有 CA 不兼容", strategy=Risk.Strategy.AVOID, owner=pm)  # fmt: skip
    risk_update(risk=closed, actor=pm, status=Risk.Status.CLOSED)


def demo_planning_seed() -> int:
    """Give each demo project in delivery that has no plan yet a plan and risks. Returns how many."""
    risk_matrix_seed()  # the migration seeds both; an admin who emptied them gets the documents' values back
    raci_template_seed()
    made = 0
    projects = (
        Project.objects.filter(state__in=ACTIVE_STATES, pm__isnull=False)
        .exclude(plan_items__isnull=False)
        .select_related("pm")
        .order_by("pk")
    )
    from projects.team import users_with_role

    for project in projects:
        with transaction.atomic():
            implementer = next(iter(users_with_role(project, "implement_project")), None) or project.pm
            _plan(project, project.pm, implementer)
            _risks(project, project.pm, implementer)
            raci_from_template(project=project, actor=project.pm)
            made += 1
    if made:
        plan_late_notify()
        risk_reviews_due()
    return made
