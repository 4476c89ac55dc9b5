import pytest

from projects import services as project_services
from tests.projects.conftest import dispatched, project, upload  # noqa: F401  (shared fixtures)
from tests.walk import ready_for_handover


def _to_acceptance(org, project, upload):  # noqa: F811
    pm = org["regional_pm"]
    upload(project, "requirement-confirmation")
    project_services.requirements_confirm(project=project, actor=pm)
    return ready_for_handover(org, project, upload)


@pytest.fixture
def accepted(org, project, upload):  # noqa: F811
    """A local project in acceptance with its documents and its acceptance report approved."""
    return _to_acceptance(org, project, upload)


@pytest.fixture
def accepted_saas(org, dispatched, upload):  # noqa: F811
    """A SaaS project, initiated by customer success, in acceptance, ready to hand over."""
    from registrations.models import Kind

    saas = project_services.project_initiate(
        registration=dispatched(kind=Kind.SAAS),
        actor=org["cs_manager"],
        name="",
        overview="",
        svn_path="",
        feasibility="可行",
        risk="可控",
        pm=org["regional_pm"],
    )
    return _to_acceptance(org, saas, upload)


@pytest.fixture
def ticket_for(org, project):  # noqa: F811
    """File a 问题申报单 on the project, reported at the given time."""
    from aftersales import services
    from aftersales.models import Ticket

    def make(reported_at, **extra):
        data = {
            "subject": "签章服务无法登录", "reporting_unit": "某某地铁信息中心", "reporter": "张工",
            "reported_at": reported_at, "channel": Ticket.Channel.PHONE, "description": "所有用户登录报错 500",
            **extra,
        }  # fmt: skip
        return services.ticket_create(project=project, actor=org["aftersales"], data=data)

    return make
