"""The header search box in Chromium: typing shows what the user may see, grouped by kind, and
choosing a hit opens it; the box and a people picker fit a 390 px phone."""

import pytest

from projects.models import Project
from registrations.services import registration_submit
from tests.browser.pickers import pick
from tests.projects.conftest import dispatched, project  # noqa: F401  (shared fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_typing_in_the_header_box_and_choosing_a_result(page, live_server, org, make_registration, login):
    mine = registration_submit(registration=make_registration(), actor=org["sales"])
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, "sales")
    page.fill("#site-search", mine.number[:6])
    panel = page.locator("#site-search-panel")
    panel.locator(".search-hit").first.wait_for()
    assert "登记" in panel.locator(".search-group-title").first.inner_text()
    page.screens.shot("desktop-suggestions")
    # keyboard: down to the first hit, Enter opens it
    page.locator("#site-search").press("ArrowDown")
    page.locator("#site-search").press("Enter")
    page.wait_for_url(f"**{mine.get_absolute_url()}")
    assert mine.number in page.content()

    # a person, by name; Enter without a chosen hit goes to the full results page
    page.fill("#site-search", "钱实")
    panel.locator(".search-group[data-kind=person] .search-hit").first.wait_for()
    page.locator("#site-search").press("Enter")
    page.wait_for_url("**/search/?q=*")
    assert "人员" in page.locator(".search-group").first.inner_text()

    # another salesperson does not find it
    login(page, "sales2")
    page.fill("#site-search", mine.number)
    panel.locator(".search-empty").wait_for()
    assert "没有找到" in panel.inner_text()


def test_header_box_and_picker_on_a_phone(page, live_server, org, project, login):  # noqa: F811
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "regional_pm")
    page.fill("#site-search", project.code)
    hit = page.locator("#site-search-panel .search-hit").first
    hit.wait_for()
    box = page.locator("#site-search").bounding_box()
    panel = page.locator("#site-search-panel").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 390
    page.screens.shot("phone-suggestions")
    hit.click()
    page.wait_for_url(f"**{project.get_absolute_url()}")

    # the PM opens the 任务 tab (swapped in by htmx) and assigns a delivery task choosing the
    # implementer from the picker, on the phone
    page.locator("#ws-tabs").get_by_role("tab", name="任务").click()
    page.wait_for_selector("#assign-form")
    page.select_option("#assign-form select[name=type]", label="产品验证")
    page.fill("#assign-form input[name=title]", "手机上指派的任务")
    picker = page.locator("#assign-form [data-picker-input]")
    picker.scroll_into_view_if_needed()
    pick(page, "#assign-form [data-picker-input]", "钱实")
    picker_box = picker.bounding_box()
    assert picker_box["x"] + picker_box["width"] <= 390
    page.screens.shot("phone-picker")
    page.click("#assign-form button[type=submit]")
    assert "实施任务已指派" in page.locator(".messages").inner_text()
    assert Project.objects.get(pk=project.pk).delivery_tasks.get().assignee == org["implementer"]
