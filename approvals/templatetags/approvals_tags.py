from django import template
from django.contrib.contenttypes.models import ContentType

from approvals.addsign import task_can_add_signer
from approvals.chains import chain_diagram, task_can_return_to
from approvals.copies import copies_can_add
from approvals.forms import CopyForm
from approvals.models import CarbonCopy
from approvals.selectors import open_tasks_for
from approvals.urging import task_can_urge

register = template.Library()


@register.inclusion_tag("approvals/_panel.html", takes_context=True)
def approval_panel(context, record, title: str = "", link: str = ""):
    """The chain's own box on a record page: the steps it waits on with 催办 for the applicant,
    and who is copied (抄送) with the form to copy more."""
    request = context["request"]
    user = request.user
    tasks = list(open_tasks_for(record).select_related("group", "region", "assignee", "claimed_by"))
    for task in tasks:
        task.can_urge = task_can_urge(user, task)
        task.can_add_signer = task_can_add_signer(user, task)
        task.can_return_to = task_can_return_to(user, task)
    ct = ContentType.objects.get_for_model(record)
    copies = list(CarbonCopy.objects.filter(content_type=ct, object_id=record.pk).select_related("user"))
    can_copy = copies_can_add(user, record)
    diagram = chain_diagram(record, getattr(record, "state", ""))
    return {
        "diagram": diagram,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "record": record,
        "content_type_id": ct.pk,
        "tasks": tasks,
        "copies": copies,
        "can_copy": can_copy,
        "form": CopyForm() if can_copy else None,
        "title": title or str(record),
        "link": link or request.get_full_path(),
    }
