"""The PM builds a milestone plan in the 计划 tab, moves a predecessor and sees its dependant move
on the working calendar, raises a risk in the 风险 tab, and prints the Gantt. Screenshots at 1440
and 390 px go to test-artifacts/screenshots/."""

from datetime import date

import pytest
from django.urls import reverse

from planning.models import PlanItem, Risk
from planning.workdays import Workdays
from tests.browser.conftest import ARTIFACTS
from tests.dates import days_from_today
from tests.planning.conftest import project  # noqa: F401  (shared fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _add(page, name, start, end, predecessors=""):
    form = page.locator("#plan-add form")
    form.locator("[name=name]").fill(name)
    form.locator("[name=planned_start]").fill(start)
    form.locator("[name=planned_end]").fill(end)
    form.locator("[name=predecessors]").fill(predecessors)
    form.locator("[name=customer_owner]").fill("信息中心 张工")
    form.get_by_role("button", name="加入计划").click()
    page.wait_for_selector(".messages")


def _bar(page, item) -> tuple[float, float]:
    """Where an item's bar sits on the Gantt: its left edge and its width, in the chart's units."""
    bar = page.locator(f'svg.gantt .gantt-bar[data-item="{item.pk}"]')
    return float(bar.get_attribute("x")), float(bar.get_attribute("width"))


def test_build_a_plan_move_a_predecessor_raise_a_risk_and_print(page, live_server, login, project, org):  # noqa: F811
    days = Workdays()
    login(page, "regional_pm")
    page.goto(live_server.url + reverse("projects:tab", args=[project.pk, "plan"]))
    assert "尚无计划" in page.content()

    # 1. two items, the second after the first
    env_start = days.snap(date.fromisoformat(days_from_today(1)))
    env_end = days.shift(env_start, 2)
    _add(page, "测试环境部署", env_start.isoformat(), env_end.isoformat())
    joint_start = days.after(env_end)
    _add(page, "系统联调", joint_start.isoformat(), days.shift(joint_start, 3).isoformat(), "1")
    assert page.locator("svg.gantt .gantt-link").count() == 1
    assert page.locator("svg.gantt .gantt-bar.critical").count() == 2
    page.screens.shot("plan-built")

    # 2. the environment takes two more working days: 联调 moves with it, on the chart too
    env = PlanItem.objects.get(project=project, seq=1)
    joint = PlanItem.objects.get(project=project, seq=2)
    (env_x, env_w), (joint_x, _w) = _bar(page, env), _bar(page, joint)
    assert joint_x >= env_x + env_w
    page.get_by_role("link", name="修改「测试环境部署」").click()
    row = page.locator(f"#item-{env.pk} + tr.edit-row")
    row.locator("[name=planned_end]").fill(days.shift(env_end, 2).isoformat())
    row.get_by_role("button", name="保存（后续任务按工作日顺延）").click()
    page.wait_for_selector("text=后续 1 项已按工作日顺延")
    joint = PlanItem.objects.get(project=project, seq=2)
    assert joint.planned_start == days.shift(joint_start, 2)
    assert joint.planned_end == days.shift(joint_start, 5)
    assert days.count(joint.planned_start, joint.planned_end) == 4
    (moved_env_x, moved_env_w), (moved_joint_x, _w) = _bar(page, env), _bar(page, joint)
    assert moved_env_x == env_x and moved_env_w > env_w  # the predecessor is longer on the chart
    assert moved_joint_x > joint_x and moved_joint_x >= moved_env_x + moved_env_w  # and its dependant moved after it
    page.screens.shot("predecessor-moved")

    # 3. a risk in the 风险 tab
    page.goto(live_server.url + reverse("projects:tab", args=[project.pk, "risks"]))
    form = page.locator("#risk-add form")
    form.locator("[name=source]").select_option("customer")
    form.locator("[name=description]").fill("客户服务器到货晚于计划")
    form.locator("[name=probability]").select_option("3")
    form.locator("[name=impact]").select_option("3")
    form.locator("[name=strategy]").select_option("mitigate")
    form.get_by_role("button", name="登记风险").click()
    page.wait_for_selector("#risk-list .level-high")
    assert Risk.objects.get(project=project).get_level_display() == "高"
    page.screens.shot("risk-raised")

    # 4. print: the tab's print layout hides the forms, and the PDF carries the chart
    page.goto(live_server.url + reverse("projects:tab", args=[project.pk, "plan"]))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        page.screenshot(path=str(ARTIFACTS / f"planning-gantt-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), width
    page.emulate_media(media="print")
    assert not page.locator("#plan-add").is_visible()
    assert page.locator("svg.gantt").is_visible()
    page.screenshot(path=str(ARTIFACTS / "planning-gantt-print.png"), full_page=True)
    page.emulate_media(media="screen")
    response = page.request.get(live_server.url + reverse("planning:plan_pdf", args=[project.pk]))
    assert response.ok and response.body().startswith(b"%PDF")
    (ARTIFACTS / "planning-gantt.pdf").write_bytes(response.body())
