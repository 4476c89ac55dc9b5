"""What the customer-success services share: who may file and see, and the step lookup."""

from django.core.exceptions import PermissionDenied

from approvals.errors import AlreadyDecided
from approvals.models import Task
from approvals.selectors import open_tasks_for, task_can_act
from pmis.org.selectors import user_role_codes

# who may file a cloud product order (000 §3.2: sales or customer success)
ORDER_FILERS = frozenset({"sales", "cs_manager", "cs_head", "cs_staff", "cs_ops", "cs_support"})
# customer-success staff: file service requests, see every request and licence
CS_ROLES = frozenset({"cs_manager", "cs_head", "cs_staff", "cs_ops", "cs_support"})
# who sees every order and licence: customer success, 商务, 产品管理部
REGISTER_READERS = CS_ROLES | {"business_approver", "product_dept"}


def roles_of(user) -> frozenset[str]:
    return user_role_codes(user) if user.is_authenticated else frozenset()


def is_cs(user) -> bool:
    return user.is_superuser or bool(roles_of(user) & CS_ROLES)


def step_task(subject, step: str, actor, *, refusal: str) -> Task:
    """The open step `step` of a record, which `actor` must be able to act on."""
    task = open_tasks_for(subject).filter(step=step).first()
    if task is None:
        raise AlreadyDecided("该环节已被他人处理，请刷新页面")
    if not task_can_act(actor, task):
        raise PermissionDenied(refusal)
    return task
