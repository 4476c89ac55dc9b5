from datetime import timedelta

import pytest
from django.utils import timezone

from planning.plan import plan_item_add
from planning.risks import risk_raise

pytestmark = pytest.mark.django_db


def test_the_directors_card_and_the_project_list_show_health_and_top_risks(client, project, pm, org):
    today = timezone.localdate()
    plan_item_add(project=project, actor=pm, name="部署", planned_start=today - timedelta(days=9),
                  planned_end=today - timedelta(days=2))  # fmt: skip
    risk_raise(project=project, actor=pm, source="commercial", description="回款节点与验收不匹配", probability=3,
               impact=3, strategy="mitigate", owner=pm)  # fmt: skip
    client.force_login(org["project_director"])
    home = client.get("/").content.decode()
    assert 'id="dash-health"' in home and "回款节点与验收不匹配" in home and "1 个计划项延期" in home
    assert "延期：有计划项已过计划结束日期仍未完成" in home  # the formula is on the card
    listing = client.get("/projects/all/").content.decode()
    assert "health-late" in listing and "健康度：延期：" in listing


def test_the_overview_partial_lists_the_top_open_risks_highest_first(project, pm):
    from django.template.loader import render_to_string

    from planning.selectors import project_top_risks

    for description, p, i in (("低风险甲", 1, 1), ("高风险乙", 3, 3), ("中风险丙", 2, 2), ("低风险丁", 1, 1)):
        risk_raise(project=project, actor=pm, source="customer", description=description, probability=p, impact=i,
                   strategy="accept", owner=pm)  # fmt: skip
    top = project_top_risks(project)
    assert [r.description for r in top] == ["高风险乙", "中风险丙", "低风险甲"]
    html = render_to_string("planning/_top_risks.html", {"p": project, "top_risks": top})
    assert html.index("高风险乙") < html.index("中风险丙") and "低风险丁" not in html
