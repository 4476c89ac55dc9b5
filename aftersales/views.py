from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from approvals.decisions import decision_view
from approvals.errors import DomainError
from approvals.selectors import open_tasks_for, record_involves, task_can_act
from changes.selectors import ticket_follow_ups
from planning.selectors import open_risks
from pmis.audit.selectors import audit_for
from pmis.catalog.models import DocumentType
from pmis.documents.selectors import attachments_for
from pmis.forms import filter_errors
from pmis.lists import export_response, list_result, row_url
from pmis.org.selectors import user_role_codes
from projects.gates import present_documents
from projects.selectors import projects_visible
from projects.services import can_manage

from . import services
from .forms import AssignForm, HandoverForm, MetricsForm, TicketFilterForm, TicketForm, TicketReplyForm, TriageForm
from .lists import TICKETS, ticket_rows
from .models import CLOCK_RUNNING, Handover, HandoverItem, Ticket
from .selectors import QUEUES, sla_metrics, ticket_conversation, ticket_default_queue, ticket_queue


def _done(request, call, success: str, target):
    try:
        call()
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return redirect(target)


# ---------------------------------------------------------------------------------------------
# handover


@login_required
def handover_new(request, project_pk: int):
    project = projects_visible(request.user).filter(pk=project_pk).first()
    if project is None:
        raise Http404
    if not can_manage(request.user, project):
        raise PermissionDenied("只有项目经理可以提交移交")
    form = HandoverForm(request.POST or None, route=services.handover_route_for(project))
    if request.method == "POST" and form.is_valid():
        try:
            handover = services.handover_submit(
                project=project, actor=request.user, route=form.cleaned_data["route"], note=form.cleaned_data["note"]
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"移交已提交：{handover.get_state_display()}")
            return redirect(handover.get_absolute_url())
    present = present_documents(project)
    codes = services.handover_materials(project)
    names = dict(DocumentType.objects.filter(code__in=codes).values_list("code", "name"))
    materials = [{"name": names.get(c, c), "present": c in present} for c in codes]
    return render(request, "aftersales/handover_new.html", {"p": project, "form": form, "materials": materials})


def _handover_can_view(user, handover: Handover) -> bool:
    roles = user_role_codes(user)
    return bool(
        user.is_superuser
        or roles & {"aftersales", "aftersales_manager", "cs_head", "cs_staff", "project_director"}
        or projects_visible(user).filter(pk=handover.project_id).exists()
        or record_involves(user, handover)
    )


def _handover_or_404(user, pk: int) -> Handover:
    handover = get_object_or_404(Handover.objects.select_related("project__region", "submitted_by"), pk=pk)
    if not _handover_can_view(user, handover):
        raise Http404
    return handover


@login_required
def handover_detail(request, pk: int):
    return _handover_page(request, _handover_or_404(request.user, pk))


def _handover_page(request, handover: Handover, posted=None):
    """The handover page; after a refused audit the verdicts and notes come back as typed."""
    posted = posted or {}
    # 会签 and 加签 open several tasks of a step: the one this person may answer, else the first
    waiting = list(open_tasks_for(handover).select_related("group").order_by("pk"))
    task = next((t for t in waiting if task_can_act(request.user, t)), waiting[0] if waiting else None)
    can_act = task is not None and task_can_act(request.user, task)
    items = list(handover.items.all())
    for item in items:
        item.chosen = posted.get(f"verdict_{item.pk}") or ("ok" if item.present else "")
        item.typed_note = posted.get(f"note_{item.pk}", "")
    return render(
        request,
        "aftersales/handover.html",
        {
            "h": handover,
            "p": handover.project,
            "items": items,
            "task": task,
            "can_act": can_act,
            "verdicts": HandoverItem.Verdict.choices[1:],
            "history": audit_for(handover),
            "others": handover.project.handovers.exclude(pk=handover.pk),
            "open_risks": open_risks(handover.project),  # carried into the handover checklist (003 转维)
            "comment": posted.get("comment", ""),
        },
    )


@login_required
@require_POST
@decision_view(Handover, can_view=_handover_can_view, fallback="approvals:inbox")
def handover_decide(request, pk: int):
    handover = _handover_or_404(request.user, pk)
    comment = request.POST.get("comment", "")
    if handover.state == Handover.State.PENDING_CS_HEAD:
        approve = request.POST.get("decision") == "approve"
        call = lambda: services.handover_cs_head_decide(  # noqa: E731
            handover=handover, actor=request.user, approve=approve, comment=comment
        )
    else:
        verdicts = {
            item.pk: (request.POST.get(f"verdict_{item.pk}", "pending"), request.POST.get(f"note_{item.pk}", ""))
            for item in handover.items.all()
        }
        call = lambda: services.handover_audit(  # noqa: E731
            handover=handover, actor=request.user, verdicts=verdicts, comment=comment
        )
    try:
        call()
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return _handover_page(request, handover, posted=request.POST)
    messages.success(request, "已处理移交")
    return redirect(handover.get_absolute_url())


# ---------------------------------------------------------------------------------------------
# tickets


def _can_use_tickets(user) -> bool:
    return user.is_superuser or bool(user_role_codes(user) & (services.AFTERSALES_ROLES | {"regional_pm"}))


@login_required
def ticket_list(request):
    if not _can_use_tickets(request.user):
        raise PermissionDenied("只有售后、客户成功与区域项目经理可以查看售后问题")
    queue = request.GET.get("queue") or ticket_default_queue(request.user)
    if queue not in QUEUES:
        queue = ticket_default_queue(request.user)
    tickets = ticket_queue(request.user, queue)
    form = TicketFilterForm(request.GET or None)
    refused = form.is_bound and not form.is_valid()
    if refused:
        messages.error(request, f"筛选条件无效，请修改后重试（{filter_errors(form)}）")
        tickets = tickets.none()
    elif form.is_valid():
        data = form.cleaned_data
        if data["severity"]:
            tickets = tickets.filter(severity=data["severity"])
        if data["region"]:
            tickets = tickets.filter(project__region=data["region"])
        if data["state"]:
            tickets = tickets.filter(state=data["state"])
    # with the keyword (q) and sort
    result = list_result(request, tickets, TICKETS, filter_form=form, scope=QUEUES[queue])
    if result.exporting and not refused:
        return export_response(result)
    page = result.page()
    now = timezone.now()
    detail = row_url("aftersales:ticket")  # reversed once for the page, not once per row
    for ticket in page.object_list:
        ticket.overdue = ticket.is_breached(now)
        ticket.url = detail(ticket.pk)
    return render(
        request,
        "aftersales/tickets.html",
        {
            "list": result,
            "page": page,
            "rows": ticket_rows(page.object_list),
            "queue": queue,
            "queues": QUEUES,
            "form": form,
            "can_create": services._is_aftersales(request.user),
        },
        status=400 if refused else result.status,
    )


@login_required
def ticket_new(request):
    if not services._is_aftersales(request.user):
        raise PermissionDenied("只有售后与客户成功人员可以登记问题申报单")
    form = TicketForm(
        request.POST or None,
        initial={
            "reported_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "project_code": request.GET.get("project", ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "project_code"}
        try:
            ticket = services.ticket_create(project=form.project, actor=request.user, data=data)
        except DomainError as exc:
            form.add_error("reported_at", str(exc))
        else:
            messages.success(request, f"问题申报单 {ticket.number} 已登记，请分级")
            return redirect(ticket.get_absolute_url())
    return render(request, "aftersales/ticket_new.html", {"form": form})


def _ticket_or_404(user, pk: int) -> Ticket:
    ticket = get_object_or_404(
        Ticket.objects.select_related("project__region", "severity", "assignee", "created_by"), pk=pk
    )
    if not services.ticket_can_view(user, ticket):
        raise Http404
    return ticket


@login_required
def ticket_detail(request, pk: int):
    return _ticket_page(request, _ticket_or_404(request.user, pk))


def _ticket_cards(user, ticket: Ticket) -> set[str]:
    """The side cards of the ticket page: the steps this user can take now, from the transitions
    the ticket's state allows and the rule of each service (no 指派 card once a ticket has its
    assignee; the 售后运维部经理 may still hand it on through 改派)."""
    available = {t.name for t in ticket.get_available_state_transitions()}
    roles = user_role_codes(user)
    aftersales = services._is_aftersales(user)
    manager = user.is_superuser or "aftersales_manager" in roles
    assignee = ticket.assignee_id == user.pk
    cards = set()
    if "triage" in available and aftersales:
        cards.add("triage")
    if "assign" in available and ticket.assignee_id is None:
        cards |= {"assign"} if aftersales else set()
        cards |= {"dispatch"} if manager else set()
    elif "assign" in available and manager:
        cards.add("reassign")
    if assignee and available & {"start", "pause", "resume", "resolve"}:
        cards.add("work")
    if available & {"close", "reopen"} and aftersales:
        cards.add("confirm")
    if services.can_request_support(user, ticket):
        cards.add("support")
    return cards


def _support_reason(ticket: Ticket) -> str:
    entry = audit_for(ticket).filter(action="ticket.support_request").last()
    return entry.comment if entry is not None else ""


def _countdown(ticket: Ticket, now) -> dict | None:
    """The resolution clock as the page shows it: running toward the due time (amber from the
    policy's warning point, red at breach), paused with what is left, or none."""
    if ticket.state == Ticket.State.WAITING_CUSTOMER:
        breached = ticket.sla_breached_at is not None
        return {"paused": True, "level": "breached" if breached else "paused", "remaining": ticket.remaining_seconds}
    if ticket.state not in CLOCK_RUNNING or ticket.due_at is None:
        return None
    task = open_tasks_for(ticket).filter(step="ticket.sla").only("warn_at").first()
    warn_at = task.warn_at if task is not None else None
    if ticket.is_breached(now):
        level = "breached"
    elif warn_at is not None and warn_at <= now:
        level = "warn"
    else:
        level = "ok"
    return {"paused": False, "level": level, "due_at": ticket.due_at, "warn_at": warn_at, "now": now}


def _ticket_page(request, ticket: Ticket, *, action: str = "", form=None, reply_form=None, status: int = 200):
    """The ticket page; after a refused action it comes back with what was typed in that form."""
    ticket = Ticket.objects.select_related("project__region", "severity", "assignee", "created_by").get(pk=ticket.pk)
    user = request.user
    aftersales = services._is_aftersales(user)
    now = timezone.now()
    cards = _ticket_cards(user, ticket)
    support_request = services.support_request_of(ticket)
    if support_request is not None and (user.is_superuser or "aftersales_manager" in user_role_codes(user)):
        cards |= {"support_decide", "dispatch"}
    region = ticket.project.region
    doc_types = services.ticket_doc_types()
    if reply_form is None and ticket.state != Ticket.State.CLOSED:
        reply_form = TicketReplyForm(doc_types=doc_types, may_note=services.can_see_internal(user))
    return render(
        request,
        "aftersales/ticket.html",
        {
            "t": ticket,
            "history": audit_for(ticket),
            "cards": cards,
            "triage_form": (form if action == "triage" else TriageForm()) if "triage" in cards else None,
            "assign_form": (form if action == "assign" else AssignForm()) if cards & {"assign", "reassign"} else None,
            "dispatch_form": (form if action == "dispatch" else AssignForm(dispatch=True, region=region))
            if cards & {"dispatch", "reassign"}
            else None,
            "is_assignee": ticket.assignee_id == user.pk,
            "support_request": support_request,
            "support_reason": _support_reason(ticket) if support_request is not None else "",
            "aftersales": aftersales,
            "breached": ticket.is_breached(now),
            "countdown": _countdown(ticket, now),
            "project_link": projects_visible(user).filter(pk=ticket.project_id).exists(),
            "response_overdue": ticket.first_response_at is None
            and ticket.response_due_at is not None
            and ticket.response_due_at <= now,
            "triage_task": open_tasks_for(ticket).filter(step="ticket.triage").first()
            if ticket.state == Ticket.State.NEW
            else None,
            "conversation": ticket_conversation(user, ticket),
            "reply_form": reply_form,
            "documents": attachments_for(ticket),
            "upload_types": doc_types,
            "content_type_id": ContentType.objects.get_for_model(Ticket).pk,
            "typed": request.POST if action else {},
            "typed_action": action,
            "follow_ups": ticket_follow_ups(user, ticket),
        },
        status=status,
    )


@login_required
@require_POST
def ticket_reply(request, pk: int):
    """Post a reply or an internal note; a refused one comes back with what was typed (a browser
    never keeps chosen files, so the message asks for them again)."""
    ticket = _ticket_or_404(request.user, pk)
    form = TicketReplyForm(
        request.POST,
        request.FILES,
        doc_types=services.ticket_doc_types(),
        may_note=services.can_see_internal(request.user),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            comment = services.ticket_comment_add(
                ticket=ticket,
                actor=request.user,
                body=data["body"],
                internal=data.get("internal", False),
                doc_type=data["doc_type"],
                files=data["files"],
            )
        except (DomainError, PermissionDenied, ValidationError) as exc:
            form.add_error(None, "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, "已添加内部备注" if comment.internal else "已回复")
            return redirect(comment.get_absolute_url())
    messages.error(request, "未能发送，请修改后重试" + ("（附件需重新选择）" if request.FILES else ""))
    return _ticket_page(request, ticket, reply_form=form)


@login_required
@require_POST
@decision_view(
    Ticket, can_view=lambda user, ticket: services.ticket_can_view(user, ticket), fallback="aftersales:tickets"
)
def ticket_action(request, pk: int, action: str):
    ticket = _ticket_or_404(request.user, pk)
    user, post = request.user, request.POST
    form = None
    if action == "triage":
        form = TriageForm(post)
        if not form.is_valid():
            messages.error(request, "请选择问题级别")
            return _ticket_page(request, ticket, action=action, form=form)
        call = lambda: services.ticket_triage(ticket=ticket, actor=user, severity=form.cleaned_data["severity"])  # noqa: E731
    elif action in ("assign", "dispatch"):
        form = AssignForm(post, dispatch=action == "dispatch", region=ticket.project.region)
        if not form.is_valid():
            messages.error(request, "请选择处理人")
            return _ticket_page(request, ticket, action=action, form=form)
        call = lambda: services.ticket_assign(  # noqa: E731
            ticket=ticket, actor=user, to=form.cleaned_data["to"], dispatch=action == "dispatch"
        )
    elif action == "support":
        call = lambda: services.ticket_support_request(ticket=ticket, actor=user, reason=post.get("reason", ""))  # noqa: E731
    elif action == "support_decline":
        call = lambda: services.ticket_support_decline(ticket=ticket, actor=user, reason=post.get("reason", ""))  # noqa: E731
    elif action == "start":
        call = lambda: services.ticket_start(ticket=ticket, actor=user)  # noqa: E731
    elif action == "pause":
        call = lambda: services.ticket_pause(ticket=ticket, actor=user, reason=post.get("reason", ""))  # noqa: E731
    elif action == "resume":
        call = lambda: services.ticket_resume(ticket=ticket, actor=user)  # noqa: E731
    elif action == "resolve":
        call = lambda: services.ticket_resolve(ticket=ticket, actor=user, resolution=post.get("resolution", ""))  # noqa: E731
    elif action == "reopen":
        call = lambda: services.ticket_reopen(ticket=ticket, actor=user, reason=post.get("reason", ""))  # noqa: E731
    elif action == "close":
        call = lambda: services.ticket_close(ticket=ticket, actor=user, confirmation=post.get("confirmation", ""))  # noqa: E731
    else:
        raise Http404
    try:
        call()
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return _ticket_page(request, ticket, action=action, form=form)
    messages.success(request, "已处理")
    return redirect(ticket.get_absolute_url())


# ---------------------------------------------------------------------------------------------
# metrics


@login_required
def metrics(request):
    roles = user_role_codes(request.user)
    if not (request.user.is_superuser or roles & {"aftersales_manager", "aftersales", "cs_head", "project_director"}):
        raise PermissionDenied("只有售后运维部、客户成功负责人与项目总监可以查看 SLA 指标")
    # 003 度量考核 is monthly: without a choice, this month
    params = request.GET.copy()
    params.setdefault("month", timezone.localdate().strftime("%Y-%m"))
    form = MetricsForm(params)
    if not form.is_valid():  # never the figures of another month or region than the one asked for
        messages.error(request, f"筛选条件无效，请修改后重试（{filter_errors(form)}）")
        return render(request, "aftersales/metrics.html", {"form": form, "refused": True}, status=400)
    data = form.cleaned_data
    if request.method == "POST":  # 重新统计: count now, then show the same choice (a reload counts nothing more)
        _metrics_counted(data, recount=True)
        messages.success(request, "已重新统计")
        return redirect(f"{request.path}?{params.urlencode()}")
    if request.GET.get("export") == "xlsx":  # a record taken away: counted now
        return _export_metrics(_sla_figures(data), form)
    counted = _metrics_counted(data)
    figures = counted["figures"]
    peak = max([r["total"] for r in figures["rows"]] + [1])
    for row in figures["rows"]:
        row["bar"] = int(row["total"] * 100 / peak)
        row["met_bar"] = int(row["met"] * 100 / peak)
    context = {
        "form": form,
        **figures,
        "operations": counted["operations"],
        "change_metrics": counted["changes"],
        "counted_at": counted["counted_at"],
        "chosen_query": params.urlencode(),
    }
    return render(request, "aftersales/metrics.html", context)


def _sla_figures(data) -> dict:
    return sla_metrics(month=data.get("month"), region=data.get("region"), group_by=data.get("group_by") or "region")


def _metrics_counted(data, *, recount: bool = False) -> dict:
    """The page's figures for a month, region and grouping, as counted at most one 看板数据刷新周期
    ago (the policy the 工作台's cards follow; the page says when they were counted and offers to
    count again): the same for everyone allowed to see them, so one count serves every manager
    who opens the month. Kept in the layout's cache (nothing kept where that is a DummyCache)."""
    from changes.metrics import change_metrics  # 变更审批、BUG 确认、版本发布 (003 度量考核)
    from dashboards.cache import lifetime
    from operations.selectors import operations_metrics  # 突发事件、现场服务、投诉 (003 度量考核)

    month, region = data.get("month"), data.get("region")
    key = f"pmis:sla-metrics:v1:{month or 'all'}:{region.pk if region else 'all'}:{data.get('group_by') or 'region'}"
    store = caches[settings.PMIS_LAYOUT_CACHE]
    now = timezone.now()
    counted = None if recount else store.get(key)
    if counted is None or counted["counted_at"] + lifetime() <= now:
        counted = {
            "figures": _sla_figures(data),
            "operations": operations_metrics(month=month, region=region),
            "changes": change_metrics(month=month, region=region),
            "counted_at": now,
        }
        store.set(key, counted, int(lifetime().total_seconds()))
    return counted


def _export_metrics(figures, form):
    from pmis import excel

    data = form.cleaned_data if form.is_valid() else {}
    month = data.get("month")
    chosen = [
        f"月份：{month:%Y年%m月}" if month else "月份：全部",
        f"区域：{data['region']}" if data.get("region") else "区域：全部区域",
        "分组：" + dict(form.fields["group_by"].choices).get(data.get("group_by") or "region", ""),
    ]
    headers = [
        "分组", "问题数", "已解决", "未解决但已超时", "SLA 达成数", "SLA 达成率", "问题解决率",
        "首次响应达成数", "首次响应达成率", "平均转单时长（小时）", "重开问题数", "重开次数",
    ]  # fmt: skip

    def rate(value, digits=4):
        return round(value, digits) if value is not None else None

    rows = [
        [
            row["label"], row["total"], row["resolved"], row["breached_open"], row["met"],
            rate(row["attainment"]), rate(row["resolution_rate"]), row["response_met"],
            rate(row["response_rate"]), rate(row["transfer_hours"], 2), row["reopened"], row["reopens"],
        ]
        for row in [*figures["rows"], {**figures["overall"], "label": "合计"}]
    ]  # fmt: skip
    workbook = excel.new_workbook()
    title = f"SLA 指标｜筛选条件：{'；'.join(chosen)}｜{excel.export_time()}"
    excel.write_table(workbook, name="SLA 指标", title=title, headers=headers, rows=rows)
    excel.write_table(
        workbook, name="口径说明", title=f"SLA 指标的口径｜{excel.export_time()}", headers=["指标", "口径"],
        rows=[list(pair) for pair in figures["formulas"]],
    )  # fmt: skip
    return excel.xlsx_response(workbook, f"SLA指标-{month:%Y%m}.xlsx" if month else "SLA指标.xlsx")
