"""Bulk data for scale work: realistic, internally consistent rows made with bulk inserts.

At scale 1: ~100 000 registrations across kinds and states, 20 000 projects in every phase with
teams, tasks, product requests and documents, ~1 000 000 audit rows, ~300 000 inbox tasks open and
closed, 200 000 tickets and 500 users in every role and both regions. Rows are tagged (numbers
start with BK, user names with bulk_) so the demo data stays as it is and the demo users still
see plausible inboxes."""

import random
import secrets
from datetime import timedelta

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from guardian.models import UserObjectPermission

from aftersales.models import Ticket
from aftersales.services.rollup import rollup_rebuild
from approvals.models import Task
from pmis.audit.models import AuditEntry
from pmis.catalog.models import DocumentType, Product
from pmis.documents.models import Attachment
from pmis.org.models import Department, Region, User
from pmis.org.roles import ROLES
from pmis.worktime.services import ticket_levels
from projects.models import (
    DeliveryTask,
    ProductRequest,
    ProductRequestItem,
    Project,
    ProjectGroupObjectPermission,
    ProjectUserObjectPermission,
)
from projects.models import State as ProjectState
from registrations.models import Kind, Registration
from registrations.models import State as RegState

BATCH = 5000
# (state, share) of registrations
REGISTRATION_STATES = (
    (RegState.INITIATED, 0.55),
    (RegState.DISPATCHED, 0.08),
    (RegState.PENDING_SALES_MANAGER, 0.04),
    (RegState.PENDING_SPECIAL, 0.03),
    (RegState.PENDING_BUSINESS, 0.05),
    (RegState.RETURNED, 0.05),
    (RegState.REJECTED, 0.05),
    (RegState.WITHDRAWN, 0.05),
    (RegState.DRAFT, 0.10),
)
WAITING_ON = {
    RegState.PENDING_SALES_MANAGER: ("registration.sales_manager", "销售主管审批", "sales_manager"),
    RegState.PENDING_SPECIAL: ("registration.special", "特批领导审批", "special_approver"),
    RegState.PENDING_BUSINESS: ("registration.business", "商务审批", "business_approver"),
    RegState.DISPATCHED: ("registration.initiate", "立项", "project_director"),
}
PROJECT_STATES = [s for s in ProjectState.values if s not in ("suspended",)]


def _chunks(rows, size=BATCH):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _insert(model, rows) -> int:
    count = 0
    for chunk in _chunks(rows):
        model.objects.bulk_create(chunk, batch_size=BATCH)
        count += len(chunk)
    return count


class BulkSeeder:
    def __init__(self, scale: float, *, seed: int = 2026, out=None):
        self.scale = scale
        self.random = random.Random(seed)
        self.out = out
        self.now = timezone.now()
        self.tag = secrets.token_hex(3)  # keeps numbers and user names unique across runs

    def n(self, base: int, minimum: int = 1) -> int:
        return max(minimum, int(base * self.scale))

    def say(self, message: str) -> None:
        if self.out is not None:
            self.out.write(message)

    # -- people ---------------------------------------------------------------------------

    def users(self) -> dict[str, list[User]]:
        regions = list(Region.objects.order_by("sort_order"))
        departments = {d.code: d for d in Department.objects.all()}
        groups = {g.name: g for g in Group.objects.all()}
        per_role = max(1, self.n(500, len(ROLES)) // len(ROLES))
        rows = []
        for role in ROLES:
            for i in range(per_role):
                region = regions[i % len(regions)]
                department = departments["sales-1" if i % 2 == 0 else "sales-2"] if role.code == "sales" else None
                rows.append(
                    User(
                        username=f"bulk_{self.tag}_{role.code}_{i}",
                        display_name=f"{role.label.split(' ')[0]}{i}",
                        region=region,
                        department=department,
                        password="!",  # unusable: bulk users do not log in
                    )
                )
        User.objects.bulk_create(rows, batch_size=BATCH)
        users = list(User.objects.filter(username__startswith=f"bulk_{self.tag}_"))
        by_role: dict[str, list[User]] = {}
        memberships = []
        for user in users:
            code = user.username.split("_", 2)[2].rsplit("_", 1)[0]
            by_role.setdefault(code, []).append(user)
            memberships.append(User.groups.through(user_id=user.pk, group_id=groups[code].pk))
        User.groups.through.objects.bulk_create(memberships, batch_size=BATCH)
        act = Permission.objects.get(codename="act_in_region")
        region_ct = ContentType.objects.get_for_model(Region)
        UserObjectPermission.objects.bulk_create(
            [
                UserObjectPermission(user=u, permission=act, content_type=region_ct, object_pk=str(u.region_id))
                for code in ("special_approver", "regional_pm")
                for u in by_role.get(code, [])
            ],
            batch_size=BATCH,
        )
        self.say(f"用户 {len(users)}")
        return by_role

    # -- registrations --------------------------------------------------------------------

    def _state(self):
        pick, total = self.random.random(), 0.0
        for state, share in REGISTRATION_STATES:
            total += share
            if pick <= total:
                return state
        return RegState.DRAFT

    def registrations(self, people) -> list[int]:
        count = self.n(100_000, 20)
        sales = people["sales"]
        rows = []
        for i in range(count):
            owner = sales[i % len(sales)]
            kind = Kind.LOCAL if i % 10 < 6 else (Kind.SAAS if i % 10 < 9 else Kind.UPGRADE)
            state = self._state()
            if kind == Kind.UPGRADE and state in WAITING_ON:
                kind = Kind.LOCAL  # upgrades need a parent project; the bulk set keeps them simple
            if kind == Kind.UPGRADE:
                state = RegState.DRAFT
            created = self.now - timedelta(minutes=self.random.randrange(60 * 24 * 365 * 3))
            signed = self.random.random() < 0.8
            rows.append(
                Registration(
                    kind=kind,
                    number=None if state == RegState.DRAFT else f"BK{self.tag}-{i:07d}",
                    state=state,
                    special=not signed,
                    owner=owner,
                    region_id=owner.region_id,
                    customer_name=f"批量客户{i}有限公司",
                    customer_short_name=f"批量客户{i}",
                    product_line="电子签章" if kind == Kind.LOCAL else "",
                    user_scale="约 1000 人",
                    signing_volume="每年约 5 万份",
                    seal_count=20,
                    enterprise_nature="private",
                    main_business="制造业",
                    scenarios=["hr"],
                    contract_signed=signed,
                    first_payment_received=signed,
                    submitted_at=None if state == RegState.DRAFT else created + timedelta(hours=1),
                )
            )
        _insert(Registration, rows)
        ids = list(Registration.objects.filter(number__startswith=f"BK{self.tag}-").values_list("pk", flat=True))
        self.say(f"实施登记 {count}")
        return ids

    # -- projects -------------------------------------------------------------------------

    def projects(self, people) -> list[Project]:
        initiated = list(
            Registration.objects.filter(number__startswith=f"BK{self.tag}-", state=RegState.INITIATED).values_list(
                "pk", "region_id", "customer_name", "kind", "number", "owner_id"
            )[: self.n(20_000, 5)]
        )
        pms = {
            r: [u for u in people["regional_pm"] if u.region_id == r]
            for r in Region.objects.values_list("pk", flat=True)
        }
        implementers = people["implementer"]
        rows = []
        for i, (reg_id, region_id, customer, kind, number, _owner) in enumerate(initiated):
            rows.append(
                Project(
                    code=f"BK{self.tag}-P{i:06d}",
                    name=f"{customer}电子签章项目",
                    kind=Project.Kind.SAAS if kind == Kind.SAAS else Project.Kind.LOCAL,
                    customer_name=customer,
                    region_id=region_id,
                    pm=pms[region_id][i % len(pms[region_id])],
                    registration_id=reg_id,
                    state=PROJECT_STATES[i % len(PROJECT_STATES)],
                    basis=number,
                    svn_path=f"/svn/projects/{i}",
                )
            )
        _insert(Project, rows)
        projects = list(Project.objects.filter(code__startswith=f"BK{self.tag}-P").order_by("pk"))
        perms = {
            p.codename: p
            for p in Permission.objects.filter(content_type__app_label="projects", content_type__model="project")
        }
        owners = {reg_id: owner for reg_id, _r, _c, _k, _n, owner in initiated}
        user_perms, group_perms = [], []
        team_groups = {
            g.name: g
            for g in Group.objects.filter(
                name__in=[
                    "rd_expert",
                    "product_dept",
                    "aftersales",
                    "cs_staff",
                    "business_approver",
                    "cs_head",
                    "special_approver",
                ]
            )
        }
        group_roles = (
            ("rd_expert", "develop_project"),
            ("product_dept", "product_project"),
            ("aftersales", "accept_project"),
            ("cs_staff", "accept_project"),
            ("business_approver", "approve_project"),
            ("cs_head", "approve_project"),
        )
        for i, project in enumerate(projects):
            implementer = implementers[i % len(implementers)]
            for user_id, role in (
                (project.pm_id, "manage_project"),
                (implementer.pk, "implement_project"),
                (owners[project.registration_id], "business_project"),
            ):
                user_perms.append(
                    ProjectUserObjectPermission(user_id=user_id, permission=perms[role], content_object=project)
                )
                user_perms.append(
                    ProjectUserObjectPermission(
                        user_id=user_id, permission=perms["view_project"], content_object=project
                    )
                )
            for group, role in group_roles:
                group_perms.append(
                    ProjectGroupObjectPermission(
                        group=team_groups[group], permission=perms[role], content_object=project
                    )
                )
            for group in {g for g, _ in group_roles}:
                group_perms.append(
                    ProjectGroupObjectPermission(
                        group=team_groups[group], permission=perms["view_project"], content_object=project
                    )
                )
        ProjectUserObjectPermission.objects.bulk_create(user_perms, batch_size=BATCH, ignore_conflicts=True)
        ProjectGroupObjectPermission.objects.bulk_create(group_perms, batch_size=BATCH, ignore_conflicts=True)
        self.say(f"项目 {len(projects)}（权限 {len(user_perms) + len(group_perms)}）")
        return projects

    def project_details(self, projects, people) -> None:
        implementers = people["implementer"]
        product = Product.objects.filter(is_active=True).first()
        tasks, requests = [], []
        for i, project in enumerate(projects):
            for t in range(2):
                tasks.append(
                    DeliveryTask(
                        project=project,
                        type="onsite" if t else "verification",
                        title=f"实施任务{t}",
                        assignee=implementers[(i + t) % len(implementers)],
                        state="done" if project.state not in ("initiated", "requirements") else "assigned",
                    )
                )
            requests.append(
                ProductRequest(
                    project=project,
                    number=f"BK{self.tag}-L{i:06d}",
                    requester=implementers[i % len(implementers)],
                    registration_number=project.basis,
                    svn_path=project.svn_path,
                    state="received",
                )
            )
        _insert(DeliveryTask, tasks)
        _insert(ProductRequest, requests)
        request_ids = ProductRequest.objects.filter(number__startswith=f"BK{self.tag}-L").values_list("pk", flat=True)
        _insert(
            ProductRequestItem,
            (ProductRequestItem(request_id=pk, product=product, version="V5", licence_count=5) for pk in request_ids),
        )
        # Documents: three typed attachments per project, all pointing at one stored sample file.
        storage = Attachment._meta.get_field("file").storage
        stored = storage.save("attachments/bulk/sample.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
        ct = ContentType.objects.get_for_model(Project)
        doc_types = list(
            DocumentType.objects.filter(
                code__in=["implementation-plan", "requirement-confirmation", "customer-service-form"]
            )
        )
        uploader = people["implementer"][0]
        _insert(
            Attachment,
            (
                Attachment(
                    content_type=ct,
                    object_id=p.pk,
                    doc_type=d,
                    version=1,
                    file=stored,
                    original_name=f"{d.name}.pdf",
                    size=16,
                    mime="application/pdf",
                    sha256="0" * 64,
                    uploaded_by=uploader,
                )
                for p in projects
                for d in doc_types
            ),
        )
        self.say(f"实施任务 {len(tasks)}，产品领取单 {len(requests)}，文档 {len(projects) * len(doc_types)}")

    def plans(self, projects, people) -> None:
        """A four-item milestone plan (a chain of predecessors, the second item late in every
        fifth project) and two risks per project, for the planning tabs and project health."""
        from planning.models import PlanItem, Risk

        today = timezone.localdate()
        items = []
        for i, project in enumerate(projects):
            late = i % 5 == 0
            for n in range(4):
                start = today + timedelta(days=-20 + n * 8)
                end = start + timedelta(days=6)
                if n == 1 and late:
                    end = today - timedelta(days=1)
                items.append(
                    PlanItem(
                        project=project,
                        seq=n + 1,
                        name=f"计划项{n + 1}",
                        planned_start=start,
                        planned_end=end,
                        status="done" if n == 0 else "planned",
                        actual_end=end if n == 0 else None,
                        owner=project.pm,
                        baseline_start=start,
                        baseline_end=end,
                    )
                )
        _insert(PlanItem, items)
        ids = {}
        for pk, project_id, seq in PlanItem.objects.filter(project__in=projects).values_list("pk", "project_id", "seq"):
            ids[(project_id, seq)] = pk
        through = PlanItem.predecessors.through
        _insert(
            through,
            (
                through(from_planitem_id=ids[(p.pk, n + 1)], to_planitem_id=ids[(p.pk, n)])
                for p in projects
                for n in range(1, 4)
                if (p.pk, n + 1) in ids
            ),
        )
        implementers = people["implementer"]
        risks = [
            Risk(
                project=project,
                source="customer" if k else "supplier",
                description=f"风险{k + 1}",
                probability=3 if (i % 3 == 0 and k == 0) else 1,
                impact=3 if (i % 3 == 0 and k == 0) else 2,
                level="high" if (i % 3 == 0 and k == 0) else "low",
                level_rank=3 if (i % 3 == 0 and k == 0) else 1,
                strategy="mitigate",
                owner=implementers[(i + k) % len(implementers)],
                next_review=today + timedelta(days=7),
                raised_by=project.pm or implementers[0],
            )
            for i, project in enumerate(projects)
            for k in range(2)
        ]
        _insert(Risk, risks)
        self.say(f"计划项 {len(items)}，风险 {len(risks)}")

    # -- tasks, tickets, audit ------------------------------------------------------------

    def tasks(self, registration_ids, people) -> int:
        ct = ContentType.objects.get_for_model(Registration)
        groups = {g.name: g for g in Group.objects.all()}
        waiting = Registration.objects.filter(pk__in=registration_ids, state__in=list(WAITING_ON)).values_list(
            "pk", "state", "region_id", "owner_id"
        )
        target = self.n(300_000, 30)
        rows = []
        for reg_id, state, region_id, owner_id in waiting.iterator(chunk_size=BATCH):
            step, label, group = WAITING_ON[state]
            due = self.now + timedelta(hours=self.random.randrange(-48, 48))
            rows.append(
                Task(
                    content_type=ct,
                    object_id=reg_id,
                    step=step,
                    step_label=label,
                    title=f"BK 登记 {reg_id}",
                    link=f"/registrations/{reg_id}/",
                    group=groups[group],
                    region_id=region_id if group == "special_approver" else None,
                    exclude_user_id=owner_id,
                    due_at=due,
                    warn_at=due - timedelta(hours=2),
                    state="open",
                )
            )
        approvers = people["business_approver"]
        closed_needed = max(0, target - len(rows))
        ids = registration_ids
        for i in range(closed_needed):
            reg_id = ids[i % len(ids)]
            closed_at = self.now - timedelta(minutes=self.random.randrange(60 * 24 * 365))
            rows.append(
                Task(
                    content_type=ct,
                    object_id=reg_id,
                    step="registration.business",
                    step_label="商务审批",
                    title=f"BK 登记 {reg_id}",
                    link=f"/registrations/{reg_id}/",
                    group=groups["business_approver"],
                    due_at=closed_at,
                    warn_at=closed_at,
                    warned_at=closed_at,
                    escalated_at=closed_at,
                    state="done",
                    closed_at=closed_at,
                    closed_by=approvers[i % len(approvers)],
                    outcome="approve",
                )
            )
        count = _insert(Task, rows)
        self.say(f"待办 {count}")
        return count

    def tickets(self, projects, people) -> int:
        count = self.n(200_000, 20)
        policies = list(ticket_levels())
        engineers = people["aftersales"]
        maintained = [p for p in projects if p.state in ("maintenance", "closed", "handover")] or projects
        creator = engineers[0]
        rows = []
        for i in range(count):
            reported = self.now - timedelta(minutes=self.random.randrange(60 * 24 * 365))
            policy = policies[i % len(policies)]
            due = reported + policy.duration
            resolved = self.random.random() < 0.9
            resolved_at = reported + policy.duration * self.random.uniform(0.2, 1.4) if resolved else None
            rows.append(
                Ticket(
                    number=f"BK{self.tag}-T{i:07d}",
                    project=maintained[i % len(maintained)],
                    subject=f"批量问题{i}",
                    reporting_unit="客户信息中心",
                    reporter="张工",
                    reported_at=reported,
                    description="描述",
                    channel="phone",
                    severity=policy,
                    state="closed" if resolved else "in_progress",
                    assignee=engineers[i % len(engineers)],
                    created_by=creator,
                    sla_started_at=reported,
                    due_at=due,
                    first_assigned_at=reported + timedelta(minutes=self.random.randrange(5, 240)),
                    first_response_at=reported + timedelta(minutes=self.random.randrange(10, 300)),
                    resolved_at=resolved_at,
                    sla_met=(resolved_at <= due) if resolved else None,
                    # the breach the resolution (or the minute's sweep) marks on a clock that ran out
                    sla_breached_at=due if (resolved_at or self.now) > due else None,
                    closed_at=resolved_at,
                )
            )
        _insert(Ticket, rows)
        self.say(f"售后问题 {count}")
        return count

    def changes(self, projects, people) -> int:
        """需求变更, BUG and 版本发布 on the projects after go-live (the changes app)."""
        from changes.models import Bug, ChangeRequest, Release

        count = self.n(50_000, 20)
        maintained = [p for p in projects if p.state in ("maintenance", "closed", "handover")] or projects
        filer = people["aftersales"][0]

        def when(i):
            return self.now - timedelta(minutes=self.random.randrange(60 * 24 * 365))

        changes, bugs, releases = [], [], []
        for i in range(count):
            at, project = when(i), maintained[i % len(maintained)]
            changes.append(ChangeRequest(
                number=f"BK{self.tag}-C{i:07d}", project=project, title=f"批量需求{i}", description="说明",
                proposer="李科长", submitted_by=filer, review_due_at=at + timedelta(days=1),
                reviewed_at=at + timedelta(hours=self.random.randrange(1, 40)), customer_answer="同意", state="done",
            ))  # fmt: skip
            bugs.append(Bug(
                number=f"BK{self.tag}-B{i:07d}", project=project, title=f"批量 BUG{i}", description="说明",
                filed_by=filer, confirm_due_at=at + timedelta(days=2),
                confirmed_at=at + timedelta(hours=self.random.randrange(1, 80)), state="closed",
            ))  # fmt: skip
            releases.append(Release(
                number=f"BK{self.tag}-R{i:07d}", project=project, requester=filer, version=f"V{i}", reason="修复",
                problems_solved="问题", change_notes="说明", planned_at=at, emergency=i % 5 == 0, state="confirmed",
                released_at=at, released_by=filer, verified_at=at, watch_until=at + timedelta(hours=1),
            ))  # fmt: skip
        _insert(ChangeRequest, changes)
        _insert(Bug, bugs)
        _insert(Release, releases)
        # submitted_at / filed_at / requested_at are set on insert: spread them over the year too
        for model, field, rows in ((ChangeRequest, "submitted_at", changes), (Bug, "filed_at", bugs)):
            for chunk in _chunks(rows):
                for row in chunk:
                    setattr(row, field, row.review_due_at - timedelta(days=1) if model is ChangeRequest
                            else row.confirm_due_at - timedelta(days=2))  # fmt: skip
                model.objects.bulk_update(chunk, [field], batch_size=BATCH)
        self.say(f"需求变更 / BUG / 版本发布 各 {count}")
        return count

    def audit(self, registration_ids, people) -> int:
        target = self.n(1_000_000, 100)
        ct = ContentType.objects.get_for_model(Registration)
        actors = people["business_approver"] + people["sales"]
        actions = (
            ("registration.submit", "提交登记", "draft", "pending_business"),
            ("registration.approve", "商务审批通过", "pending_business", "dispatched"),
            ("registration.initiate", "已立项", "dispatched", "initiated"),
        )

        def rows():
            for i in range(target):
                action, label, src, dst = actions[i % len(actions)]
                yield AuditEntry(
                    content_type=ct,
                    object_id=registration_ids[(i // 3) % len(registration_ids)],
                    action=action,
                    action_label=label,
                    from_state=src,
                    to_state=dst,
                    actor=actors[i % len(actors)],
                )

        count = _insert(AuditEntry, rows())
        self.say(f"操作记录 {count}")
        return count

    def run(self) -> None:
        from pmis.worktime.services import sla_policies_seed

        with transaction.atomic():
            sla_policies_seed()
            people = self.users()
            registration_ids = self.registrations(people)
            projects = self.projects(people)
            self.project_details(projects, people)
            self.plans(projects, people)
            self.tasks(registration_ids, people)
            self.tickets(projects, people)
            rollup_rebuild()  # the SLA metrics' monthly roll-up, as the ticket services keep it
            self.changes(projects, people)
            self.audit(registration_ids, people)
