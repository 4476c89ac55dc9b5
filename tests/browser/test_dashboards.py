"""The dashboards in Chromium, as each steering role of the demo, at phone (390 px) and desktop
(1440 px) width: every chart is drawn (a canvas inside each chart), fits its card, follows the
window when it is resized, and the page raises no script errors. Screenshots go to
test-artifacts/screenshots/dashboards-<role>-<width>.png."""

import pytest

from aftersales.demo import demo_tickets_seed
from dashboards.demo import demo_dashboards_seed
from projects.demo import demo_projects_seed
from registrations.demo import demo_registrations_seed
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ("project_director", "special_approver", "business_approver", "aftersales_manager", "cs_head")


@pytest.fixture
def demo_data(org):
    demo_registrations_seed()
    demo_projects_seed()
    demo_tickets_seed()
    demo_dashboards_seed()


def _open_home(browser, live_server, username, password, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("#dashboards")
    return page


def _drawn(page) -> list[dict]:
    charts = page.locator(".chart[data-spec]")
    count = charts.count()
    page.wait_for_function("n => document.querySelectorAll('.chart[data-spec] canvas').length >= n", arg=count)
    return page.evaluate(
        """() => [...document.querySelectorAll('.chart[data-spec]')].map(el => ({
            id: el.id,
            chart: el.getBoundingClientRect().width,
            card: el.closest('.dash-card').getBoundingClientRect().width,
            canvas: el.querySelector('canvas').getBoundingClientRect().width,
            tableOpen: el.closest('.chart-block').querySelector('details').open,
        }))"""
    )


def test_each_dashboard_draws_its_charts_on_a_phone_and_a_desktop(browser, live_server, demo_data, demo_password):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for username in ROLES:
        for width in (390, 1440):
            page = _open_home(browser, live_server, username, demo_password, width)
            # the demo gives every card something to draw
            assert page.locator("#dashboards .chart-empty").count() == 0, username
            charts = _drawn(page)
            assert charts, username
            for chart in charts:
                assert 100 < chart["canvas"] <= chart["card"], (username, width, chart)
                assert not chart["tableOpen"], chart  # the data table folds away once the chart is drawn
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (username, width)
            page.screenshot(path=str(ARTIFACTS / f"dashboards-{username}-{width}.png"), full_page=True)
            if width == 1440:
                # a window made narrow redraws the charts to the new width
                page.set_viewport_size({"width": 390, "height": 900})
                page.wait_for_function(
                    "() => [...document.querySelectorAll('.chart[data-spec] canvas')]"
                    ".every(c => c.getBoundingClientRect().width <= 390)"
                )
                assert page.evaluate("document.documentElement.scrollWidth") <= 390
            assert page.errors == [], (username, width, page.errors)
            page.context.close()


def test_without_the_chart_library_the_figures_stay_readable_as_tables(browser, live_server, demo_data, demo_password):
    context = browser.new_context(viewport={"width": 390, "height": 900}, locale="zh-CN")
    context.route("**/echarts.min.js", lambda route: route.abort())
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "project_director")
    page.fill("#id_password", demo_password)
    page.click("button[type=submit]")
    page.wait_for_selector("#dashboards")
    assert page.locator(".chart canvas").count() == 0
    tables = page.locator("#dashboards details.chart-data[open] table")
    assert tables.count() == page.locator(".chart[data-spec]").count() > 0
    assert tables.first.is_visible()
    assert "需求确认" in page.locator("#dash-pipeline details.chart-data").inner_text()
    context.close()
