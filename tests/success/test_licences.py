"""The licence register: licences from product requests and cloud orders; reminders at 60 / 30 / 7
days before expiry with the clock moved, and exactly one automatic renewal request."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from approvals.selectors import inbox_for, open_tasks_for
from pmis.catalog.models import Product
from pmis.notify.models import Notification
from projects import services as project_services
from projects.models import ProductRequest
from success import services
from success.models import Licence, LicenceReminder, ServiceRequest, Team
from tests.helpers import run_at_once

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
EXPIRES = date(2027, 3, 31)


@pytest.fixture
def licence(org):
    return Licence.objects.create(
        customer_name="某某医院",
        product=Product.objects.get(name="云签章"),
        starts_on=date(2026, 3, 31),
        expires_on=EXPIRES,
        source=Licence.Source.CLOUD_ORDER,
    )


def _at(time_machine, day: date):
    time_machine.move_to(datetime(day.year, day.month, day.day, 9, 0, tzinfo=SH), tick=False)


def _renewals(licence):
    return ServiceRequest.objects.filter(licence=licence, type=ServiceRequest.Type.LICENCE_RENEWAL)


def test_the_thresholds_are_the_policy_rows(org):
    assert services.reminder_days() == [60, 30, 7]


def test_nothing_happens_before_the_first_threshold(org, licence, time_machine):
    _at(time_machine, EXPIRES - timedelta(days=61))
    assert services.licence_reminders() == {"reminded": 0, "renewals": 0}
    assert not _renewals(licence).exists()


def test_sixty_days_before_a_reminder_opens_exactly_one_renewal_even_when_run_twice(org, licence, time_machine):
    _at(time_machine, EXPIRES - timedelta(days=60))
    assert services.licence_reminders() == {"reminded": 1, "renewals": 1}
    assert services.licence_reminders() == {"reminded": 0, "renewals": 0}
    renewal = _renewals(licence).get()
    assert renewal.auto_for_expiry == EXPIRES and renewal.team == Team.OPS and renewal.filed_by is None
    assert open_tasks_for(renewal).get() in inbox_for(org["cs_ops"])
    assert Notification.objects.filter(recipient=org["cs_ops"], kind="licence_expiring").count() == 1


def test_each_threshold_reminds_once_and_the_renewal_stays_one(org, licence, time_machine):
    for left in (60, 45, 30, 29, 7, 3):
        _at(time_machine, EXPIRES - timedelta(days=left))
        services.licence_reminders()
        services.licence_reminders()
    assert sorted(LicenceReminder.objects.filter(licence=licence).values_list("days_before", flat=True)) == [7, 30, 60]
    assert Notification.objects.filter(recipient=org["cs_ops"], kind="licence_expiring").count() == 3
    assert _renewals(licence).count() == 1


def test_a_licence_first_seen_inside_seven_days_is_reminded_once_not_three_times(org, licence, time_machine):
    _at(time_machine, EXPIRES - timedelta(days=5))
    services.licence_reminders()
    assert LicenceReminder.objects.filter(licence=licence).count() == 3
    assert Notification.objects.filter(recipient=org["cs_ops"], kind="licence_expiring").count() == 1
    assert "剩 5 天" in Notification.objects.get(recipient=org["cs_ops"], kind="licence_expiring").title


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_open_one_renewal(org, licence, time_machine):
    _at(time_machine, EXPIRES - timedelta(days=60))
    run_at_once(services.licence_reminders)
    assert _renewals(licence).count() == 1
    assert Notification.objects.filter(recipient=org["cs_ops"], kind="licence_expiring").count() == 1


def test_a_renewed_licence_is_reminded_again_before_its_new_expiry(org, licence, time_machine):
    _at(time_machine, EXPIRES - timedelta(days=60))
    services.licence_reminders()
    renewal = _renewals(licence).get()
    new_expiry = EXPIRES + timedelta(days=365)
    services.service_request_finish(request=renewal, actor=org["cs_ops"], result="已续期", new_expires_on=new_expiry)
    _at(time_machine, new_expiry - timedelta(days=60))
    services.licence_reminders()
    assert _renewals(licence).count() == 2
    assert _renewals(licence).filter(auto_for_expiry=new_expiry).exists()


def test_a_licence_of_a_saas_project_is_renewed_by_the_support_group(org, licence, dispatched, time_machine):
    from registrations.models import Kind

    saas = project_services.project_initiate(
        registration=dispatched(kind=Kind.SAAS),
        actor=org["cs_manager"],
        name="",
        overview="",
        svn_path="",
        feasibility="可行",
        risk="可控",
        pm=org["regional_pm"],
    )
    licence.project = saas
    licence.save()
    _at(time_machine, EXPIRES - timedelta(days=30))
    services.licence_reminders()
    assert _renewals(licence).get().team == Team.SUPPORT


def test_issuing_a_product_request_registers_its_licences_with_the_file(org, confirmed, upload):
    pm, implementer = org["regional_pm"], org["implementer"]
    product = Product.objects.get(name="电子印章认证")
    pr = project_services.product_request_create(
        project=confirmed,
        actor=implementer,
        items=[{"product": product, "version": "V5", "licence_count": 3, "kind": "standard"}],
    )
    pr = project_services.product_request_decide(request=pr, actor=pm, approve=True)
    pr = project_services.product_request_decide(request=pr, actor=org["business_approver"], approve=True)
    file = upload(pr, "licence-file", "授权.lic", content=b"\x8a\x01LIC\x00")
    project_services.product_request_issue(request=pr, actor=org["product_dept"], paths={pr.items.get().pk: "/dl"})
    licence = Licence.objects.get(product_request=pr)
    assert licence.source == Licence.Source.PRODUCT_REQUEST and licence.project == confirmed
    assert (licence.product, licence.quantity, licence.file) == (product, 3, file)
    assert licence.customer_name == confirmed.customer_name
    assert (licence.expires_on - licence.starts_on).days == 365
    assert ProductRequest.objects.get(pk=pr.pk).state == ProductRequest.State.ISSUED
