"""Knowledge articles (003 知识库管理规范): written from a resolved ticket or a recovered incident,
linked back to it; anyone in after-sales, operations or on the project team may write one."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from approvals.errors import DomainError
from approvals.services import next_number
from pmis.audit.services import audit_record
from pmis.org.selectors import user_role_codes

from .models import Article

AUTHOR_ROLES = frozenset(
    {
        "aftersales",
        "aftersales_manager",
        "cs_staff",
        "cs_head",
        "emergency_team",
        "regional_pm",
        "implementer",
        "product_dept",
        "rd_expert",
        "project_director",
    }
)
REQUIRED = {"title": "标题", "problem": "问题现象", "cause": "原因", "solution": "解决方案"}


def can_write_articles(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(user_role_codes(user) & AUTHOR_ROLES))


def source_ready(*, ticket=None, incident=None) -> None:
    """Only a solved problem becomes knowledge."""
    from aftersales.models import Ticket
    from operations.models import Incident

    if ticket is not None and ticket.state not in (Ticket.State.RESOLVED, Ticket.State.CLOSED):
        raise DomainError("售后问题解决后才能转为知识")
    if incident is not None and incident.recovered_at is None:
        raise DomainError("突发事件恢复后才能转为知识")
    if incident is not None and incident.state not in (
        Incident.State.RECOVERED,
        Incident.State.REPORT_REVIEW,
        Incident.State.ARCHIVED,
    ):
        raise DomainError("突发事件恢复后才能转为知识")


@transaction.atomic
def article_create(*, actor, data: dict, products=(), ticket=None, incident=None) -> Article:
    if not can_write_articles(actor):
        raise PermissionDenied("您没有编写知识条目的权限")
    missing = [label for field, label in REQUIRED.items() if not (data.get(field) or "").strip()]
    if missing:
        raise DomainError(f"请填写：{'、'.join(missing)}")
    source_ready(ticket=ticket, incident=incident)
    project = (ticket.project if ticket else None) or (incident.project if incident else None)
    article = Article.objects.create(
        number=next_number("ZS"),
        title=data["title"].strip(),
        problem=data["problem"].strip(),
        cause=data["cause"].strip(),
        solution=data["solution"].strip(),
        versions=(data.get("versions") or "").strip(),
        project=project,
        ticket=ticket,
        incident=incident,
        created_by=actor,
    )
    article.products.set(products)
    source = ticket or incident
    audit_record(
        subject=article,
        action="article.create",
        label="新建知识条目",
        actor=actor,
        details={"source": str(source) if source else ""},
    )
    if source is not None:
        audit_record(subject=source, action="article.from", label=f"转为知识：{article.number}", actor=actor)
    return article
