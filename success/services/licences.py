"""授权台账: every licence file issued by 产品管理部 (with a product request) or opened by customer
success (with a cloud product order) is a licence. Before it expires the register reminds customer
success at the thresholds of the `licence-remind-*` policies (60 / 30 / 7 days) and opens one
授权文件续期 request by itself."""

from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from pmis import reference
from pmis.audit.services import audit_record
from pmis.documents.models import Attachment
from pmis.notify.services import notify
from pmis.org.selectors import users_in_role
from projects.models import ProductRequest

from ..models import Licence, LicenceReminder, Team
from .requests import renewal_open_for

REMINDER_PREFIX = "licence-remind-"
DEFAULT_TERM_POLICY = "licence-default-term"


def reminder_days() -> list[int]:
    """The reminder thresholds in days, largest first, from the policy rows an admin can edit."""
    minutes = [row.duration_minutes for row in reference.policies(REMINDER_PREFIX)]
    return sorted({max(m // (24 * 60), 1) for m in minutes}, reverse=True)


def default_term() -> timedelta:
    policy = reference.policy(DEFAULT_TERM_POLICY)
    return policy.duration if policy else timedelta(days=365)


def licences_from_product_request(*, request: ProductRequest, actor) -> list[Licence]:
    """The product department has issued a request with its licence file: each product becomes a
    licence of the register, its term the default policy's (the register lets it be corrected).
    Called inside product_request_issue's transaction."""
    ct = ContentType.objects.get_for_model(ProductRequest)
    file = (
        Attachment.objects.filter(content_type=ct, object_id=request.pk, doc_type__code="licence-file")
        .order_by("-version")
        .first()
    )
    today = timezone.localdate()
    expires = today + timedelta(days=max(default_term().days, 1))
    project = request.project
    licences = Licence.objects.bulk_create(
        [
            Licence(
                customer_name=project.customer_name,
                project=project,
                product=item.product,
                quantity=item.licence_count,
                starts_on=today,
                expires_on=expires,
                source=Licence.Source.PRODUCT_REQUEST,
                product_request=request,
                file=file,
            )
            for item in request.items.select_related("product")
        ]
    )
    for licence in licences:
        audit_record(subject=licence, action="licence.register", label="授权登记入台账", actor=actor)
    return licences


@transaction.atomic
def licence_term_set(*, licence: Licence, actor, starts_on: date, expires_on: date) -> Licence:
    """Correct a licence's term (product department or customer success)."""
    from django.core.exceptions import PermissionDenied

    from approvals.errors import DomainError

    from .common import roles_of

    if not (actor.is_superuser or roles_of(actor) & {"product_dept", "cs_ops", "cs_support", "cs_head"}):
        raise PermissionDenied("只有产品管理部或客户成功部可以修改授权期限")
    if expires_on <= starts_on:
        raise DomainError("到期日须晚于起始日")
    licence = Licence.objects.select_for_update().get(pk=licence.pk)
    old = (licence.starts_on.isoformat(), licence.expires_on.isoformat())
    licence.starts_on, licence.expires_on = starts_on, expires_on
    licence.save(update_fields=["starts_on", "expires_on"])
    audit_record(
        subject=licence,
        action="licence.term",
        label="修改授权期限",
        actor=actor,
        details={"from": old, "to": (starts_on.isoformat(), expires_on.isoformat())},
    )
    return licence


def expiring(*, today: date, within_days: int) -> QuerySet[Licence]:
    return Licence.objects.filter(expires_on__gte=today, expires_on__lte=today + timedelta(days=within_days))


def licence_reminders(*, today: date | None = None) -> dict[str, int]:
    """The daily job: each licence that has come within a threshold of its expiry is reminded once
    per threshold (the most urgent one reached, the larger ones passed marked as well) and has one
    automatic renewal request. Safe to run twice, or twice at once: the ledger and the renewal are
    unique per licence and expiry, and each licence is handled under its row lock."""
    today = today or timezone.localdate()
    days = reminder_days()
    counts = {"reminded": 0, "renewals": 0}
    if not days:
        return counts
    ids = list(expiring(today=today, within_days=days[0]).values_list("pk", flat=True))
    for pk in ids:
        with transaction.atomic():
            licence = (
                Licence.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("product", "project")
                .filter(pk=pk)
                .first()
            )
            if licence is None:
                continue  # another run holds it
            left = (licence.expires_on - today).days
            reached = [d for d in days if left <= d]
            done = set(
                LicenceReminder.objects.filter(licence=licence, expires_on=licence.expires_on).values_list(
                    "days_before", flat=True
                )
            )
            new = [d for d in reached if d not in done]
            if not new:
                continue
            LicenceReminder.objects.bulk_create(
                [LicenceReminder(licence=licence, expires_on=licence.expires_on, days_before=d) for d in new]
            )
            renewal, created = renewal_open_for(licence=licence)
            counts["renewals"] += created
            counts["reminded"] += 1
            _remind(licence, left, renewal)
    return counts


def _remind(licence: Licence, left: int, renewal) -> None:
    team = renewal.team
    recipients = list(users_in_role(team)) + list(users_in_role("cs_head"))
    if licence.project_id and licence.project.pm_id:
        recipients.append(licence.project.pm)
    notify(
        recipients=recipients,
        title=f"授权即将到期（剩 {left} 天）：{licence.customer_name} · {licence.product}",
        body=f"授权将于 {licence.expires_on:%Y-%m-%d} 到期，已发起授权文件续期申请 {renewal.number}"
        f"（{Team(team).label}办理）。",
        link=renewal.get_absolute_url(),
        subject=licence,
        kind="licence_expiring",
    )
    audit_record(
        subject=licence,
        action="licence.remind",
        label=f"到期提醒（剩 {left} 天）",
        actor=None,
        details={"renewal": renewal.pk},
    )
