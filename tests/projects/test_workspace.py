"""The project workspace (项目工作台): a header with the state, every phase, key facts and the next
action; tabs with their own URLs that htmx swaps without a full page; buttons that cannot act
say why; and a page whose query count stays bounded."""

import re

import pytest
from django.urls import reverse

from projects import services, workspace
from projects.models import DeliveryTask, Project, RequirementItem
from tests.helpers import count_queries
from tests.walk import acceptance_documents, hold_training, ready_for_handover, to_acceptance

pytestmark = pytest.mark.django_db

BUILT_IN = ("overview", "requirements", "tasks", "product-requests", "documents", "weekly", "team", "history")
# what each tab's fragment shows, so a test can tell the right one arrived
MARKERS = {
    "overview": 'id="gate"',
    "requirements": 'id="requirements"',
    "tasks": 'id="tasks"',
    "product-requests": 'id="product-requests"',
    "documents": 'id="documents"',
    "weekly": 'id="weekly"',
    "team": 'id="team"',
    "history": 'id="history"',
}
HTMX = {"HTTP_HX_REQUEST": "true"}


def _tab(project, slug):
    return reverse("projects:tab", args=[project.pk, slug])


def _move(project, actor, *actions):
    for action in actions:
        project = services.project_transition(project=project, actor=actor, action=action, comment="原因")
    return project


def _button(body, label):
    """The <button> (or link) that says `label`, and the text right after it up to its block's end."""
    match = re.search(rf"<(button|a)\b([^>]*)>{re.escape(label)}</(button|a)>(.*?)</(form|div)>", body, re.S)
    assert match, label
    return match.group(2), match.group(4)


def test_the_tabs_are_in_order_each_with_its_own_url(client, org, project):
    client.force_login(org["regional_pm"])
    body = client.get(project.get_absolute_url()).content.decode()
    labels = re.findall(r'role="tab" id="tab-[^"]+" data-tab="([^"]+)"', body)
    assert labels[: len(BUILT_IN)] == list(BUILT_IN)
    assert f'href="{project.get_absolute_url()}"' in body  # 概览 stays at the project's own URL
    for slug in BUILT_IN[1:]:
        assert f'href="{_tab(project, slug)}" hx-get="{_tab(project, slug)}"' in body


@pytest.mark.parametrize("slug", BUILT_IN)
def test_every_tab_is_a_whole_page_and_an_htmx_fragment(client, org, project, slug):
    client.force_login(org["regional_pm"])
    full = client.get(_tab(project, slug))
    body = full.content.decode()
    assert full.status_code == 200 and "<html" in body and MARKERS[slug] in body
    assert 'id="phase-bar"' in body and 'id="next-action"' in body  # the header
    assert re.search(rf'data-tab="{slug}" aria-selected="true"', body)

    fragment = client.get(_tab(project, slug), **HTMX)
    part = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in part and "<body" not in part
    assert MARKERS[slug] in part and 'id="phase-bar"' not in part
    # the tab bar comes along out of band, with the chosen tab marked
    assert 'id="ws-tabs" role="tablist" aria-label="项目工作台" hx-swap-oob="true"' in part
    assert re.search(rf'data-tab="{slug}" aria-selected="true"', part)
    assert fragment["Vary"] and "HX-Request" in fragment["Vary"]


def test_the_overview_answers_at_the_project_url_and_at_its_slug(client, org, project):
    client.force_login(org["regional_pm"])
    for url in (project.get_absolute_url(), _tab(project, "overview")):
        response = client.get(url)
        assert response.status_code == 200 and MARKERS["overview"] in response.content.decode()


def test_back_button_history_restore_gets_the_whole_page(client, org, project):
    client.force_login(org["regional_pm"])
    response = client.get(_tab(project, "team"), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in response.content.decode()


def test_someone_who_may_not_see_the_project_gets_404_on_every_tab(client, org, project):
    client.force_login(org["regional_pm_south"])
    assert client.get(project.get_absolute_url()).status_code == 404
    for slug in BUILT_IN:
        assert client.get(_tab(project, slug)).status_code == 404
        assert client.get(_tab(project, slug), **HTMX).status_code == 404
    client.force_login(org["regional_pm"])
    assert client.get(_tab(project, "no-such-tab")).status_code == 404


EXTRA_TAB = '<section id="milestones">里程碑：{{ milestone_note }}</section>'


@pytest.fixture
def extra_tab(settings):
    """A tab another subject registers (as plan, risks, changes… do from their AppConfig), under a
    slug no app of the project takes."""
    engine = dict(settings.TEMPLATES[0])
    options = dict(engine.get("OPTIONS", {}))
    options["loaders"] = [
        ("django.template.loaders.locmem.Loader", {"tests/extra_tab.html": EXTRA_TAB}),
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
    engine.update(OPTIONS=options, APP_DIRS=False)
    settings.TEMPLATES = [engine, *settings.TEMPLATES[1:]]
    tab = workspace.Tab(
        slug="milestones",
        label="里程碑",
        order=90,
        template="tests/extra_tab.html",
        context=lambda request, project: {"milestone_note": f"{project.code} 的里程碑"},
        visible=lambda user, project: user.username != "implementer",
        count=lambda user, project: 3,
    )
    workspace.register(tab)
    yield tab
    workspace.unregister("milestones")


def test_a_tab_another_app_registers_shows_in_the_bar_and_renders_inside(client, org, project, extra_tab):
    client.force_login(org["regional_pm"])
    body = client.get(project.get_absolute_url()).content.decode()
    assert re.search(
        r'data-tab="history".*data-tab="milestones"[^>]*>里程碑 <span class="tab-count">3</span>', body, re.S
    )
    page = client.get(_tab(project, "milestones")).content.decode()
    assert "<html" in page and 'id="phase-bar"' in page and f"里程碑：{project.code} 的里程碑" in page
    fragment = client.get(_tab(project, "milestones"), **HTMX).content.decode()
    assert "<html" not in fragment and f"里程碑：{project.code} 的里程碑" in fragment
    # a tab its subject hides from someone is neither in the bar nor at its URL
    client.force_login(org["implementer"])
    assert 'data-tab="milestones"' not in client.get(project.get_absolute_url()).content.decode()
    assert client.get(_tab(project, "milestones")).status_code == 404


# -- the header ---------------------------------------------------------------------------------


def test_the_phase_bar_shows_every_phase_with_the_current_one_marked(client, org, confirmed):
    project = _move(confirmed, org["regional_pm"], "start_requirements", "start_implementation")
    client.force_login(org["regional_pm"])
    body = client.get(project.get_absolute_url()).content.decode()
    bar = re.search(r'<ol class="phase-bar".*?</ol>', body, re.S).group(0)
    phases = re.findall(r'<li class="phase-(\w+)"[^>]*>(?:<span[^>]*>✓</span>)?([^<]+)', bar)
    labels = ["已立项", "需求确认", "实施中", "试运行", "已上线", "验收", "移交中", "运维", "已关闭"]
    assert [label for _, label in phases] == labels
    assert [status for status, _ in phases] == ["done", "done", "current"] + ["todo"] * 6


def test_a_suspended_project_marks_the_phase_it_resumes_in(client, org, confirmed):
    project = _move(confirmed, org["regional_pm"], "start_requirements", "suspend")
    client.force_login(org["regional_pm"])
    body = client.get(project.get_absolute_url()).content.decode()
    current = r'<li class="phase-current" aria-current="step">需求确认 <span class="phase-marker">已暂停</span>'
    assert re.search(current, body)
    attrs, _ = _button(body, "恢复项目")
    assert "disabled" not in attrs


def test_key_facts_and_the_next_action_for_the_pm(client, org, project):
    client.force_login(org["regional_pm"])
    body = client.get(project.get_absolute_url()).content.decode()
    head = re.search(r'<header class="ws-head.*?</header>', body, re.S).group(0)
    for text in (project.code, project.customer_name, "北方", "本地化项目", "郑北辰", project.registration.number):
        assert text in head, text
    assert 'name="action" value="start_requirements"' in head and ">开始需求确认</button>" in head


def test_someone_else_sees_who_the_project_waits_on(client, org, project):
    client.force_login(org["implementer"])
    body = client.get(project.get_absolute_url()).content.decode()
    assert "等待 项目经理 郑北辰：开始需求确认" in body
    assert f'action="{reverse("projects:transition", args=[project.pk])}"' not in body


# -- buttons that cannot act say why --------------------------------------------------------------


def test_entering_implementation_is_disabled_until_the_requirements_gate_holds(client, org, project, upload):
    pm = org["regional_pm"]
    project = _move(project, pm, "start_requirements")
    services.requirement_add(project=project, actor=pm, title="与 OA 对接", description="", classification="")
    client.force_login(pm)
    body = client.get(project.get_absolute_url()).content.decode()
    attrs, after = _button(body, "进入实施")
    assert "disabled" in attrs and "需求确认单尚未确认" in after and "需求条目尚未分类：与 OA 对接" in after
    gate = re.search(r'<section class="card" id="gate">.*?</section>', body, re.S).group(0)
    assert re.search(r'class="missing">.*?需求确认单已确认', gate, re.S)
    # the header's next action is the same button, disabled, with the same reasons as text
    head = re.search(r'<div class="ws-next" id="next-action">.*?</div>\s*</div>', body, re.S).group(0)
    assert "disabled" in head and "需求确认单尚未确认" in head

    upload(project, "requirement-confirmation")
    services.requirements_confirm(project=project, actor=pm)
    item = project.requirements.get()
    services.requirement_update(item=item, actor=pm, classification="standard", status=item.status, follow_up="")
    body = client.get(project.get_absolute_url()).content.decode()
    attrs, after = _button(body, "进入实施")
    assert "disabled" not in attrs and "需求确认单尚未确认" not in after
    gate = re.search(r'<section class="card" id="gate">.*?</section>', body, re.S).group(0)
    assert 'class="missing"' not in gate and gate.count('class="ok"') == 4


def test_going_live_and_terminating_say_which_document_is_missing(client, org, confirmed, upload):
    pm = org["regional_pm"]
    project = _move(confirmed, pm, "start_requirements", "start_implementation", "start_trial_run")
    client.force_login(pm)
    body = client.get(project.get_absolute_url()).content.decode()
    attrs, after = _button(body, "正式上线")
    assert "disabled" in attrs and "缺少《项目试运行确认单》" in after
    attrs, after = _button(body, "试运行不被认可，终止项目")
    assert "disabled" in attrs and "须先上传《试运行分析报告》" in after
    upload(project, "trial-run-confirmation")
    attrs, after = _button(client.get(project.get_absolute_url()).content.decode(), "正式上线")
    # the customer's training comes before go-live too
    assert "disabled" in attrs and "缺少《项目试运行确认单》" not in after and "客户培训尚未完成" in after
    hold_training(project, pm)
    attrs, _ = _button(client.get(project.get_absolute_url()).content.decode(), "正式上线")
    assert "disabled" not in attrs


def test_handing_over_lists_the_missing_acceptance_documents(client, org, confirmed, upload):
    pm = org["regional_pm"]
    wanted = acceptance_documents(Project(size="small"))
    project = to_acceptance(
        org, confirmed, upload, size="small", skip=[c for c in wanted if c != "user-acceptance-report"]
    )
    client.force_login(pm)
    body = client.get(project.get_absolute_url()).content.decode()
    attrs, after = _button(body, "提交移交")
    assert "disabled" in attrs and "验收资料不全，缺少：" in after and "《用户验收报告》" not in after
    assert "《安装验收报告》" in after  # a small project's own acceptance document
    gate = re.search(r'<section class="card" id="gate">.*?</section>', body, re.S).group(0)
    # one row per document of a small project, only the uploaded one done; the report's approval too
    assert gate.count('class="ok"') == 1 and gate.count('class="missing"') == len(wanted) - 1 + 1
    assert re.search(r'class="missing">.*?验收报告尚未经 CM 工程师和客户服务部审批通过', gate, re.S)


def test_confirming_requirements_waits_for_the_signed_form(client, org, project, upload):
    client.force_login(org["regional_pm"])
    body = client.get(_tab(project, "requirements")).content.decode()
    attrs, after = _button(body, "确认需求")
    assert "disabled" in attrs and "尚未上传《需求确认单》" in after
    upload(project, "requirement-confirmation")
    attrs, _ = _button(client.get(_tab(project, "requirements")).content.decode(), "确认需求")
    assert "disabled" not in attrs


def test_a_suspended_project_shows_why_no_task_or_product_request_can_start(client, org, confirmed):
    project = _move(confirmed, org["regional_pm"], "suspend")
    client.force_login(org["regional_pm"])
    attrs, after = _button(client.get(_tab(project, "tasks")).content.decode(), "指派任务")
    assert "disabled" in attrs and "项目已暂停，不再接受新的实施任务与产品领取单" in after
    attrs, after = _button(client.get(_tab(project, "product-requests")).content.decode(), "提交产品领取单")
    assert "disabled" in attrs and "项目已暂停" in after


# -- forms in tabs --------------------------------------------------------------------------------


def test_a_form_goes_back_to_its_tab_and_a_refusal_shows_that_tab_with_what_was_typed(client, org, project):
    client.force_login(org["regional_pm"])
    url = reverse("projects:requirement_add", args=[project.pk])
    response = client.post(url, {"title": "与自建 OA 对接", "description": "", "classification": "standard"})
    assert response.status_code == 302 and response["Location"] == _tab(project, "requirements")
    response = client.post(url, {"title": "", "description": "只写了描述", "classification": "standard"})
    body = response.content.decode()
    assert response.status_code == 200 and re.search(r'data-tab="requirements" aria-selected="true"', body)
    assert "只写了描述" in body and "需求" in body

    report = {"last_week": "部署", "this_week": "联调"}
    response = client.post(reverse("projects:weekly_report", args=[project.pk]), report)
    assert response["Location"] == _tab(project, "weekly")


# -- query count ----------------------------------------------------------------------------------


def _add_rows(org, project, n):
    RequirementItem.objects.bulk_create(
        [RequirementItem(project=project, title=f"需求{i}", created_by=org["regional_pm"]) for i in range(n)]
    )
    DeliveryTask.objects.bulk_create(
        [DeliveryTask(project=project, type="other", title=f"任务{i}", assignee=org["implementer"]) for i in range(n)]
    )


@pytest.mark.parametrize("username", ["regional_pm", "project_director", "implementer"])
def test_every_tab_stays_within_twenty_queries_whatever_its_rows(client, org, project, username):
    _add_rows(org, project, 2)
    client.force_login(org[username])
    client.get(project.get_absolute_url())  # warm the content-type cache
    small = {slug: count_queries(lambda slug=slug: client.get(_tab(project, slug))) for slug in BUILT_IN}
    _add_rows(org, project, 25)
    for slug in BUILT_IN:
        many = count_queries(lambda slug=slug: client.get(_tab(project, slug)))
        assert many == small[slug], slug
        assert many <= 20, (slug, many)
        assert count_queries(lambda slug=slug: client.get(_tab(project, slug), **HTMX)) <= many


def test_a_project_in_handover_says_who_it_waits_on(client, org, confirmed, upload):
    from aftersales import services as aftersales_services

    pm = org["regional_pm"]
    project = ready_for_handover(org, confirmed, upload)
    aftersales_services.handover_submit(project=project, actor=pm, note="请接收")
    client.force_login(pm)
    body = client.get(project.get_absolute_url()).content.decode()
    assert "等待 系统服务部：审核移交材料" in body
    assert re.search(r'<li class="phase-current" aria-current="step">移交中', body)
    assert 'name="action"' not in re.search(r'id="next-action">.*?</header>', body, re.S).group(0)


def test_the_checklist_never_shows_a_gate_open_that_the_service_keeps_shut(org, project, monkeypatch):
    from projects import gates

    project = _move(project, org["regional_pm"], "start_requirements")
    rows = gates.gate_checklist(project, "start_implementation")
    assert [r["done"] for r in rows] == [False, True, True, True]
    assert [r["detail"] for r in rows if not r["done"]] == gates.gate_missing(project, "start_implementation")
    # a requirement the gate enforces but the checklist has no row of its own for is listed as missing
    original = gates.gate_missing
    monkeypatch.setattr(gates, "gate_missing", lambda *a, **k: [*original(*a, **k), "总监尚未审阅需求清单"])
    rows = gates.gate_checklist(project, "start_implementation")
    assert rows[-1] == {"label": "总监尚未审阅需求清单", "done": False, "detail": ""}
    assert sum(not r["done"] for r in rows) == 2


def test_the_overview_with_a_gate_to_check_stays_within_twenty_queries(client, org, project):
    pm = org["regional_pm"]
    project = _move(project, pm, "start_requirements")
    for i, classification in enumerate(("", "custom_out_of_contract", "standard")):
        services.requirement_add(
            project=project, actor=pm, title=f"需求{i}", description="", classification=classification
        )
    client.force_login(pm)
    client.get(project.get_absolute_url())
    body = client.get(project.get_absolute_url()).content.decode()
    assert "需求条目尚未分类：需求0" in body and "合同外定制需求须由责任销售发起定制化任务申请" in body
    assert count_queries(lambda: client.get(project.get_absolute_url())) <= 20
