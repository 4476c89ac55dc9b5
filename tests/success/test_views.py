"""The pages of customer success: the department pages with their queue and figures, the list
pattern (filters in the URL, export), the project workspace tabs, and the query count of each page
not growing with its rows."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from pmis.catalog.models import Product
from projects import workspace
from success import services
from success.models import CloudOrder, Licence, Team
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db

SEAL = {"action": "new", "seal_name": "合同章", "seal_kind": "unit", "quantity": "1"}


def _open_order(org, file_order, **extra):
    order = file_order(**extra)
    return services.cloud_order_review(
        order=order, actor=org["business_approver"], approve=True, team=Team.OPS, licence_ok=True, payment_ok=True
    )


def test_the_ops_page_shows_its_queue_and_figures(client, org, file_order):
    services.service_request_file(actor=org["cs_staff"], type="seal", customer_name="甲医院", data=SEAL)
    done = services.service_request_file(actor=org["cs_staff"], type="seal", customer_name="乙医院", data=SEAL)
    services.service_request_finish(request=done, actor=org["cs_ops"], result="已办结")
    _open_order(org, file_order)
    client.force_login(org["cs_ops"])
    response = client.get(reverse("success:ops"))
    body = response.content.decode()
    assert response.status_code == 200 and "甲医院" in body and "乙医院" in body
    figures = response.context["figures"]
    assert figures == {"waiting": 2, "overdue": 0, "done_month": 1}  # the open seal request and the order to open
    assert "待开通的云产品" in body


def test_the_orders_page_counts_the_cloud_order_steps_only_among_its_roles_work(client, org, file_order):
    """云产品下单's figures are its own steps (审核, 开通, 确认, 退回修改) among everything its roles
    handle: a registration waiting on the same business approvers is not one of them."""
    from approvals.models import Task
    from approvals.services import task_open

    registration_step = task_open(
        subject=org["business_approver"], step="registration.business", step_label="商务审批", title="另一件事",
        link="/", group="business_approver",
    )  # fmt: skip
    order = file_order()
    client.force_login(org["business_approver"])
    assert client.get(reverse("success:orders")).context["figures"] == {"waiting": 1, "overdue": 0, "done_month": 0}
    services.cloud_order_review(
        order=order, actor=org["business_approver"], approve=True, team=Team.OPS, licence_ok=True, payment_ok=True
    )
    Task.objects.filter(pk=registration_step.pk).update(state=Task.State.DONE, closed_at=timezone.now())
    figures = client.get(reverse("success:orders")).context["figures"]
    assert figures == {"waiting": 1, "overdue": 0, "done_month": 1}  # 开通 waits on 运营客服组; 审核 done


def test_the_support_page_lists_the_saas_orders_waiting_its_confirmation(client, org, file_order):
    order = file_order(saas=True)
    services.cloud_order_review(
        order=order, actor=org["business_approver"], approve=True, licence_ok=True, payment_ok=True
    )
    client.force_login(org["cs_support"])
    response = client.get(reverse("success:support"))
    body = response.content.decode()
    assert "待确认需求的 SaaS 下单" in body and order.number in body
    assert response.context["figures"]["waiting"] == 1  # the one step the page shows
    client.force_login(org["cs_ops"])
    assert order.number not in client.get(reverse("success:ops")).content.decode()


def test_the_figures_count_overdue_steps(client, org, time_machine):
    services.service_request_file(actor=org["cs_staff"], type="seal", customer_name="甲医院", data=SEAL)
    time_machine.move_to(timezone.now() + timedelta(days=10))
    client.force_login(org["cs_ops"])
    response = client.get(reverse("success:ops"))
    assert response.context["figures"]["overdue"] == 1 and "已超时" in response.content.decode()


def test_the_figures_are_kept_until_a_step_of_the_department_changes(
    client, org, time_machine, settings, django_capture_on_commit_callbacks
):
    """The figures are not counted on every view: kept until one of the department's steps is
    opened or closed (counted again at once) and at most PMIS_DEPARTMENT_FIGURES_SECONDS, after
    which a step that ran out of time alone shows in 超时."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PMIS_LAYOUT_CACHE = "default"
    settings.PMIS_DEPARTMENT_FIGURES_SECONDS = 60
    time_machine.move_to(timezone.now(), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.service_request_file(actor=org["cs_staff"], type="seal", customer_name="甲医院", data=SEAL)
    time_machine.move_to(timezone.now() + timedelta(seconds=1), tick=False)
    client.force_login(org["cs_ops"])
    url = reverse("success:ops")
    assert client.get(url).context["figures"]["waiting"] == 1
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).context["figures"]["waiting"] == 1
    assert not [q for q in ctx.captured_queries if "COUNT(*)" in q["sql"] and "approvals_task" in q["sql"]]

    with django_capture_on_commit_callbacks(execute=True):  # another step for the department
        services.service_request_file(actor=org["cs_staff"], type="seal", customer_name="乙医院", data=SEAL)
    time_machine.move_to(timezone.now() + timedelta(seconds=1), tick=False)
    assert client.get(url).context["figures"] == {"waiting": 2, "overdue": 0, "done_month": 0}
    assert "超时数至多 60 秒更新一次" in client.get(url).content.decode()

    time_machine.move_to(timezone.now() + timedelta(days=10), tick=False)  # nothing changed but the clock
    client.force_login(org["cs_ops"])  # (ten days on, a new session)
    assert client.get(url).context["figures"]["overdue"] == 2


def test_the_queue_filters_in_the_url_and_exports_the_same_rows(client, org):
    services.service_request_file(actor=org["cs_staff"], type="seal", customer_name="甲医院", data=SEAL)
    services.service_request_file(
        actor=org["cs_staff"], type="certificate_report", customer_name="乙医院",
        data={"document_number": "HT-1", "report_kind": "evidence", "copies": "1"},
    )  # fmt: skip
    client.force_login(org["cs_ops"])
    page = client.get(reverse("success:ops"), {"type": "certificate_report"}).content.decode()
    assert "乙医院" in page and "甲医院" not in page
    export = client.get(reverse("success:ops"), {"type": "certificate_report", "export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(export.content)).active
    customers = [row[2] for row in sheet.iter_rows(values_only=True)]
    assert "乙医院" in customers and "甲医院" not in customers
    refused = client.get(reverse("success:ops"), {"state": "nonsense"})
    assert refused.status_code == 400 and "筛选条件无效" in refused.content.decode()


def test_the_queues_are_for_customer_success_only(client, org):
    client.force_login(org["sales"])
    assert client.get(reverse("success:ops")).status_code == 403
    client.force_login(org["implementer"])
    assert client.get(reverse("success:orders")).status_code == 200  # sees only what he may: nothing
    assert client.get(reverse("success:order_new")).status_code == 403


def test_an_order_of_someone_else_is_not_shown_to_an_outsider(client, org, file_order):
    order = file_order()
    client.force_login(org["implementer"])
    assert client.get(order.get_absolute_url()).status_code == 404
    client.force_login(org["business_approver"])
    body = client.get(order.get_absolute_url()).content.decode()
    assert "商务审核（授权与收款）" in body


def test_the_licence_register_lists_what_expires_soon(client, org):
    today = timezone.localdate()
    for days, customer in ((10, "近期到期客户"), (200, "远期客户")):
        Licence.objects.create(
            customer_name=customer, product=Product.objects.get(name="云签章"), starts_on=today - timedelta(days=100),
            expires_on=today + timedelta(days=days), source=Licence.Source.CLOUD_ORDER,
        )  # fmt: skip
    client.force_login(org["cs_ops"])
    body = client.get(reverse("success:licences"), {"within": "30"}).content.decode()
    assert "近期到期客户" in body and "远期客户" not in body and "剩 10 天" in body


def test_the_project_tabs_show_its_orders_licences_and_deployments(client, org, project, file_order):
    from platformops import services as platform_services

    order = file_order(project=project)
    platform_services.deployment_request(project=project, actor=org["regional_pm"], kind="logs", reason="日志")
    client.force_login(org["regional_pm"])
    orders = client.get(workspace.tab_url(project, "orders"), HTTP_HX_REQUEST="true")
    assert orders.status_code == 200 and order.number in orders.content.decode()
    deployments = client.get(workspace.tab_url(project, "deployments")).content.decode()
    assert "日志维护" in deployments and "申请云端部署" in deployments
    licences = client.get(workspace.tab_url(project, "licences"), HTTP_HX_REQUEST="true").content.decode()
    assert "本项目还没有登记授权" in licences


def test_filing_an_order_through_the_page(client, org, project):
    client.force_login(org["sales"])
    product = Product.objects.get(name="云签章")
    today = timezone.localdate()
    data = {
        "customer_name": "某某医院", "project_code": project.code, "licence_starts_on": today.isoformat(),
        "licence_ends_on": (today + timedelta(days=365)).isoformat(), "payment": "paid",
        "items-TOTAL_FORMS": "3", "items-INITIAL_FORMS": "0", "items-0-product": str(product.pk),
        "items-0-quantity": "4",
    }  # fmt: skip
    response = client.post(reverse("success:order_new"), data)
    order = CloudOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    assert order.project == project and order.items.get().quantity == 4


PAGES = (
    ("business_approver", "success:orders", {}),
    ("cs_ops", "success:ops", {}),
    ("cs_support", "success:support", {}),
    ("cs_ops", "success:licences", {}),
    ("platform_ops", "platformops:deployments", {}),
)


def _rows(org, project, n):
    from platformops import services as platform_services

    today = timezone.localdate()
    for i in range(n):
        order = services.cloud_order_file(
            actor=org["sales"], customer_name=f"客户{i}", project=project, licence_starts_on=today,
            licence_ends_on=today + timedelta(days=30), payment="paid",
            items=[{"product": Product.objects.get(name="云签章"), "quantity": 1}],
        )  # fmt: skip
        services.cloud_order_review(
            order=order, actor=org["business_approver"], approve=True, team=Team.OPS, licence_ok=True, payment_ok=True
        )
        services.cloud_order_open(order=order, actor=org["cs_ops"], opened_note="开通")
        services.service_request_file(actor=org["cs_staff"], type="seal", customer_name=f"客户{i}", data=SEAL)
        services.service_request_file(
            actor=org["cs_staff"], type="usage_guidance", customer_name=f"客户{i}",
            data={"topic": "培训", "mode": "phone", "contact": "张"},
        )  # fmt: skip
        platform_services.deployment_request(project=project, actor=org["regional_pm"], kind="logs", reason="日志")


def _counts(client, org, project):
    counts = {}
    for username, name, params in PAGES:
        client.force_login(org[username])
        client.get(reverse(name), params)
        counts[name] = count_queries(lambda n=name, p=params: client.get(reverse(n), p))
    client.force_login(org["regional_pm"])
    for slug in ("orders", "licences", "deployments"):
        url = workspace.tab_url(project, slug)
        client.get(url, HTTP_HX_REQUEST="true")
        counts[slug] = count_queries(lambda u=url: client.get(u, HTTP_HX_REQUEST="true"))
    return counts


def test_the_pages_query_count_does_not_grow_with_their_rows(client, org, project):
    _rows(org, project, 2)
    small = _counts(client, org, project)
    _rows(org, project, 8)
    assert _counts(client, org, project) == small


def test_only_a_renewal_asks_for_the_new_expiry_when_it_is_finished(client, org):
    guidance = services.service_request_file(
        actor=org["cs_staff"], type="usage_guidance", customer_name="甲医院",
        data={"topic": "批量签署", "mode": "remote", "contact": "李老师"},
    )  # fmt: skip
    client.force_login(org["cs_support"])
    page = client.get(guidance.get_absolute_url()).content.decode()
    assert "办理结果" in page and "续期后到期日" not in page
    response = client.post(reverse("success:request_action", args=[guidance.pk, "finish"]), {"result": "已远程指导"})
    assert response.status_code == 302
    guidance.refresh_from_db()
    assert guidance.state == guidance.State.DONE
