"""项目新闻 and 周报缺报 on the list pattern: the region filter in the URL, and who may see 缺报."""

import pytest
from django.urls import reverse

from pmis.org.models import Region
from projects.models import NewsItem, Project

pytestmark = pytest.mark.django_db


def test_news_is_filtered_by_the_projects_region(client, org, project):
    south = Project.objects.create(
        code="PJ2026-0900", name="广州某集团项目", kind="local", customer_name="广州某集团",
        region=Region.objects.get(code="south"),
    )  # fmt: skip
    NewsItem.objects.create(title="北方项目验收", project=project)
    NewsItem.objects.create(title="南方项目验收", project=south)
    client.force_login(org["implementer"])
    response = client.get(reverse("projects:news"), {"region": Region.objects.get(code="south").pk})
    assert [n.title for n in response.context["page"]] == ["南方项目验收"]
    assert "区域" in response.content.decode()
    refused = client.get(reverse("projects:news"), {"region": "999999"})
    assert refused.status_code == 400 and "没有这个区域" in refused.content.decode()


def test_only_directors_see_the_missing_reports(client, org, project):
    client.force_login(org["regional_pm"])
    assert client.get(reverse("projects:weekly_missing")).status_code == 403
    client.force_login(org["project_director"])
    response = client.get(reverse("projects:weekly_missing"), {"region": project.region.pk})
    assert project in list(response.context["page"])
    other = Region.objects.exclude(pk=project.region_id).first()
    assert project not in list(client.get(reverse("projects:weekly_missing"), {"region": other.pk}).context["page"])
