"""The project workspace in a browser: the tabs switch through htmx without reloading the page,
each has its own URL and the back button returns to the previous one; tables keep 分类 / 状态 on
one line at 1280 px next to long requirement text; at 390 px the tab bar scrolls inside itself and
the page does not. Screenshots at 1440, 1280 and 390 px go to
test-artifacts/screenshots/workspace-<tab>-<width>.png."""

import re

import pytest
from django.urls import reverse

from projects import services
from tests.browser.conftest import ARTIFACTS
from tests.projects.conftest import dispatched, project  # noqa: F401  (shared fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABS = ("概览", "需求", "任务", "产品领取", "文档", "周报", "项目组", "历史")
LONG = (
    "客户要求电子签章平台与其自建的 OA 审批流程、合同管理系统及人力资源系统三套系统同时对接，"
    "签署完成的文件须自动回写原系统并按部门归档，归档规则由客户档案室另行提供，须支持批量签署与撤销，"
    "并在每月底生成印章使用统计报表发送给各分公司负责人"
)

# how many lines the text of each 分类 / 状态 cell of the requirements table takes
LINES = """() => [...document.querySelectorAll('#requirements tbody tr')].flatMap(tr =>
    [tr.children[1], tr.children[2]].filter(Boolean).map(td => {
        const range = document.createRange();
        range.selectNodeContents(td);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        return {text: td.textContent.trim(), lines: tops.size, height: td.getBoundingClientRect().height};
    }))"""


@pytest.fixture
def workspace_project(org, project):  # noqa: F811
    pm = org["regional_pm"]
    for i, classification in enumerate(("standard", "custom_in_contract", "custom_out_of_contract", "")):
        services.requirement_add(
            project=project, actor=pm, title=f"{LONG[: 24 + 8 * i]}（{i + 1}）", description=LONG,
            classification=classification,
        )  # fmt: skip
    services.project_transition(project=project, actor=pm, action="start_requirements")
    return project


def _signed_in(browser, live_server, username, password, width, *, script=True):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN", java_script_enabled=script)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_selector(".user-name")
    return page


def _choose(page, label):
    # the tab's name is its label, with its count after it (需求 4); 需求变更 is another tab
    page.locator("#ws-tabs").get_by_role("tab", name=re.compile(rf"^{label}(\s+\d+)?$")).click()
    page.wait_for_selector(f'#ws-tabs a.current:has-text("{label}")')
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("width", [1440, 1280, 390])
def test_tabs_switch_in_place_with_their_own_urls(browser, live_server, org, workspace_project, demo_password, width):
    p = workspace_project
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = _signed_in(browser, live_server, "regional_pm", demo_password, width)
    page.goto(f"{live_server.url}{p.get_absolute_url()}")
    page.evaluate("window.__samePage = true")  # gone if a tab loads a whole new page
    labels = [t.strip().split(" ")[0] for t in page.locator("#ws-tabs a").all_inner_texts()]
    assert labels[: len(TABS)] == list(TABS)
    # the header says what blocks the next phase, next to a button that cannot be pressed
    assert page.locator("#next-action button[disabled]").inner_text() == "进入实施"
    assert "需求确认单尚未确认" in page.locator("#next-action-reason").inner_text()
    page.screenshot(path=str(ARTIFACTS / f"workspace-overview-{width}.png"), full_page=True)

    for label, slug in zip(TABS[1:], ("requirements", "tasks", "product-requests", "documents", "weekly", "team",
                                      "history"), strict=True):  # fmt: skip
        _choose(page, label)
        assert page.url.endswith(reverse("projects:tab", args=[p.pk, slug]))
        assert page.evaluate("window.__samePage === true"), label
        assert page.title().startswith(f"{label} · ")
        if width != 390:  # phones hide the crumbs
            assert page.locator("#ws-crumbs").inner_text().endswith(f"/ {label}")
        assert page.locator("#ws-tabs a.current").count() == 1
        # nothing sticks out of the page sideways (the tab bar scrolls inside itself)
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth + 1"), (label, width)
        page.screenshot(path=str(ARTIFACTS / f"workspace-{slug}-{width}.png"), full_page=True)

    # the back button goes to the previous tab, and forward again
    page.go_back()
    page.wait_for_selector("#team")
    assert page.url.endswith(reverse("projects:tab", args=[p.pk, "team"]))
    assert page.locator("#ws-tabs a.current").inner_text().startswith("项目组")
    page.go_forward()
    page.wait_for_selector("#history")

    _choose(page, "需求")
    page.locator("#requirements").wait_for()
    if width == 390:
        tabs = page.locator("#ws-tabs")
        assert tabs.evaluate("el => el.scrollWidth > el.clientWidth")  # scrolls inside itself
        assert tabs.evaluate("el => getComputedStyle(el).overflowX") == "auto"
        cells = page.evaluate(
            "() => [...document.querySelectorAll('#requirements tbody td')].map(td => getComputedStyle(td).display)"
        )
        assert cells and set(cells) == {"block"}  # a card per requirement
        # the table was swapped in by htmx, and still labels each cell for the card
        assert page.locator("#requirements tbody td[data-label='分类']").count() == 4
    else:
        cells = page.evaluate(LINES)
        assert len(cells) == 8
        for cell in cells:
            assert cell["lines"] == 1, (width, cell)  # never one character per line


def test_a_picker_in_a_tab_loaded_by_htmx_works(browser, live_server, org, workspace_project, demo_password):
    from tests.browser.pickers import pick

    p = workspace_project
    page = _signed_in(browser, live_server, "regional_pm", demo_password, 1280)
    page.goto(f"{live_server.url}{p.get_absolute_url()}")
    _choose(page, "项目组")
    page.click("#team summary")
    pick(page, "#team [data-picker] [data-picker-input] >> nth=1", "钱实")
    assert page.locator("#team .picker-chip", has_text="钱实").count() >= 1


def test_without_script_the_tabs_are_plain_links(browser, live_server, org, workspace_project, demo_password):
    p = workspace_project
    page = _signed_in(browser, live_server, "regional_pm", demo_password, 1280, script=False)
    page.goto(f"{live_server.url}{p.get_absolute_url()}")
    page.locator("#ws-tabs").get_by_role("tab", name=re.compile(r"^任务(\s+\d+)?$")).click()
    page.wait_for_url(f"**{reverse('projects:tab', args=[p.pk, 'tasks'])}")
    assert page.locator("#tasks").is_visible() and page.locator("#phase-bar").is_visible()
    assert page.locator("#ws-tabs a.current").inner_text().startswith("任务")


def test_the_project_list_filters_by_a_pm_picked_while_typing(
    browser, live_server, org, workspace_project, demo_password
):
    from tests.browser.pickers import pick

    page = _signed_in(browser, live_server, "project_director", demo_password, 1280)
    page.goto(f"{live_server.url}{reverse('projects:all')}")
    pick(page, ".list-toolbar [data-picker-input]", "郑北辰")
    page.click(".list-toolbar button[type=submit]")
    page.wait_for_url(f"**pm={org['regional_pm'].pk}**")
    assert page.locator(".list-toolbar [data-picker-input]").input_value().startswith("郑北辰")
    assert f"pm={org['regional_pm'].pk}" in page.locator("[data-export]").get_attribute("href")
    assert page.locator("#projects tbody tr").count() == 1
