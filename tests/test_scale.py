"""The bulk seeder at a tiny scale, and every page people use all day at two data sizes: the
query count of one request must not grow with the data."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from aftersales.models import Ticket
from approvals.models import Task
from pmis.audit.models import AuditEntry
from pmis.org.selectors import user_region_ids
from projects import workspace
from projects.models import Project
from registrations.models import Registration
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def layout_cached(settings):
    settings.PMIS_LAYOUT_CACHE = "default"  # pages measured as people get them: the layout cached


PAGES = (
    ("business_approver", "approvals:inbox", {}),
    ("project_director", "approvals:inbox", {}),
    ("presales", "approvals:copied", {}),
    ("special_approver", "approvals:delegations", {}),
    ("business_approver", "registrations:queue", {}),
    ("business_approver", "registrations:queue", {"tab": "decided"}),
    ("sales", "registrations:mine", {}),
    ("project_director", "projects:all", {}),
    ("project_director", "projects:all", {"state": "maintenance", "kind": "local"}),
    ("regional_pm", "projects:mine", {}),
    ("aftersales", "aftersales:tickets", {"queue": "open"}),
    ("aftersales", "aftersales:tickets", {"queue": "all"}),
    ("aftersales_manager", "aftersales:metrics", {}),
    ("business_approver", "success:orders", {}),
    ("cs_ops", "success:ops", {}),
    ("cs_support", "success:support", {}),
    ("cs_ops", "success:licences", {"within": "60"}),
    ("platform_ops", "platformops:deployments", {}),
    ("project_director", "changes:bug_month", {}),
    ("sales", "org:directory", {}),
    ("sales", "projects:news", {}),
    ("project_director", "projects:weekly_missing", {}),
    # the 工作台 with each steering role's dashboards
    ("project_director", "home", {}),
    ("special_approver", "home", {}),
    ("business_approver", "home", {}),
    ("aftersales_manager", "home", {}),
    ("cs_head", "home", {}),
    ("emergency", "operations:incidents", {}),
    ("aftersales", "knowledge:articles", {}),
    ("marketing", "delivery:surveys", {}),
    ("product_dept", "catalog:products_maintain", {}),
)


WORKSPACE_TABS = ("overview", "requirements", "tasks", "product-requests", "documents", "weekly", "team", "history")


def _seed(scale):
    call_command("seed_bulk", "--scale", str(scale), stdout=StringIO())


def test_bulk_seeder_makes_consistent_data(demo):
    _seed(0.002)
    assert Registration.objects.filter(customer_name__startswith="批量客户").count() == 200
    assert Registration.objects.filter(customer_name__startswith="批量客户", number__isnull=True).count() > 0  # drafts
    projects = Project.objects.filter(code__startswith="BK")
    assert projects.count() > 0
    assert all(p.registration.state == "initiated" for p in projects.select_related("registration"))
    assert Ticket.objects.filter(number__startswith="BK").count() == 400
    assert AuditEntry.objects.count() >= 2000
    open_tasks = Task.objects.filter(state="open", title__startswith="BK")
    waiting = Registration.objects.filter(
        number__startswith="BK",
        state__in=["pending_sales_manager", "pending_special", "pending_business", "dispatched"],
    )
    assert open_tasks.count() == waiting.count()
    # the demo users see plausible inboxes: bulk work reaches their groups
    assert Task.objects.filter(state="open", group__name="business_approver", title__startswith="BK").exists()


@pytest.fixture
def measured(client, demo):
    def measure():
        counts = {}
        for username, url, params in PAGES:
            client.force_login(demo[username])
            client.get(reverse(url), params)  # warm caches
            response = client.get(reverse(url), params)
            assert response.status_code == 200, (username, url)
            counts[(username, url, tuple(params.items()))] = count_queries(
                lambda u=url, p=params: client.get(reverse(u), p)
            )
        # the project workspace: every tab, as a whole page and as the htmx fragment a tab click loads
        project = Project.objects.filter(code__startswith="BK").order_by("pk").first()
        client.force_login(demo["project_director"])
        client.get(project.get_absolute_url())
        counts["project page"] = count_queries(lambda: client.get(project.get_absolute_url()))
        for slug in WORKSPACE_TABS:
            url = reverse("projects:tab", args=[project.pk, slug])
            counts[f"workspace {slug}"] = count_queries(lambda u=url: client.get(u))
            counts[f"workspace {slug} htmx"] = count_queries(lambda u=url: client.get(u, HTTP_HX_REQUEST="true"))
        # every other tab an app registers (planning, changes, delivery, …), as a page and as htmx,
        # on the first bulk project that shows it (the after-go-live tabs need a live project)
        bulk = list(Project.objects.filter(code__startswith="BK").order_by("pk")[:200])
        for slug in sorted(set(workspace._TABS) - set(WORKSPACE_TABS)):
            tab = workspace.get(slug)
            shown = next(p for p in bulk if tab.visible(demo["project_director"], p))
            url = reverse("projects:tab", args=[shown.pk, slug])
            assert client.get(url).status_code == 200, slug
            counts[f"workspace {slug}"] = count_queries(lambda u=url: client.get(u))
            counts[f"workspace {slug} htmx"] = count_queries(lambda u=url: client.get(u, HTTP_HX_REQUEST="true"))
        # and every tab again as the regional PM of the project's region (he manages it through his
        # region's permission, read once per request like the project's own permissions)
        pm = demo["regional_pm"]
        client.force_login(pm)
        ours = [p for p in bulk if p.region_id in user_region_ids(pm)]
        for slug in sorted(workspace._TABS):
            tab = workspace.get(slug)
            shown = next(p for p in ours if tab.visible(pm, p))
            url = reverse("projects:tab", args=[shown.pk, slug])
            assert client.get(url).status_code == 200, slug
            counts[f"workspace (regional PM) {slug}"] = count_queries(lambda u=url: client.get(u))
        return counts

    return measure


def test_pages_keep_their_query_count_as_the_data_grows(measured):
    _seed(0.002)
    small = measured()
    workspace_counts = {page: n for page, n in small.items() if str(page).startswith("workspace")}
    assert len(workspace_counts) == 3 * len(workspace._TABS)  # every tab: page and htmx, and as the PM
    assert {page: n for page, n in workspace_counts.items() if n > 20} == {}
    _seed(0.02)
    assert measured() == small
