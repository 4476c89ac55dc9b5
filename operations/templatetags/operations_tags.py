from django import template

register = template.Library()


@register.inclusion_tag("operations/ticket_links.html")
def ticket_operations(ticket, user):
    """On a ticket: 发起现场服务, 升级为突发事件, 转为知识, 登记客户投诉 — for those who may."""
    from aftersales.models import Ticket
    from knowledge.services import can_write_articles
    from operations.models import Complaint
    from operations.services.common import can_work_operations

    work = can_work_operations(user, ticket.project)
    solved = ticket.state in (Ticket.State.RESOLVED, Ticket.State.CLOSED)
    return {
        "t": ticket,
        "work": work,
        "article": can_write_articles(user) and solved,
        "complained": Complaint.objects.filter(ticket=ticket).exists(),
    }
