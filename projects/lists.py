"""The project lists (全部项目 / 我的项目, 项目新闻, 周报缺报) in the shared list pattern (pmis/lists.py).
Every sort is served by an index (named beside it)."""

from dataclasses import replace
from functools import partial

from django import forms
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from pmis.forms import region_filter_field
from pmis.html import conditional_escape
from pmis.lists import Column, ListSpec, Sort, figure_limit, row_url

from .models import ACTIVE_STATES, Project, State


def _with_health(projects: list, *, window: int | None = None) -> list:
    from planning.selectors import attach_health  # 项目健康度: computed from the plan and the risks

    detail = row_url("projects:detail")  # reversed once for the page, not once per row
    for project in projects:
        project.url = detail(project.pk)
    return attach_health(projects, window=window)


def projects_spec(window: int) -> ListSpec:
    """The project list with the health window read already: the page states the formula with
    the same window, read once for both."""
    return replace(PROJECTS, prepare=partial(_with_health, window=window))


_KIND_LABELS = dict(Project.Kind.choices)
_STATE_LABELS = dict(State.choices)


def project_rows(projects: list) -> SafeString:
    """The rows of 全部项目 / 我的项目 written in one pass: the template loop resolved some twenty
    variables per row, which was most of the page's time. Same markup as the template wrote."""
    esc = conditional_escape
    rows = []
    for p in projects:
        health = p.health
        rows.append(
            f'\n    <tr><td>{esc(p.code)}</td><td><a href="{esc(p.url)}">{esc(p.name)}</a></td>'
            f"<td>{esc(_KIND_LABELS.get(p.kind, p.kind))}</td><td>{esc(p.region)}</td>"
            f'<td><span class="state state-{esc(p.state)}">{esc(_STATE_LABELS.get(p.state, p.state))}</span></td>'
            f'<td><span class="health health-{esc(health.state)}" title="{"；".join(esc(r) for r in health.reasons)}">'
            f"{esc(health.label)}</span></td><td>{esc(p.pm) if p.pm else '—'}</td><td>{esc(p.basis or '—')}</td>"
            f"<td>{timezone.localtime(p.created_at):%Y-%m-%d}</td></tr>\n  "
        )
    return mark_safe("".join(rows))


def weekly_missing_rows(projects: list) -> SafeString:
    """The rows of 周报缺报 written in one pass (the detail URL reversed once for the page)."""
    esc = conditional_escape
    detail = row_url("projects:detail")
    rows = []
    for p in projects:
        pm = p.pm
        phone = pm.phone if pm is not None else ""
        call = f' <a class="muted" href="tel:{esc(phone)}">{esc(phone)}</a>' if phone else ""
        rows.append(
            f'<tr><td>{esc(p.code)}</td><td><a href="{detail(p.pk)}">{esc(p.name)}</a></td><td>{esc(p.region)}</td>'
            f"<td>{esc(_STATE_LABELS.get(p.state, p.state))}</td><td>{esc(pm)}{call}</td></tr>"
        )
    return mark_safe("".join(rows))


PROJECTS = ListSpec(
    title="项目列表",
    sorts={
        "code": Sort("项目编号", ("code",)),  # unique
        "name": Sort("项目名称", ("name", "id")),  # search_project_name
        "created": Sort("立项时间", ("created_at", "id")),  # project_recent
    },
    default_sort="-created",
    search_fields=("code", "name", "customer_name"),
    keyword_label="项目编号 / 名称 / 客户",
    columns=(
        Column("项目编号", lambda p: p.code),
        Column("项目名称", lambda p: p.name),
        Column("类别", lambda p: p.get_kind_display()),
        Column("客户", lambda p: p.customer_name),
        Column("区域", lambda p: p.region),
        Column("阶段", lambda p: p.get_state_display()),
        Column("健康度", lambda p: p.health.label),
        Column("项目经理", lambda p: p.pm or ""),
        Column("立项依据", lambda p: p.basis),
        Column("立项时间", lambda p: p.created_at),
    ),
    prepare=_with_health,
    count_limit=figure_limit,  # a long list: counted as far as the departments' figures
)


class NewsFilterForm(forms.Form):
    region = region_filter_field(help_text="新闻所属项目的区域")


NEWS = ListSpec(
    title="项目新闻",
    sorts={"created": Sort("发布时间", ("created_at", "id"))},  # created_at (db_index)
    default_sort="-created",
    search_fields=("title", "body", "project__code", "project__name"),
    keyword_label="标题 / 内容 / 项目",
    columns=(
        Column("标题", lambda n: n.title),
        Column("内容", lambda n: n.body),
        Column("项目编号", lambda n: n.project.code if n.project else ""),
        Column("项目名称", lambda n: n.project.name if n.project else ""),
        Column("发布人", lambda n: n.author or "系统"),
        Column("发布时间", lambda n: n.created_at),
    ),
)


class WeeklyMissingFilterForm(forms.Form):
    region = region_filter_field()
    state = forms.ChoiceField(
        label="阶段",
        required=False,
        choices=[("", "全部阶段"), *[(s, State(s).label) for s in ACTIVE_STATES]],
        error_messages={"invalid_choice": "没有“%(value)s”这个阶段"},
    )


WEEKLY_MISSING = ListSpec(
    title="周报缺报",
    sorts={
        "code": Sort("项目编号", ("code",)),  # unique
        "name": Sort("项目名称", ("name", "id")),  # search_project_name
        # region_id, not "region" (which would sort by the region table and read every project):
        # the partial index project_active_with_pm holds this order
        "region": Sort("区域", ("region_id", "code")),
    },
    default_sort="region",
    search_fields=("code", "name", "customer_name", "pm__display_name"),
    keyword_label="项目编号 / 名称 / 客户 / 项目经理",
    columns=(
        Column("项目编号", lambda p: p.code),
        Column("项目名称", lambda p: p.name),
        Column("区域", lambda p: p.region),
        Column("阶段", lambda p: p.get_state_display()),
        Column("项目经理", lambda p: p.pm or ""),
        Column("项目经理手机号", lambda p: p.pm.phone if p.pm else ""),
    ),
)
