"""The dashboard cards on the 工作台: which role sees which card, and what fills it. A card is
one partial (templates/dashboards/cards/<code>.html) and one selector taking the user. Its
figures are kept between views (dashboards/cache.py): `scope` says whose they are — "role" when
the selector counts the same for everyone holding the card's role (a project director, an
after-sales manager, a customer-success head sees every project and ticket), "person" when it
counts the viewer's own inbox, "projects" when it counts the projects the viewer may open (the
same for everyone who may open them all, his own otherwise). A card also shown on a page of its
own names who else may see it there (`also_for`): 市场部 sees the satisfaction card above its
list of surveys."""

from collections.abc import Callable
from dataclasses import dataclass

from planning import dashboard as planning_dashboard
from pmis.org.selectors import user_role_codes

from .selectors import approvals, delivery, service, success


def _satisfaction(user) -> dict:
    from delivery.selectors import satisfaction_averages

    return satisfaction_averages(user)


def _lists_surveys(user) -> bool:
    from delivery.selectors import surveys_can_list

    return surveys_can_list(user)


@dataclass(frozen=True)
class Card:
    code: str
    role: str
    title: str
    build: Callable
    scope: str = "role"  # role | person | projects
    also_for: Callable | None = None  # who else may see it, on a page of its own

    @property
    def template(self) -> str:
        return f"dashboards/cards/{self.code}.html"

    def may_view(self, user) -> bool:
        return self.role in user_role_codes(user) or (self.also_for is not None and self.also_for(user))


# also above 市场部's list of surveys (delivery.views.surveys)
SATISFACTION = Card(
    "satisfaction",
    "project_director",
    "客户满意度（按区域、项目经理）",
    _satisfaction,
    scope="projects",
    also_for=_lists_surveys,
)

CARDS: tuple[Card, ...] = (
    Card("pipeline", "project_director", "项目管道", delivery.pipeline),
    Card("stuck", "project_director", "卡在关口的项目", delivery.stuck_at_gates),
    Card("weekly", "project_director", "周报覆盖率", delivery.weekly_coverage),
    Card("handovers", "project_director", "项目移交", delivery.handovers),
    Card("health", "project_director", "项目健康度与主要风险", planning_dashboard.health_card),
    SATISFACTION,
    Card("special", "special_approver", "待我特批", approvals.special_waiting, scope="person"),
    Card("business_queue", "business_approver", "审批队列时长", approvals.business_queue, scope="person"),
    Card("outsourcing", "business_approver", "外采未办结", approvals.outsourcing_open),
    Card("sla_trend", "aftersales_manager", "SLA 达成趋势", service.sla_trend),
    Card("open_tickets", "aftersales_manager", "未关闭问题", service.open_tickets),
    Card("breaches", "aftersales_manager", "SLA 超时（按区域、处理人）", service.breaches),
    Card("cs_handovers", "cs_head", "待处理的移交", success.handovers_waiting, scope="person"),
    Card("saas", "cs_head", "在服 SaaS 客户", success.saas_in_service),
)


def cards_for(user) -> list[dict]:
    """The cards of the roles this user holds, filled. Role groups decide, not the superuser
    flag: the system administrator steers nothing."""
    from .cache import filled

    roles = user_role_codes(user)
    return filled([card for card in CARDS if card.role in roles], user)
