"""Every link shown to a user opens for that user: each role logs in, opens the project page, the
registration page and the ticket page it can see, and follows every link on them."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales import services as aftersales_services
from aftersales.models import Ticket
from pmis.catalog.models import Product
from pmis.org.demo import DEMO_USERS
from projects import services
from registrations.models import Kind
from tests.projects.conftest import dispatched, upload  # noqa: F401  (shared fixtures)
from tests.walk import ready_for_handover

pytestmark = pytest.mark.django_db
ROLES = [u.username for u in DEMO_USERS] + ["admin"]
# who must see each page (so that the test cannot pass by seeing nothing)
MUST_SEE = {
    "project": {"project_director", "regional_pm", "implementer", "sales", "rd_expert", "product_dept", "admin"},
    "registration": {"sales", "business_approver", "project_director", "regional_pm", "implementer", "admin"},
    "ticket": {"aftersales", "aftersales_manager", "cs_staff", "cs_head", "admin"},
}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag == "a" else None
        if href and href.startswith("/") and not href.startswith("//"):
            self.hrefs.append(href.split("#")[0])


def _links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return sorted(set(h for h in parser.hrefs if h))


@pytest.fixture
def world(org, dispatched, upload):  # noqa: F811
    """A project with a sub-project, a delivery task with its deliverable, an issued product
    request with its licence, documents, a handover and an after-sales ticket."""
    pm, implementer, director = org["regional_pm"], org["implementer"], org["project_director"]
    registration = dispatched()
    project = services.project_initiate(
        registration=registration, actor=director, name="", overview="", svn_path="/svn/x", feasibility="可行",
        risk="可控", pm=pm, implementers=[implementer],
    )  # fmt: skip
    upload(project, "requirement-confirmation")
    services.requirements_confirm(project=project, actor=pm)
    task = services.delivery_task_assign(
        project=project, actor=pm, type="onsite", title="现场部署", assignee=implementer
    )
    upload(task, "customer-service-form")
    pr = services.product_request_create(
        project=project,
        actor=implementer,
        items=[
            {"product": Product.objects.get(name="时间戳"), "version": "V2", "licence_count": 1, "kind": "standard"}
        ],
    )
    services.product_request_decide(request=pr, actor=pm, approve=True)
    services.product_request_decide(request=pr, actor=org["business_approver"], approve=True)
    upload(pr, "licence-file", "授权.lic", content=b"\x8a\x01LIC\x00")
    services.product_request_issue(request=pr, actor=org["product_dept"], paths={pr.items.get().pk: "/dl"})

    upgrade = dispatched(Kind.UPGRADE, parent_project=project, new_contract=True)
    services.project_initiate(
        registration=upgrade, actor=pm, name="", overview="", svn_path="", feasibility="可行", risk="可控", pm=pm
    )

    project = ready_for_handover(org, project, upload, pm=pm)
    aftersales_services.handover_submit(project=project, actor=pm)
    ticket = aftersales_services.ticket_create(
        project=project,
        actor=org["aftersales"],
        data={
            "subject": "无法登录", "reporting_unit": "信息中心", "reporter": "张工", "reported_at": timezone.now(),
            "channel": Ticket.Channel.PHONE, "description": "报错",
        },
    )  # fmt: skip
    return {"project": project.get_absolute_url(), "registration": registration.get_absolute_url(), "ticket": ticket}


@pytest.mark.parametrize("username", ROLES)
def test_every_link_on_the_pages_a_role_sees_opens(client, org, demo_password, world, username):
    signed_in = client.post(reverse("login"), {"username": username, "password": demo_password})
    assert signed_in.status_code == 302, "登录失败"
    pages = {
        "project": world["project"],
        "registration": world["registration"],
        "ticket": world["ticket"].get_absolute_url(),
    }
    broken = []
    for name, url in pages.items():
        response = client.get(url)
        if response.status_code == 404:
            assert username not in MUST_SEE[name], f"{username} 应能打开{name}页面"
            continue
        assert response.status_code == 200, (name, response.status_code)
        for href in _links(response.content.decode()):
            status = client.get(href).status_code
            if status in (403, 404) or status >= 500:
                broken.append(f"{name} 页面上的 {href} → {status}")
    assert not broken, f"{username}：" + "；".join(broken)
