"""Leaders approve on their phones: at 390 px every page people use all day (the inbox, each page
with a decision form, notifications, the tickets list and the dashboards) folds its navigation
into a 菜单 button, has no horizontal page scroll, shows its tables as stacked cards labelled by
their column headers, and puts the decision buttons full-width within reach of a thumb. At 1440 px
the same pages keep the side bar and ordinary tables. Screenshots of both widths go to
test-artifacts/screenshots/phone-<page>-<width>.png."""

import pytest
from django.urls import reverse

from aftersales import services as aftersales_services
from aftersales.demo import demo_tickets_seed
from aftersales.models import Ticket
from dashboards.demo import demo_dashboards_seed
from delivery.demo import DEMO_CODES, demo_delivery_seed
from operations.demo import demo_operations_seed
from operations.models import Incident, Inspection, OnsiteVisit
from planning.demo import demo_planning_seed
from platformops.demo import demo_platform_seed
from platformops.models import CloudDeployment
from projects import workspace
from projects.demo import demo_projects_seed
from projects.models import CustomisationRequest, ProductRequest, Project
from registrations.demo import demo_registrations_seed
from registrations.models import Registration
from success.demo import demo_success_seed
from success.models import CloudOrder
from tests.aftersales.conftest import accepted, dispatched, project, upload  # noqa: F401  (shared fixtures)
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE, DESKTOP = 390, 1440


@pytest.fixture
def pages(org, accepted):  # noqa: F811
    """(page, user, url, selector of its decision buttons or None) for every page of the item."""
    demo_registrations_seed()
    demo_projects_seed()
    demo_tickets_seed()
    demo_dashboards_seed()
    demo_planning_seed()
    planned = Project.objects.filter(plan_items__isnull=False, pm__username="regional_pm").order_by("pk").first()
    assert planned is not None, "演示数据不全"
    demo_success_seed()
    demo_platform_seed()
    order = CloudOrder.objects.filter(state="pending_business").order_by("pk").first()
    deployment = CloudDeployment.objects.filter(state="pending_execution").order_by("pk").first()
    demo_operations_seed()
    demo_delivery_seed()
    kickoff, in_acceptance, rejected = (Project.objects.get(code=code) for code in DEMO_CODES)
    answered = Project.objects.get(code="PJ2026-0904")
    to_survey = Project.objects.filter(tasks__step="satisfaction.send", tasks__state="open").order_by("pk").first()
    handover = aftersales_services.handover_submit(project=accepted, actor=org["regional_pm"], note="请接收")
    registration = Registration.objects.filter(state="pending_business").order_by("pk").first()
    product_request = ProductRequest.objects.filter(state="pending_pm").order_by("pk").first()
    customisation = CustomisationRequest.objects.filter(state="estimating").order_by("pk").first()
    untriaged = Ticket.objects.filter(state="new").order_by("pk").first()
    assigned = Ticket.objects.filter(state="assigned").order_by("pk").first()
    rd_check = CustomisationRequest.objects.filter(state="pending_rd").order_by("pk").first()
    support = Ticket.objects.filter(tasks__step="ticket.local_support", tasks__state="open").order_by("pk").first()
    awaiting_solution = Registration.objects.filter(tasks__step="registration.presales_solution").first()
    assert registration and product_request and customisation and untriaged and assigned, "演示数据不全"
    assert rd_check and support and awaiting_solution, "演示数据不全"
    ws_project = customisation.requirement.project
    project_url = reverse("projects:tab", args=[ws_project.pk, "requirements"])  # the estimate form's tab
    escalated = Incident.objects.get(state="escalated")
    visit = OnsiteVisit.objects.get()
    inspection = Inspection.objects.get()
    from changes.demo import demo_changes_seed
    from changes.models import ChangeRequest, Release

    demo_changes_seed()
    change = ChangeRequest.objects.filter(state="pending_review").order_by("pk").first()
    release = Release.objects.filter(state="pending_release").order_by("pk").first()
    assert change and release, "演示数据不全"
    this_month = f"?month={change.submitted_at:%Y-%m}"
    return [
        ("inbox", "business_approver", reverse("approvals:inbox"), None),
        ("inbox-bulk", "business_approver", reverse("approvals:inbox"), "#bulk-bar button[type=submit]"),
        ("delegations", "sales_manager", reverse("approvals:delegations"), "#delegation-form button[type=submit]"),
        ("copied", "presales", reverse("approvals:copied"), None),
        ("registration", "business_approver", registration.get_absolute_url(), "#decision button[type=submit]"),
        (
            "product-request",
            "regional_pm",
            reverse("projects:product_request", args=[product_request.project_id, product_request.pk]),
            "#decision button[type=submit]",
        ),
        ("customisation", "regional_pm", project_url, "#requirements form[action*='/customisations/'] button"),
        ("project-overview", "regional_pm", ws_project.get_absolute_url(), None),
        ("project-tasks", "regional_pm", reverse("projects:tab", args=[ws_project.pk, "tasks"]), None),
        ("project-documents", "regional_pm", reverse("projects:tab", args=[ws_project.pk, "documents"]), None),
        ("project-team", "regional_pm", reverse("projects:tab", args=[ws_project.pk, "team"]), None),
        ("projects", "project_director", reverse("projects:all"), None),
        ("handover", "aftersales", reverse("aftersales:handover", args=[handover.pk]), "#audit-form button"),
        ("ticket-triage", "aftersales", reverse("aftersales:ticket", args=[untriaged.pk]), "#triage-form button"),
        ("ticket-start", "aftersales", reverse("aftersales:ticket", args=[assigned.pk]), "#ticket-actions button"),
        ("customisation-rd", "rd_expert", rd_check.get_absolute_url(), "#decision button[type=submit]"),
        ("ticket-support", "aftersales_manager", support.get_absolute_url(), "#support-card button[type=submit]"),
        ("presales-solution", "presales", awaiting_solution.get_absolute_url(), None),
        ("directory", "sales", reverse("org:directory"), None),
        ("news", "sales", reverse("projects:news"), None),
        ("weekly-missing", "project_director", reverse("projects:weekly_missing"), None),
        ("notifications", "regional_pm", reverse("notify:list"), None),
        ("tickets", "aftersales", reverse("aftersales:tickets"), None),
        ("dashboard-director", "project_director", reverse("home"), None),
        ("dashboard-special", "special_approver", reverse("home"), None),
        ("dashboard-business", "business_approver", reverse("home"), None),
        ("dashboard-aftersales", "aftersales_manager", reverse("home"), None),
        ("dashboard-cs", "cs_head", reverse("home"), None),
        ("plan", "regional_pm", reverse("projects:tab", args=[planned.pk, "plan"]), None),
        ("risks", "regional_pm", reverse("projects:tab", args=[planned.pk, "risks"]), None),
        ("raci", "project_director", reverse("projects:tab", args=[planned.pk, "raci"]), None),
        ("reports", "regional_pm", reverse("projects:tab", args=[planned.pk, "reports"]), None),
        ("cloud-orders", "business_approver", reverse("success:orders"), None),
        ("cloud-order", "business_approver", order.get_absolute_url(), "#review-form button"),
        ("cs-ops", "cs_ops", reverse("success:ops"), None),
        ("cs-support", "cs_support", reverse("success:support"), None),
        ("licences", "cs_ops", reverse("success:licences"), None),
        ("deployments", "platform_ops", reverse("platformops:deployments"), None),
        ("deployment", "platform_ops", deployment.get_absolute_url(), "#execute-form button"),
        ("incidents", "emergency", reverse("operations:incidents"), None),
        ("incident", "emergency", escalated.get_absolute_url(), "#recover-form button"),
        ("onsite", "implementer", visit.get_absolute_url(), "#onsite-actions button"),
        ("inspection", "implementer", inspection.get_absolute_url(), "#inspection-form button"),
        ("knowledge", "aftersales", reverse("knowledge:articles"), None),
        ("change-review", "regional_pm", change.get_absolute_url(), "#action-review button[type=submit]"),
        ("release-perform", "releaser", release.get_absolute_url(), "#action-perform button[type=submit]"),
        ("changes-tab", "regional_pm", reverse("projects:tab", args=[change.project_id, "changes"]), None),
        ("releases-tab", "regional_pm", reverse("projects:tab", args=[change.project_id, "releases"]), None),
        ("bug-month", "regional_pm", reverse("changes:bug_month") + this_month, None),
        ("delivery-meetings", "regional_pm", workspace.tab_url(kickoff, "meetings"), None),
        ("delivery-training", "regional_pm", workspace.tab_url(in_acceptance, "training"), None),
        (
            "delivery-acceptance",
            "cm_engineer",
            workspace.tab_url(in_acceptance, "acceptance"),
            "#acceptance-decide-form button[type=submit]",
        ),
        (
            "delivery-executives",
            "executive",
            workspace.tab_url(rejected, "meetings"),
            "#trial-decide-form button[type=submit]",
        ),
        ("delivery-satisfaction", "regional_pm", workspace.tab_url(answered, "satisfaction"), None),
        (
            "delivery-requirements-review",
            "project_director",
            workspace.tab_url(kickoff, "requirements"),
            "#review-decide-form button[type=submit]",
        ),
        ("surveys", "marketing", reverse("delivery:surveys"), None),
        ("survey-send", "marketing", workspace.tab_url(to_survey, "satisfaction"), "#survey-send-form button"),
    ]


def _signed_in(browser, live_server, username, password, width):
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_selector(".user-name")
    return page


def _open(page, url):
    page.goto(url)
    page.wait_for_load_state("load")
    if page.locator(".chart[data-spec]").count():
        page.wait_for_function(
            "() => [...document.querySelectorAll('.chart[data-spec]')].every(c => c.querySelector('canvas'))"
        )


# everything a thumb could press in the page content lies inside the screen (a project's tab bar
# scrolls sideways inside itself: its tabs are reached by swiping the bar, checked on its own)
OUTSIDE = """() => [...document.querySelectorAll('.content a, .content button, .content input, .content select, '
    + '.content textarea, .topbar a, .topbar button, .topbar input, .topbar label')]
    .filter(el => el.offsetParent !== null && el.type !== 'hidden' && !el.closest('.ws-tabs'))
    .map(el => [el, el.getBoundingClientRect()])
    .filter(([el, r]) => r.width > 0 && (r.left < -1 || r.right > innerWidth + 1))
    .map(([el, r]) => `${el.tagName} ${(el.textContent || el.name || '').trim().slice(0, 20)} `
        + `${Math.round(r.left)}-${Math.round(r.right)}`)"""

# every visible body cell of a stacked table: its display and the label it shows
CELLS = """() => [...document.querySelectorAll('.content table.table')].filter(t => t.offsetParent !== null)
    .flatMap(t => {
        const heads = [...t.querySelectorAll('thead th')].map(th => [...th.childNodes].map(
            n => n.querySelector ? [...n.childNodes].filter(c => !c.classList || !c.classList.contains('sort-arrow'))
                .map(c => c.textContent).join('') : n.textContent).join('').trim());
        return [...t.querySelectorAll('tbody tr')].flatMap(tr => [...tr.children].map((td, i) => ({
            display: getComputedStyle(td).display,
            label: td.getAttribute('data-label'),
            shown: getComputedStyle(td, '::before').content,
            head: td.colSpan > 1 || td.classList.contains('empty') ? null : (heads[i] || ''),
        })));
    })"""


def test_every_daily_page_fits_a_phone_and_keeps_the_desktop_layout(browser, live_server, pages, demo_password):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    checked_tables = 0
    for width in (PHONE, DESKTOP):
        sessions = {}
        for name, username, url, decision in pages:
            if username not in sessions:
                sessions[username] = _signed_in(browser, live_server, username, demo_password, width)
            page = sessions[username]
            _open(page, f"{live_server.url}{url}")
            page.screenshot(path=str(ARTIFACTS / f"phone-{name}-{width}.png"), full_page=True)
            nav = page.locator(".sidebar nav")
            menu = page.get_by_text("菜单", exact=True)
            if width == DESKTOP:
                assert nav.is_visible() and not menu.is_visible(), name
                cells = page.evaluate(CELLS)
                assert all(c["display"] == "table-cell" for c in cells), name
                continue

            # no horizontal page scroll, nothing to press outside the screen
            assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), (
                name,
                page.evaluate("document.documentElement.scrollWidth"),
            )
            assert page.evaluate(OUTSIDE) == [], name
            if page.locator("#ws-tabs").count():
                bar = page.locator("#ws-tabs").bounding_box()
                assert bar["x"] >= 0 and bar["x"] + bar["width"] <= width + 1, (name, bar)
                assert page.locator("#ws-tabs a.current").is_visible(), name
            # the header fits in the screen: search box, bell and user all visible
            for part in (".site-search input", ".bell", ".user-name", ".topbar"):
                box = page.locator(part).bounding_box()
                assert box and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (name, part, box)

            # the navigation folds into a 菜单 button that opens and closes it
            assert menu.is_visible() and not nav.is_visible(), name
            menu.click()
            assert nav.is_visible(), name
            assert page.locator(".sidebar .nav-link").first.is_visible(), name
            assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), name
            if name == "inbox":
                page.screenshot(path=str(ARTIFACTS / f"phone-menu-{width}.png"))
            page.get_by_text("菜单", exact=True).click()
            assert not nav.is_visible(), name

            # tables are stacked cards, each cell labelled by its column header
            for cell in page.evaluate(CELLS):
                assert cell["display"] == "block", (name, cell)
                if cell["head"]:
                    checked_tables += 1
                    assert cell["label"] == cell["head"], (name, cell)
                    assert cell["head"] in cell["shown"], (name, cell)

            # the decision buttons are full-width inside the screen, at the end of their form
            if decision:
                buttons = page.locator(decision)
                assert buttons.count(), name
                for i in range(buttons.count()):
                    button = buttons.nth(i)
                    button.scroll_into_view_if_needed()
                    box = button.bounding_box()
                    assert box["x"] >= 0 and box["x"] + box["width"] <= width, (name, box)
                    assert box["width"] >= 0.75 * width, (name, i, box)
                    assert box["height"] >= 40, (name, i, box)
                    # nothing left to fill in below the button: it closes its form
                    below = button.evaluate(
                        """b => [...b.form.querySelectorAll('input, select, textarea')]
                            .filter(f => f.type !== 'hidden' && f.offsetParent !== null)
                            .filter(f => f.getBoundingClientRect().top > b.getBoundingClientRect().top)
                            .map(f => f.name)"""
                    )
                    assert below == [], (name, i, below)
        for page in sessions.values():
            page.context.close()
    assert checked_tables > 20  # the pages had stacked tables to check
