"""云产品下单申请 (000 §3.2): filed by sales or customer success → 商务管理部 checks the licence and
the payment → 运营客服组 / 售后支持组 opens the service and records what was opened. A SaaS
customer's order first goes to 售后支持组, which confirms the need and decides on integration
(000 §3.6.2, see integration.py)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from approvals.errors import AlreadyDecided, DomainError
from approvals.services import next_number, task_close, task_open
from pmis.audit.services import audit_record
from pmis.notify.services import notify
from projects.models import Project

from ..models import CloudOrder, CloudOrderItem, Licence, Team
from .common import ORDER_FILERS, roles_of, step_task

BUSINESS_STEP = "cloud_order.business"
OPEN_STEP = "cloud_order.open"
CONFIRM_STEP = "cloud_order.confirm"
RESUBMIT_STEP = "cloud_order.resubmit"
STEPS = (BUSINESS_STEP, OPEN_STEP, CONFIRM_STEP, RESUBMIT_STEP)  # the 云产品下单 department's figures


def _locked(order: CloudOrder) -> CloudOrder:
    return CloudOrder.objects.select_for_update(of=("self",)).select_related("project").get(pk=order.pk)


def _open_step(order: CloudOrder) -> None:
    common = {"subject": order, "title": f"{order.number} {order.customer_name}", "link": order.get_absolute_url()}
    if order.state == CloudOrder.State.PENDING_BUSINESS:
        task_open(
            step=BUSINESS_STEP,
            step_label="商务审核云产品下单（授权与收款）",
            group="business_approver",
            exclude_user=order.filed_by,
            policy="cloud-order-business",
            **common,
        )
    elif order.state == CloudOrder.State.PENDING_CONFIRM:
        task_open(
            step=CONFIRM_STEP,
            step_label="确认 SaaS 需求与是否集成",
            group=Team.SUPPORT,
            policy="cloud-order-opening",
            **common,
        )
    elif order.state == CloudOrder.State.PENDING_OPENING:
        task_open(step=OPEN_STEP, step_label="开通云产品服务", group=order.team, policy="cloud-order-opening", **common)


def _check_fields(*, customer_name: str, items: list[dict], starts_on: date, ends_on: date, payment: str) -> None:
    if not customer_name.strip():
        raise DomainError("请填写客户名称")
    if not items:
        raise DomainError("请至少选择一个产品")
    products = [item["product"] for item in items]
    if len(set(products)) != len(products):
        raise DomainError("同一产品只能填写一行，请合并数量")
    for item in items:
        if not item["product"].is_active:
            raise DomainError(f"“{item['product']}”已停售，不能下单")
        if int(item["quantity"]) < 1:
            raise DomainError(f"“{item['product']}”的数量须至少为 1")
    if ends_on <= starts_on:
        raise DomainError("授权截止日须晚于授权起始日")
    if payment not in CloudOrder.Payment.values:
        raise DomainError("请选择收款情况")


@transaction.atomic
def cloud_order_file(
    *,
    actor,
    customer_name: str,
    items: list[dict],
    licence_starts_on: date,
    licence_ends_on: date,
    payment: str,
    project: Project | None = None,
    saas: bool = False,
    amount: Decimal | None = None,
    note: str = "",
) -> CloudOrder:
    """Sales or customer success file an order; it waits on 商务管理部."""
    if not (actor.is_superuser or roles_of(actor) & ORDER_FILERS):
        raise PermissionDenied("只有销售或客户成功部可以提交云产品下单申请")
    _check_fields(
        customer_name=customer_name,
        items=items,
        starts_on=licence_starts_on,
        ends_on=licence_ends_on,
        payment=payment,
    )
    if project is not None and project.kind == Project.Kind.SAAS:
        saas = True
    order = CloudOrder.objects.create(
        number=next_number("YD"),
        customer_name=customer_name.strip(),
        project=project,
        saas=saas,
        licence_starts_on=licence_starts_on,
        licence_ends_on=licence_ends_on,
        payment=payment,
        amount=amount,
        note=note.strip(),
        filed_by=actor,
    )
    CloudOrderItem.objects.bulk_create(
        [CloudOrderItem(order=order, product=i["product"], quantity=int(i["quantity"])) for i in items]
    )
    audit_record(
        subject=order, action="cloud_order.file", label="提交云产品下单申请", actor=actor, to_state=order.state
    )
    _open_step(order)
    return order


@transaction.atomic
def cloud_order_review(
    *, order: CloudOrder, actor, approve: bool, team: str = "", comment: str = "", licence_ok=False, payment_ok=False
) -> CloudOrder:
    """商务管理部 checks the licence and the payment: approving assigns 运营客服组 or 售后支持组
    (a SaaS customer's order goes to 售后支持组 to confirm the need first); returning needs a reason."""
    order = _locked(order)
    if order.state != CloudOrder.State.PENDING_BUSINESS:
        raise AlreadyDecided(f"该申请当前为“{order.get_state_display()}”，请刷新页面")
    task = step_task(order, BUSINESS_STEP, actor, refusal="只有商务管理部可以审核云产品下单申请")
    comment = comment.strip()
    from_state = order.state
    if approve:
        if not (licence_ok and payment_ok):
            raise DomainError("请核实产品授权与收款情况后再通过")
        if order.saas:
            order.approve_for_confirmation(comment=comment)
        else:
            if team not in Team.values:
                raise DomainError("请指派开通部门（运营客服组或售后支持组）")
            order.approve(team=team, comment=comment)
        task_close(task=task, actor=actor, outcome="approve")
    else:
        if not comment:
            raise DomainError("退回必须填写原因")
        task_close(task=task, actor=actor, outcome="return")
        order.send_back(comment=comment)
    order.save(update_fields=["state", "team", "business_comment"])
    audit_record(
        subject=order,
        action="cloud_order.review",
        label="商务审核通过" if approve else "商务审核退回",
        actor=actor,
        from_state=from_state,
        to_state=order.state,
        comment=comment,
    )
    if approve:
        _open_step(order)
    else:
        task_open(
            subject=order,
            step=RESUBMIT_STEP,
            step_label="修改后重新提交云产品下单",
            title=f"{order.number} {order.customer_name}（退回原因：{comment}）",
            link=order.get_absolute_url(),
            assignee=order.filed_by,
            policy=None,
            notify_waiting=False,
        )
        notify(
            recipients=[order.filed_by],
            title=f"云产品下单被退回：{order.number}",
            body=comment,
            link=order.get_absolute_url(),
            subject=order,
            kind="cloud_order_returned",
        )
    return order


@transaction.atomic
def cloud_order_revise(*, order: CloudOrder, actor, resubmit: bool, note: str = "") -> CloudOrder:
    """The filer resubmits a returned order (with a new note) or withdraws it."""
    order = _locked(order)
    if order.state != CloudOrder.State.RETURNED:
        raise AlreadyDecided(f"该申请当前为“{order.get_state_display()}”，不能重新提交或撤回")
    task = step_task(order, RESUBMIT_STEP, actor, refusal="只有申请人可以重新提交或撤回")
    task_close(task=task, actor=actor, outcome="resubmitted" if resubmit else "withdrawn")
    if resubmit:
        order.resubmit(note=note.strip() or order.note)
    else:
        order.withdraw()
    order.save(update_fields=["state", "note"])
    audit_record(
        subject=order,
        action="cloud_order.revise",
        label="重新提交" if resubmit else "撤回申请",
        actor=actor,
        from_state=CloudOrder.State.RETURNED,
        to_state=order.state,
        comment=note,
    )
    if resubmit:
        _open_step(order)
    return order


@transaction.atomic
def cloud_order_open(*, order: CloudOrder, actor, opened_note: str) -> CloudOrder:
    """The assigned group opens the service and records what was opened; each product becomes a
    licence of the register with the order's term."""
    order = _locked(order)
    if order.state != CloudOrder.State.PENDING_OPENING:
        if order.state in (CloudOrder.State.PENDING_BUSINESS, CloudOrder.State.PENDING_CONFIRM):
            raise DomainError(f"该申请{order.get_state_display()}，商务审核通过并指派后才能开通服务")
        raise AlreadyDecided(f"该申请当前为“{order.get_state_display()}”，请刷新页面")
    task = step_task(order, OPEN_STEP, actor, refusal=f"只有{Team(order.team).label}可以开通该服务")
    if not opened_note.strip():
        raise DomainError("请填写开通内容（开通的账号、服务与配置）")
    task_close(task=task, actor=actor, outcome="opened")
    order.open_service(note=opened_note.strip(), at=timezone.now())
    order.save(update_fields=["state", "opened_note", "opened_at"])
    Licence.objects.bulk_create(
        [
            Licence(
                customer_name=order.customer_name,
                project=order.project,
                product=item.product,
                quantity=item.quantity,
                starts_on=order.licence_starts_on,
                expires_on=order.licence_ends_on,
                source=Licence.Source.CLOUD_ORDER,
                cloud_order=order,
            )
            for item in order.items.select_related("product")
        ]
    )
    audit_record(
        subject=order,
        action="cloud_order.open",
        label="服务已开通",
        actor=actor,
        from_state=CloudOrder.State.PENDING_OPENING,
        to_state=order.state,
        comment=opened_note,
    )
    notify(
        recipients=[order.filed_by],
        title=f"云产品服务已开通：{order.customer_name}",
        body=opened_note,
        link=order.get_absolute_url(),
        subject=order,
        kind="cloud_order_opened",
    )
    return order


def cloud_order_can_view(user, order: CloudOrder) -> bool:
    from .common import REGISTER_READERS

    if not user.is_authenticated:
        return False
    if user.is_superuser or order.filed_by_id == user.pk or roles_of(user) & REGISTER_READERS:
        return True
    if order.project_id is not None:
        from projects.selectors import project_can_view

        return project_can_view(user, order.project)
    return False
