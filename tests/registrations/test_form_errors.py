"""The registration form names every error by its field and, in a table, by its row; amounts,
counts and dates are held to sensible bounds, in Chinese."""

import pytest
from django.urls import reverse

from registrations.models import Registration
from tests.registrations.test_views import _form_data

pytestmark = pytest.mark.django_db


def _post(client, org, kind="saas", **overrides):
    client.force_login(org["sales"])
    data = _form_data(**{"action": "save", **overrides})
    return client.post(reverse("registrations:create", args=[kind]), data)


def test_a_system_row_without_its_vendor_is_named_by_row_and_field(client, org):
    response = _post(
        client, org,
        **{
            "systems-TOTAL_FORMS": "2",
            "systems-1-system_type": "ERP", "systems-1-name": "K3 Cloud", "systems-1-vendor": "",
            "stakeholders-0-name": "张工", "stakeholders-0-phone": "", "stakeholders-0-role": "信息中心",
        },
    )  # fmt: skip
    body = response.content.decode()
    assert "对接业务系统第 2 行（ERP / K3 Cloud）：请填写厂商" in body
    assert "对接干系人第 1 行（张工）：请填写联系方式" in body
    assert "这个字段是必填项" not in body
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("contract_amount", "-500000", "合同金额（元）不能为负数"),
        ("seal_count", "-3", "印章数量不能小于 0"),
        ("seal_count", "999999999", "印章数量不能超过 1000000"),
        ("go_live_date", "2020-05-01", "计划上线时间不能早于 2026-11-23（计划日期不能在过去）"),
        ("go_live_date", "2099-05-01", "计划上线时间不能晚于"),
    ],
)
def test_amounts_counts_and_dates_are_bounded(client, org, time_machine, field, value, message):
    time_machine.move_to("2026-11-23 10:00 +0800")
    body = _post(client, org, **{field: value, "contract_signed": "on"}).content.decode()
    assert message in body and f'value="{value}"' in body
    assert not Registration.objects.exists()


def test_the_bounds_are_settings(client, org, settings, time_machine):
    time_machine.move_to("2026-11-23 10:00 +0800")
    settings.PMIS_PLANNED_DATE_GRACE_DAYS = 30
    settings.PMIS_COUNT_MAX = 10
    body = _post(client, org, go_live_date="2026-11-01", seal_count="11").content.decode()
    assert "印章数量不能超过 10" in body and "计划上线时间" not in body.split("msg-error")[-1].split("</ul>")[0]
    _post(client, org, go_live_date="2026-11-01", seal_count="10")
    assert Registration.objects.get().go_live_date.isoformat() == "2026-11-01"
