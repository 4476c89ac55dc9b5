"""The navigation: one list of every page a person can open from the side bar, each with the
role groups or permission it needs. An entry whose page is not installed is left out."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from pmis.org.selectors import user_role_codes


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    section: str
    roles: frozenset[str] | None = None  # any of these groups; None means everyone signed in
    permission: str | None = None
    superuser_only: bool = False
    badge: str | None = None  # a key of the layout's counts


def _roles(*codes: str) -> frozenset[str]:
    return frozenset(codes)


SECTIONS = ("工作", "实施登记", "项目", "售后", "客户成功", "平台运维", "部门", "目录", "管理")
OVERSEERS = ("project_director", "executive")  # see every department's queue

NAV: tuple[NavItem, ...] = (
    NavItem("工作台", "home", "工作"),
    NavItem("我的待办", "approvals:inbox", "工作", badge="inbox"),
    NavItem("抄送我的", "approvals:copied", "工作"),
    NavItem("代理审批", "approvals:delegations", "工作"),
    NavItem("通知", "notify:list", "工作"),
    NavItem("新建登记", "registrations:new", "实施登记", roles=_roles("sales")),
    NavItem("我的登记", "registrations:mine", "实施登记", roles=_roles("sales", "presales", "sales_manager")),
    NavItem(
        "登记审批",
        "registrations:queue",
        "实施登记",
        roles=_roles(
            "sales_manager", "special_approver", "business_approver", "project_director", "cs_manager", "regional_pm"
        ),
    ),
    NavItem(
        "我的项目",
        "projects:mine",
        "项目",
        roles=_roles("regional_pm", "implementer", "sales", "project_director", "cs_manager", "presales"),
    ),
    NavItem(
        "全部项目",
        "projects:all",
        "项目",
        roles=_roles("project_director", "regional_pm", "cs_manager", "cm_engineer", "executive"),
    ),
    NavItem("周报缺报", "projects:weekly_missing", "项目", roles=_roles("project_director")),
    NavItem("满意度调查", "delivery:surveys", "项目", roles=_roles("marketing", "project_director")),
    NavItem("项目新闻", "projects:news", "项目"),
    NavItem(
        "售后问题",
        "aftersales:tickets",
        "售后",
        roles=_roles("aftersales", "aftersales_manager", "cs_staff", "cs_head", "regional_pm"),
    ),
    NavItem(
        "登记问题",
        "aftersales:ticket_new",
        "售后",
        roles=_roles("aftersales", "aftersales_manager", "cs_staff", "cs_head"),
    ),
    NavItem(
        "SLA 指标",
        "aftersales:metrics",
        "售后",
        roles=_roles("aftersales_manager", "aftersales", "cs_head", "project_director"),
    ),
    NavItem(
        "云产品下单",
        "success:orders",
        "客户成功",
        roles=_roles(
            "sales", "business_approver", "cs_manager", "cs_head", "cs_staff", "cs_ops", "cs_support", "product_dept"
        ),
    ),
    NavItem("运营客服组", "success:ops", "客户成功", roles=_roles("cs_ops", "cs_head", "cs_manager", "cs_staff")),
    NavItem(
        "售后支持组", "success:support", "客户成功", roles=_roles("cs_support", "cs_head", "cs_manager", "cs_staff")
    ),
    NavItem(
        "授权台账",
        "success:licences",
        "客户成功",
        roles=_roles("cs_ops", "cs_support", "cs_head", "cs_manager", "cs_staff", "product_dept", "business_approver"),
    ),
    NavItem("商务管理部", "approvals:department_business", "部门", roles=_roles("business_approver", *OVERSEERS)),
    NavItem("产品管理部", "approvals:department_product", "部门", roles=_roles("product_dept", *OVERSEERS)),
    NavItem("研发", "approvals:department_rd", "部门", roles=_roles("rd_expert", *OVERSEERS)),
    NavItem(
        "云端部署",
        "platformops:deployments",
        "平台运维",
        roles=_roles("platform_ops", "platform_manager", "special_approver", "project_director", "regional_pm"),
    ),
    NavItem(
        "突发事件",
        "operations:incidents",
        "售后",
        roles=_roles("aftersales", "aftersales_manager", "cs_staff", "cs_head", "emergency_team", "regional_pm"),
    ),
    NavItem(
        "长假值班",
        "operations:duty",
        "售后",
        roles=_roles("aftersales", "aftersales_manager", "cs_staff", "cs_head", "emergency_team"),
    ),
    NavItem("知识库", "knowledge:articles", "售后"),
    NavItem(
        "BUG 清单",
        "changes:bug_month",
        "售后",
        roles=_roles(
            "regional_pm",
            "aftersales",
            "aftersales_manager",
            "project_director",
            "requirement_lead",
            "quality",
            "product_dept",
            "rd_expert",
        ),
    ),
    NavItem("产品目录", "catalog:products", "目录", permission="catalog.view_product"),
    NavItem("表单目录", "catalog:document_types", "目录", permission="catalog.view_documenttype"),
    NavItem("通讯录", "org:directory", "目录"),
    NavItem("接口令牌", "api:tokens", "目录"),
    NavItem("产品目录维护", "catalog:products_maintain", "管理", permission="catalog.change_product"),
    NavItem("系统管理", "admin:index", "管理", superuser_only=True),
)


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def nav_for(user) -> list[dict]:
    """Sections with the items this user may open, in the order of NAV."""
    if not user.is_authenticated:
        return []
    roles = user_role_codes(user)
    sections: dict[str, list[dict]] = {}
    for item in NAV:
        if item.superuser_only and not user.is_superuser:
            continue
        if item.roles is not None and not (user.is_superuser or roles & item.roles):
            continue
        if item.permission is not None and not user.has_perm(item.permission):
            continue
        url = _url(item.url_name)
        if url is None:
            continue
        sections.setdefault(item.section, []).append({"label": item.label, "url": url, "badge": item.badge})
    return [{"title": title, "items": sections[title]} for title in SECTIONS if title in sections]
