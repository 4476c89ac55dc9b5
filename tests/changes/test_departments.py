"""The pages of 商务管理部, 产品管理部 and 研发: each department's queue of waiting steps and its
figures (waiting, overdue, done this month), here as a product defect moves between them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from changes import services

from .conftest import BUG

pytestmark = pytest.mark.django_db


def _page(client, user, code):
    client.force_login(user)
    return client.get(reverse(f"approvals:department_{code}"))


def _figure(html, name):
    marker = f'data-figure="{name}">'
    return int(html.split(marker, 1)[1].split("<", 1)[0])


def test_a_product_defect_shows_in_the_queue_of_the_department_it_waits_on(client, org, live):
    bug = services.bug_file(project=live, actor=org["implementer"], data=BUG)
    bug = services.bug_confirm(bug=bug, actor=org["regional_pm"], decision="product")
    page = _page(client, org["product_dept"], "product").content.decode()
    assert bug.number in page and "产品管理部核实产品缺陷" in page
    assert (_figure(page, "waiting"), _figure(page, "done_month")) == (1, 0)
    assert bug.number not in _page(client, org["rd_expert"], "rd").content.decode()

    services.bug_product_verify(bug=bug, actor=org["product_dept"], is_product=True, note="可复现")
    page = _page(client, org["product_dept"], "product").content.decode()
    assert bug.number not in page
    assert (_figure(page, "waiting"), _figure(page, "done_month")) == (0, 1)
    page = _page(client, org["rd_expert"], "rd").content.decode()
    assert bug.number in page and _figure(page, "waiting") == 1
    # the director oversees every department's queue
    assert bug.number in _page(client, org["project_director"], "rd").content.decode()


def test_a_step_past_its_due_time_counts_as_overdue(client, org, live):
    from approvals.models import Task

    bug = services.bug_file(project=live, actor=org["implementer"], data=BUG)
    services.bug_confirm(bug=bug, actor=org["regional_pm"], decision="product")
    Task.objects.filter(step="bug.product_verify").update(due_at=timezone.now() - timedelta(days=1))
    page = _page(client, org["product_dept"], "product").content.decode()
    assert _figure(page, "overdue") == 1 and "已超时" in page


def test_a_department_page_is_closed_to_others(client, org):
    assert _page(client, org["implementer"], "product").status_code == 403
    assert _page(client, org["product_dept"], "business").status_code == 403
    assert _page(client, org["business_approver"], "business").status_code == 200


def test_the_queues_total_is_the_waiting_figure_read_once_and_a_keyword_counts_its_own(client, org, live, settings):
    """The figures are one statement, kept between views; the queue's total is the 等待 figure
    itself (not counted again), unless a keyword narrows the queue: then the total is what the
    keyword finds."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PMIS_LAYOUT_CACHE = "default"  # the layout kept, as on any page but the first
    cache.clear()

    first = services.bug_file(project=live, actor=org["implementer"], data=BUG)
    services.bug_confirm(bug=first, actor=org["regional_pm"], decision="product")
    second = services.bug_file(project=live, actor=org["implementer"], data={**BUG, "title": "另一个缺陷"})
    services.bug_confirm(bug=second, actor=org["regional_pm"], decision="product")

    def figures_counted(ctx):  # the figures' statement (its 本月完成 reads closed_at)
        return sum("COUNT(" in q["sql"] and '"closed_at" >=' in q["sql"] for q in ctx.captured_queries)

    with CaptureQueriesContext(connection) as ctx:
        page = _page(client, org["product_dept"], "product").content.decode()  # signed in: counts
    assert _figure(page, "waiting") == 2 and "共 2 条" in page
    assert figures_counted(ctx) == 1
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("approvals:department_product")).content.decode()
    assert _figure(page, "waiting") == 2 and "共 2 条" in page
    assert sum("COUNT(" in q["sql"] for q in ctx.captured_queries) == 0  # the figures kept
    with CaptureQueriesContext(connection) as ctx:
        narrowed = client.get(reverse("approvals:department_product"), {"q": "另一个缺陷"}).content.decode()
    assert _figure(narrowed, "waiting") == 2 and "共 1 条" in narrowed
    assert sum("COUNT(" in q["sql"] for q in ctx.captured_queries) == 1  # the keyword's own


def test_a_huge_queues_figures_are_counted_no_further_than_the_limit(client, org, live, settings):
    """A department's figures read "N+" past PMIS_FIGURE_COUNT_LIMIT (a million waiting steps cost
    what the limit does); the queue is then paged as the inbox is, its own total bounded."""
    settings.PMIS_FIGURE_COUNT_LIMIT = 1
    for title in ("批量签章偶发超时", "另一个缺陷"):
        bug = services.bug_file(project=live, actor=org["implementer"], data={**BUG, "title": title})
        services.bug_confirm(bug=bug, actor=org["regional_pm"], decision="product")
    page = _page(client, org["product_dept"], "product").content.decode()
    assert 'data-figure="waiting">1+<' in page and 'data-figure="done_month">0<' in page
    assert '产品管理部待办 <span class="muted">（2）</span>' in page and "共 2 条" in page
    assert "超过 1 条显示为 1+" in page


def test_a_queue_longer_than_a_page_shows_its_exact_total_from_the_figure(client, org, live, settings):
    settings.PMIS_LIST_PAGE_SIZE = 1
    for title in ("批量签章偶发超时", "另一个缺陷", "第三个缺陷"):
        bug = services.bug_file(project=live, actor=org["implementer"], data={**BUG, "title": title})
        services.bug_confirm(bug=bug, actor=org["regional_pm"], decision="product")
    page = _page(client, org["product_dept"], "product").content.decode()
    assert 'data-figure="waiting">3<' in page and '产品管理部待办 <span class="muted">（3）</span>' in page
    assert "共 3 条，第 1 / 3 页" in page
    last = client.get(reverse("approvals:department_product"), {"page": 3}).content.decode()
    assert "共 3 条，第 3 / 3 页" in last and 'rel="next"' not in last
