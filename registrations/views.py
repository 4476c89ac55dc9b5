from functools import partial
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from approvals.decisions import decision_view
from approvals.errors import DomainError
from approvals.models import Task
from approvals.selectors import open_tasks_for, task_can_act
from pmis.audit.selectors import audit_for
from pmis.catalog.models import DocumentType, Phase
from pmis.documents.pdf import cached_pdf
from pmis.documents.selectors import attachments_for
from pmis.documents.services import attachment_add
from pmis.documents.validation import check_upload
from pmis.forms import filter_errors, form_error_lines, region_filter_field
from pmis.lists import export_response, list_result, row_url
from pmis.org.selectors import user_role_codes

from . import lists
from .forms import (
    DecisionForm,
    RegistrationForm,
    StakeholderFormSet,
    SystemFormSet,
    WithdrawForm,
    registration_error_lines,
)
from .lists import MineFilterForm
from .models import EDITABLE_STATES, PENDING_STATES, Kind, Registration, State
from .rows import mine_rows, queue_rows
from .selectors import (
    approval_record,
    attach_waiting,
    last_return,
    queue_decided,
    queue_waiting,
    queue_waiting_page_ids,
    registration_can_attach,
    registration_can_view,
    registration_projects,
    registrations_of,
)
from .services import (
    OUTSOURCING_STEP,
    STEPS,
    RegistrationIncomplete,
    missing_items,
    registration_decide,
    registration_outsourcing_done,
    registration_save,
    registration_submit,
    registration_withdraw,
)


def _visible_or_404(user, pk: int) -> Registration:
    registration = get_object_or_404(
        Registration.objects.select_related("owner__department", "presales", "region", "province", "parent_project"),
        pk=pk,
    )
    if not registration_can_view(user, registration):
        raise Http404  # not even whether it exists
    return registration


@login_required
def mine(request):
    team = request.GET.get("team") == "1"
    registrations = registrations_of(request.user, team=team)
    form = MineFilterForm(request.GET or None)
    refused = form.is_bound and not form.is_valid()
    if refused:
        messages.error(request, f"筛选条件无效，请修改后重试（{filter_errors(form)}）")
        registrations = registrations.none()
    elif form.is_valid() and form.cleaned_data["state"]:
        registrations = registrations.filter(state=form.cleaned_data["state"])
    result = list_result(request, registrations, lists.MINE, filter_form=form, scope="本团队" if team else "")
    if result.exporting and not refused:
        return export_response(result)
    page = result.page()
    return render(
        request,
        "registrations/mine.html",
        {
            "list": result,
            "page": page,
            "rows": mine_rows(attach_waiting(page.object_list), team=team),
            "form": form,
            "team": team,
            "is_manager": "sales_manager" in user_role_codes(request.user),
            "can_create": "sales" in user_role_codes(request.user),
        },
        status=400 if refused else result.status,
    )


def _require_sales(user) -> None:
    if not (user.is_superuser or "sales" in user_role_codes(user)):
        raise PermissionDenied("只有销售可以提交实施登记")


@login_required
def choose_kind(request):
    _require_sales(request.user)
    return render(request, "registrations/choose_kind.html", {"kinds": Kind.choices})


def _form_page(request, *, registration: Registration, kind: str):
    """The registration form for create and edit: 保存草稿 keeps everything typed; 提交审批 saves,
    then checks completeness and names every missing item, keeping what was typed."""
    bound = request.method == "POST"
    data = request.POST if bound else None
    form = RegistrationForm(data, instance=registration, kind=kind)
    stakeholders = StakeholderFormSet(data, instance=registration, prefix="stakeholders")
    systems = SystemFormSet(data, instance=registration, prefix="systems")
    missing: dict[str, str] = {}
    staged, upload_errors = _first_uploads(request, registration) if bound else ([], [])
    if not bound and registration.pk and request.GET.get("check"):
        missing = missing_items(registration)
        if not missing:
            messages.info(request, "内容已完整，可以提交审批")
    if bound:
        forms_valid = form.is_valid() and stakeholders.is_valid() and systems.is_valid()
        if forms_valid and not upload_errors:
            with transaction.atomic():  # the first save and the files chosen with it, or neither
                registration = registration_save(
                    form=form, stakeholders=stakeholders, systems=systems, actor=request.user, kind=kind
                )
                for doc_type, upload in staged:
                    attachment_add(subject=registration, doc_type=doc_type, upload=upload, actor=request.user)
            if request.POST.get("action") != "submit":
                uploaded = f"，已上传 {len(staged)} 个附件" if staged else ""
                messages.success(request, f"草稿已保存{uploaded}")
                return redirect("registrations:edit", pk=registration.pk)
            try:
                registration = registration_submit(registration=registration, actor=request.user)
            except RegistrationIncomplete:
                # The draft is saved; the edit page names what is missing (and survives a reload
                # or an upload in between).
                return redirect(f"{reverse('registrations:edit', args=[registration.pk])}?check=1")
            messages.success(request, f"已提交：{registration.number}，当前{registration.get_state_display()}")
            return redirect("registrations:detail", pk=registration.pk)
        else:
            messages.error(request, "表单有错误，请按提示修改：")
            for line in registration_error_lines(form, stakeholders, systems) + upload_errors:
                messages.error(request, line)
            if staged or upload_errors:
                messages.error(request, "浏览器不会保留已选的文件，请重新选择附件后再保存")
    return render(
        request,
        "registrations/form.html",
        {
            "form": form,
            "stakeholders": stakeholders,
            "systems": systems,
            "registration": registration if registration.pk else None,
            "kind": kind,
            "kind_label": Kind(kind).label,
            "missing": missing,
            "returned": last_return(registration) if registration.pk else None,
            **_documents_context(request, registration),
        },
    )


def _upload_types():
    return DocumentType.objects.filter(phase=Phase.REGISTRATION).exclude(code="registration-form")


def _first_uploads(request, registration: Registration) -> tuple[list, list[str]]:
    """On the new-registration page the files chosen before the first save are sent with it, one
    per document type: checked before anything is saved, stored with the draft."""
    if registration.pk is not None:
        return [], []
    staged, errors = [], []
    for doc_type in _upload_types():
        upload = request.FILES.get(f"attach-{doc_type.code}")
        if upload is None:
            continue
        try:
            check_upload(upload, doc_type_code=doc_type.code)
        except ValidationError as exc:
            errors.append(f"{doc_type.name}：{exc.messages[0]}")
        else:
            staged.append((doc_type, upload))
    return staged, errors


def _documents_context(request, registration: Registration) -> dict:
    if registration.pk is None:
        return {"documents": [], "can_upload": False, "upload_types": _upload_types()}
    return {
        "documents": attachments_for(registration),
        "can_upload": registration_can_attach(request.user, registration),
        "upload_types": _upload_types(),
        "content_type_id": ContentType.objects.get_for_model(Registration).pk,
    }


@login_required
def create(request, kind: str):
    _require_sales(request.user)
    if kind not in Kind.values:
        raise Http404
    return _form_page(request, registration=Registration(kind=kind, owner=request.user), kind=kind)


@login_required
def edit(request, pk: int):
    registration = _visible_or_404(request.user, pk)
    if registration.owner_id != request.user.pk:
        raise PermissionDenied("只有责任销售本人可以修改该登记")
    if registration.state not in EDITABLE_STATES:
        messages.error(request, f"当前状态“{registration.get_state_display()}”不能修改")
        return redirect("registrations:detail", pk=pk)
    return _form_page(request, registration=registration, kind=registration.kind)


def _project_visible(user, project) -> bool:
    from projects.selectors import project_can_view

    return project_can_view(user, project)


@login_required
def detail(request, pk: int):
    return _detail_page(request, _visible_or_404(request.user, pk))


def _detail_page(
    request,
    registration: Registration,
    *,
    decision_form: DecisionForm | None = None,
    withdraw_form: WithdrawForm | None = None,
    outsourcing_comment: str = "",
):
    """The registration page; after a refused decision it comes back with what was typed."""
    registration = (
        Registration.objects.select_related("owner__department", "presales", "region", "province", "parent_project__pm")
        .prefetch_related("products", "stakeholders", "systems")
        .get(pk=registration.pk)
    )
    open_tasks = list(open_tasks_for(registration).select_related("group", "region", "assignee", "claimed_by"))
    step = STEPS.get(registration.state)
    decision_task = next(
        (t for t in open_tasks if step and t.step == step.code and registration.state in PENDING_STATES), None
    )
    can_decide = decision_task is not None and task_can_act(request.user, decision_task)
    outsourcing_task = next((t for t in open_tasks if t.step == OUTSOURCING_STEP.code), None)
    initiation = next((t for t in open_tasks if t.step == STEPS[State.DISPATCHED].code), None)
    context = {
        "r": registration,
        "returned": last_return(registration),
        "open_tasks": open_tasks,
        "history": audit_for(registration),
        "can_decide": can_decide,
        "decision_form": (decision_form or DecisionForm(business=registration.state == State.PENDING_BUSINESS))
        if can_decide
        else None,
        "is_owner": registration.owner_id == request.user.pk,
        "can_edit": registration.owner_id == request.user.pk and registration.state in EDITABLE_STATES,
        "can_withdraw": registration.owner_id == request.user.pk
        and registration.state in (*EDITABLE_STATES, *PENDING_STATES),
        "can_initiate": initiation is not None and task_can_act(request.user, initiation),
        "can_outsource": outsourcing_task is not None and task_can_act(request.user, outsourcing_task),
        "withdraw_form": withdraw_form or WithdrawForm(),
        "outsourcing_comment": outsourcing_comment,
        "projects": list(registration_projects(request.user, registration)),
        "parent_visible": registration.parent_project_id is not None
        and _project_visible(request.user, registration.parent_project),
        **_documents_context(request, registration),
    }
    return render(request, "registrations/detail.html", context)


@login_required
@require_POST
@decision_view(Registration, can_view=registration_can_view, fallback="registrations:queue")
def decide(request, pk: int):
    registration = _visible_or_404(request.user, pk)
    form = DecisionForm(request.POST, business=registration.state == State.PENDING_BUSINESS)
    if not form.is_valid():
        messages.error(request, "请选择审批结果")
        return _detail_page(request, registration, decision_form=form)
    try:
        registration = registration_decide(
            registration=registration,
            actor=request.user,
            decision=form.cleaned_data["decision"],
            comment=form.cleaned_data["comment"],
            review=form.review(),
        )
    except DomainError as exc:
        messages.error(request, str(exc))
        return _detail_page(request, registration, decision_form=form)
    messages.success(request, f"已处理：{registration.title}，当前{registration.get_state_display()}")
    if registration_can_view(request.user, registration):
        return redirect("registrations:detail", pk=pk)
    return redirect("registrations:queue")


@login_required
@require_POST
def withdraw(request, pk: int):
    registration = _visible_or_404(request.user, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(form_error_lines(form)))
        return _detail_page(request, registration, withdraw_form=form)
    try:
        registration_withdraw(registration=registration, actor=request.user, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, str(exc))
        return _detail_page(request, registration, withdraw_form=form)
    messages.success(request, "登记已撤回")
    return redirect("registrations:detail", pk=pk)


@login_required
@require_POST
def outsourcing_done(request, pk: int):
    registration = _visible_or_404(request.user, pk)
    try:
        registration_outsourcing_done(
            registration=registration, actor=request.user, comment=request.POST.get("comment", "")
        )
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return _detail_page(request, registration, outsourcing_comment=request.POST.get("comment", ""))
    messages.success(request, "外采已办理")
    return redirect("registrations:detail", pk=pk)


@login_required
def pdf(request, pk: int):
    registration = _visible_or_404(request.user, pk)
    registration = (
        Registration.objects.select_related("owner__department", "presales", "region", "province", "parent_project")
        .prefetch_related("products", "stakeholders", "systems")
        .get(pk=registration.pk)
    )
    last_entry = audit_for(registration).order_by("-id").values_list("id", flat=True).first()
    version = f"{registration.pk}:{registration.updated_at.isoformat()}:{registration.state}:{last_entry}"

    def context():
        decisions = list(approval_record(registration))
        business_approval = next(
            (
                e
                for e in reversed(decisions)
                if e.action == "registration.approve" and e.details.get("step") == "registration.business"
            ),
            None,
        )
        return {
            "r": registration,
            "decisions": decisions,
            "business_approval": business_approval,
            "printed_at": timezone.now(),
        }

    content = cached_pdf("registrations/pdf.html", version, context)
    response = HttpResponse(content, content_type="application/pdf")
    filename = f"项目实施登记表-{registration.number or registration.pk}.pdf"
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return response


class QueueFilterForm(forms.Form):
    kind = forms.ChoiceField(label="类别", required=False, choices=[("", "全部类别"), *Kind.choices])
    region = region_filter_field()
    since = forms.DateField(label="到达日期自", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "结束日期不能早于开始日期")
        return data


@login_required
def queue(request):
    decided = request.GET.get("tab") == "decided"
    form = QueueFilterForm(request.GET or None)
    refused = form.is_bound and not form.is_valid()
    filters = {k: v for k, v in (form.cleaned_data if form.is_valid() else {}).items() if v not in ("", None)}
    if decided or refused:
        tasks = queue_decided(request.user, **filters) if decided else queue_waiting(request.user, **filters)
        if refused:
            messages.error(request, f"筛选条件无效，请修改后重试（{filter_errors(form)}）")
            tasks = tasks.none()
    else:  # the queue's conditions, built only for a keyword or an export (queue_waiting_page_ids)
        tasks = partial(queue_waiting, request.user, **filters)
    result = list_result(
        request,
        tasks,
        lists.QUEUE_DECIDED if decided else lists.QUEUE_WAITING,
        filter_form=form,
        page_ids=None if decided or refused else queue_waiting_page_ids(request.user, **filters),
        rows=Task.objects.all(),  # the queue shows the step and its registration (attached), no more
    )
    if result.exporting and not refused:
        return export_response(result)
    page = result.page()
    now = timezone.now()
    detail = row_url("registrations:detail")  # reversed once for the page, not once per row
    for task in page.object_list:
        task.overdue = task.is_overdue(now)
        task.record_url = detail(task.record.pk) if task.record is not None else ""
    return render(
        request,
        "registrations/queue.html",
        {
            "list": result,
            "page": page,
            "decided": decided,
            "form": form,
            "rows": queue_rows(page.object_list, decided=decided),
        },
        status=400 if refused else result.status,
    )
