"""Demo data of the approval habits: the chain settings, a running delegation and a copied
registration, so that 代理审批, 抄送我的 and the 流程图 have something to show."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from pmis.org.models import User

from .chains import chains_seed
from .copies import copies_add
from .models import CarbonCopy, Delegation


@transaction.atomic
def demo_approvals_seed() -> int:
    """Idempotent: returns how many rows it added."""
    added = chains_seed()
    users = {u.username: u for u in User.objects.filter(username__in=["special_approver", "special_approver_south",
                                                                       "presales", "sales"])}  # fmt: skip
    if len(users) < 4:
        return added
    north, south = users["special_approver"], users["special_approver_south"]
    if not Delegation.objects.filter(delegator=north).exists():
        today = timezone.localdate()
        Delegation.objects.create(
            delegator=north,
            delegate=south,
            starts_on=today,
            ends_on=today + timedelta(days=6),
            step_kinds=["registration"],
            reason="出差一周",
            created_by=north,
        )
        added += 1
    if not CarbonCopy.objects.filter(user=users["presales"]).exists():
        from registrations.models import Registration

        record = Registration.objects.filter(owner=users["sales"]).exclude(number="").order_by("pk").first()
        if record is not None:
            added += len(
                copies_add(
                    record=record,
                    users=[users["presales"]],
                    actor=None,
                    title=f"{record.number} {record.title}",
                    link=record.get_absolute_url(),
                    note="请关注解决方案的审批进度",
                )
            )
    return added
