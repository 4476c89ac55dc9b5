import io

import pytest
from django.urls import reverse

from registrations.models import Kind, Registration, State
from registrations.services import registration_decide, registration_submit
from tests.conftest import CHECKED
from tests.dates import days_from_today
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db


def _decide(client, r, decision="approve", comment="", **checks):
    data = {"decision": decision, "comment": comment, **{f"check_{k}": "on" for k, v in checks.items() if v}}
    return client.post(reverse("registrations:decide", args=[r.pk]), data)


@pytest.fixture
def special_north(org, make_registration):
    """A special local registration waiting on the north leader."""
    r = registration_submit(registration=make_registration(signed=False, paid=False), actor=org["sales"])
    return registration_decide(registration=r, actor=org["sales_manager"], decision="approve")


@pytest.mark.parametrize("name", ["special_approver_south", "sales_manager2", "sales2", "implementer", "cs_staff"])
def test_people_off_the_chain_cannot_even_see_the_registration(client, org, special_north, name):
    client.force_login(org[name])
    assert client.get(reverse("registrations:detail", args=[special_north.pk])).status_code == 404
    assert _decide(client, special_north).status_code == 404
    special_north.refresh_from_db()
    assert special_north.state == State.PENDING_SPECIAL


def test_the_owner_sees_it_but_cannot_decide(client, org, special_north):
    client.force_login(org["sales"])
    body = client.get(reverse("registrations:detail", args=[special_north.pk])).content.decode()
    assert "某某地铁电子签章项目立项申请" in body and 'id="decision"' not in body
    assert _decide(client, special_north).status_code == 403


def test_anonymous_is_sent_to_login(client, special_north):
    response = client.get(reverse("registrations:detail", args=[special_north.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_right_leader_decides_through_the_page(client, org, special_north):
    client.force_login(org["special_approver"])
    body = client.get(reverse("registrations:detail", args=[special_north.pk])).content.decode()
    assert 'id="decision"' in body and "特批领导审批" in body
    response = _decide(client, special_north, "return", comment="")
    special_north.refresh_from_db()
    assert special_north.state == State.PENDING_SPECIAL  # a return needs a reason
    response = _decide(client, special_north, "approve", comment="同意")
    assert response.status_code == 302
    special_north.refresh_from_db()
    assert special_north.state == State.PENDING_BUSINESS
    # after deciding, the leader still sees what they decided
    assert client.get(reverse("registrations:detail", args=[special_north.pk])).status_code == 200


def test_business_approval_through_the_page_requires_the_checklist(client, org, special_north):
    registration_decide(registration=special_north, actor=org["special_approver"], decision="approve")
    client.force_login(org["business_approver"])
    body = client.get(reverse("registrations:detail", args=[special_north.pk])).content.decode()
    assert "已核实首笔款项支付状态" in body
    response = client.post(
        reverse("registrations:decide", args=[special_north.pk]), {"decision": "approve"}, follow=True
    )
    assert "请完成商务审核要点" in response.content.decode()
    _decide(client, special_north, **CHECKED)
    special_north.refresh_from_db()
    assert special_north.state == State.DISPATCHED


def test_a_second_decision_of_the_same_step_gets_a_clear_message(client, org, make_registration):
    r = registration_submit(registration=make_registration(), actor=org["sales"])
    from django.contrib.auth.models import Group

    org["admin"].groups.add(Group.objects.get(name="business_approver"))
    client.force_login(org["business_approver"])
    _decide(client, r, **CHECKED)
    client.force_login(org["admin"])
    response = client.post(
        reverse("registrations:decide", args=[r.pk]),
        {"decision": "approve", **{f"check_{k}": "on" for k in CHECKED}},
        follow=True,
    )
    assert "已被处理" in response.content.decode()


def _form_data(**overrides):
    data = {
        "customer_name": "某某省人民医院",
        "customer_short_name": "",
        "user_scale": "约 3000 人",
        "stakeholders-TOTAL_FORMS": "1",
        "stakeholders-INITIAL_FORMS": "0",
        "stakeholders-0-name": "",
        "stakeholders-0-phone": "",
        "stakeholders-0-role": "",
        "systems-TOTAL_FORMS": "1",
        "systems-INITIAL_FORMS": "0",
        "systems-0-system_type": "OA",
        "systems-0-name": "EKP",
        "systems-0-vendor": "蓝凌",
        "action": "submit",
    }
    data.update(overrides)
    return data


def test_submitting_an_incomplete_form_names_what_is_missing_and_keeps_what_was_typed(client, org):
    client.force_login(org["sales"])
    response = client.post(reverse("registrations:create", args=["local"]), _form_data(), follow=True)
    body = response.content.decode()
    draft = Registration.objects.get(owner=org["sales"])
    assert response.redirect_chain == [(reverse("registrations:edit", args=[draft.pk]) + "?check=1", 302)]
    assert "还不能提交" in body
    for message in ("客户简称", "所属区域", "印章办理方式", "项目对接干系人", "售前解决方案"):
        assert message in body
    assert 'value="某某省人民医院"' in body and 'value="约 3000 人"' in body and 'value="蓝凌"' in body
    assert "请填写：客户简称（用于标题）" in body  # next to the field itself
    assert draft.state == State.DRAFT and draft.customer_name == "某某省人民医院"
    assert draft.systems.get().vendor == "蓝凌"


def test_a_system_without_its_vendor_is_refused_with_the_rest_kept(client, org):
    client.force_login(org["sales"])
    response = client.post(
        reverse("registrations:create", args=["saas"]), _form_data(**{"systems-0-vendor": "", "action": "save"})
    )
    body = response.content.decode()
    assert "表单有错误" in body and 'value="某某省人民医院"' in body
    assert "对接业务系统第 1 行（OA / EKP）：请填写厂商" in body and "这个字段是必填项" not in body
    assert not Registration.objects.exists()


def test_save_draft_then_submit_through_the_form(client, org, make_registration):
    r = make_registration(Kind.SAAS)
    client.force_login(org["sales"])
    page = client.get(reverse("registrations:edit", args=[r.pk]))
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: v for k, v in data.items() if v is not None}
    data["products"] = [str(p) for p in data["products"]]
    data["go_live_date"] = days_from_today(100)
    data.update(
        {
            "stakeholders-TOTAL_FORMS": "1", "stakeholders-INITIAL_FORMS": "1",
            "stakeholders-0-id": str(r.stakeholders.get().pk), "stakeholders-0-registration": str(r.pk),
            "stakeholders-0-name": "张工", "stakeholders-0-phone": "139", "stakeholders-0-role": "信息中心",
            "systems-TOTAL_FORMS": "0", "systems-INITIAL_FORMS": "0", "action": "submit",
        }
    )  # fmt: skip
    for key in ("contract_signed", "first_payment_received", "new_contract"):
        if data.get(key) is False:
            data.pop(key)
        elif data.get(key) is True:
            data[key] = "on"
    response = client.post(reverse("registrations:edit", args=[r.pk]), data)
    assert response.status_code == 302, (response.context["form"].errors, response.context["stakeholders"].errors)
    r.refresh_from_db()
    assert r.state == State.PENDING_BUSINESS and r.number


def test_only_sales_open_the_registration_form(client, org):
    client.force_login(org["business_approver"])
    assert client.get(reverse("registrations:create", args=["local"])).status_code == 403
    client.force_login(org["sales"])
    assert client.get(reverse("registrations:create", args=["local"])).status_code == 200
    assert client.get(reverse("registrations:create", args=["nonsense"])).status_code == 404


def test_others_cannot_edit(client, org, make_registration):
    r = make_registration()
    client.force_login(org["sales2"])
    assert client.get(reverse("registrations:edit", args=[r.pk])).status_code == 404


def test_my_registrations_show_where_each_one_waits(client, org, special_north, make_registration):
    make_registration()  # a draft
    client.force_login(org["sales"])
    body = client.get(reverse("registrations:mine")).content.decode()
    assert "待特批领导审批" in body and "特批领导审批：特批领导（北方）" in body and "（草稿）" in body
    from django.utils import timezone

    from approvals.models import Task

    due = Task.objects.get(step_label="特批领导审批", state=Task.State.OPEN).due_at
    assert f"· {timezone.localtime(due):%m-%d %H:%M} 前" in body  # its time limit, in local time


def test_team_view_is_the_managers_own_team(client, org, make_registration):
    make_registration()
    make_registration(owner=org["sales2"], province="广东")
    client.force_login(org["sales_manager"])
    page = client.get(reverse("registrations:mine"), {"team": "1"})
    assert [r.owner.username for r in page.context["page"]] == ["sales"]
    client.force_login(org["sales"])
    assert list(client.get(reverse("registrations:mine"), {"team": "1"}).context["page"]) == []


def test_withdraw_from_the_page(client, org, special_north):
    client.force_login(org["sales"])
    client.post(reverse("registrations:withdraw", args=[special_north.pk]), {"reason": "客户暂缓"})
    special_north.refresh_from_db()
    assert special_north.state == State.WITHDRAWN


def _pile(make_registration, org, n):
    for _ in range(n):
        registration_submit(registration=make_registration(), actor=org["sales"])


def test_queue_and_list_pages_keep_a_constant_query_count(client, org, make_registration):
    _pile(make_registration, org, 3)
    client.force_login(org["business_approver"])
    queue_small = count_queries(lambda: client.get(reverse("registrations:queue")))
    client.force_login(org["sales"])
    mine_small = count_queries(lambda: client.get(reverse("registrations:mine")))
    _pile(make_registration, org, 27)
    client.force_login(org["business_approver"])
    response = client.get(reverse("registrations:queue"))
    assert response.context["page"].paginator.count == 30
    assert count_queries(lambda: client.get(reverse("registrations:queue"))) == queue_small
    client.force_login(org["sales"])
    assert count_queries(lambda: client.get(reverse("registrations:mine"))) == mine_small


def test_queue_filters_and_decided_tab(client, org, make_registration):
    registration_submit(registration=make_registration(), actor=org["sales"])
    saas = registration_submit(registration=make_registration(Kind.SAAS), actor=org["sales"])
    client.force_login(org["business_approver"])
    page = client.get(reverse("registrations:queue"), {"kind": "saas"}).context["page"]
    assert [t.object_id for t in page] == [saas.pk]
    registration_decide(registration=saas, actor=org["business_approver"], decision="approve", review=CHECKED)
    decided = client.get(reverse("registrations:queue"), {"tab": "decided"}).content.decode()
    assert "某某地铁SAAS项目立项申请" in decided and "通过" in decided


def test_the_queue_kept_per_filter_shows_each_filters_registrations_and_new_ones_at_once(
    client, org, make_registration
):
    """The queue's branch statement is kept compiled per person and per filter: each filter,
    visited again, still shows its own registrations (not another filter's) and those filed since."""
    local = registration_submit(registration=make_registration(), actor=org["sales"])
    saas = registration_submit(registration=make_registration(Kind.SAAS), actor=org["sales"])
    client.force_login(org["business_approver"])

    def shown(**params):
        return {t.object_id for t in client.get(reverse("registrations:queue"), params).context["page"]}

    assert shown(kind="saas") == {saas.pk}
    assert shown() == {local.pk, saas.pk}
    assert shown(kind="local") == {local.pk}
    assert shown(kind="saas") == {saas.pk}
    later = registration_submit(registration=make_registration(Kind.SAAS), actor=org["sales"])
    assert shown(kind="saas") == {saas.pk, later.pk}
    assert shown(kind="local") == {local.pk}


def test_navigation_by_role(client, org):
    def labels(user):
        client.force_login(user)
        response = client.get(reverse("home"))
        return {i["label"] for s in response.context["nav_sections"] for i in s["items"]}

    assert {"新建登记", "我的登记"} <= labels(org["sales"]) and "登记审批" not in labels(org["sales"])
    assert "登记审批" in labels(org["business_approver"]) and "新建登记" not in labels(org["business_approver"])
    assert {"我的登记", "登记审批"} <= labels(org["sales_manager"])
    assert not {"新建登记", "我的登记", "登记审批"} & labels(org["implementer"])


def test_registration_pdf_carries_the_business_approval(client, org, make_registration):
    from pypdf import PdfReader

    r = registration_submit(registration=make_registration(), actor=org["sales"])
    registration_decide(
        registration=r, actor=org["business_approver"], decision="approve", comment="同意", review=CHECKED
    )
    client.force_login(org["sales"])
    response = client.get(reverse("registrations:pdf", args=[r.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).replace(" ", "")
    assert "项目实施登记表" in text and r.number in text and "某某地铁电子签章项目立项申请" in text
    assert "商务审批通过" in text and "周敏" in text and "系统电子签名" in text
    client.force_login(org["sales2"])
    assert client.get(reverse("registrations:pdf", args=[r.pk])).status_code == 404


def test_a_refused_decision_keeps_the_comment_and_the_ticks(client, org, make_registration):
    r = registration_submit(registration=make_registration(), actor=org["sales"])
    client.force_login(org["business_approver"])
    response = client.post(
        reverse("registrations:decide", args=[r.pk]),
        {"decision": "approve", "comment": "合同与报价已逐项核对，同意", "check_contract_status": "on"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "请完成商务审核要点" in body
    assert "合同与报价已逐项核对，同意</textarea>" in body
    assert 'name="check_contract_status" id="id_check_contract_status" checked' in body
