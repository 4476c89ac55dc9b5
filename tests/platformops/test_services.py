"""Cloud deployments (000 §3.8): 特批领导 of the region → 平台运维部经理 → 平台运维部 executes."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from approvals.errors import AlreadyDecided, DomainError
from approvals.selectors import inbox_for, open_tasks_for
from platformops import services
from platformops.models import CloudDeployment
from pmis.audit.models import AuditEntry
from tests.projects.conftest import dispatched, project  # noqa: F401

pytestmark = pytest.mark.django_db


def _execute(deployment, actor, **extra):
    today = timezone.localdate()
    data = {"servers": "cloud-01 10.1.2.3", "versions": "云签章 V5.2", "started_on": today - timedelta(days=1),
            "finished_on": today, **extra}  # fmt: skip
    return services.deployment_execute(deployment=deployment, actor=actor, **data)


@pytest.fixture
def requested(org, project):  # noqa: F811
    return services.deployment_request(
        project=project, actor=org["regional_pm"], kind=CloudDeployment.Kind.DEPLOY, reason="客户无服务器，部署至公司云"
    )


def test_a_deployment_goes_through_both_approvals_then_is_executed_and_recorded(org, requested):
    assert requested.state == CloudDeployment.State.PENDING_SPECIAL
    special = open_tasks_for(requested).get()
    assert special.group.name == "special_approver" and special.region == requested.project.region
    assert special in inbox_for(org["special_approver"]) and special not in inbox_for(org["special_approver_south"])

    d = services.deployment_decide(deployment=requested, actor=org["special_approver"], approve=True)
    assert d.state == CloudDeployment.State.PENDING_MANAGER and d.special_approved_by == org["special_approver"]
    assert open_tasks_for(d).get() in inbox_for(org["platform_manager"])

    d = services.deployment_decide(deployment=d, actor=org["platform_manager"], approve=True)
    assert d.state == CloudDeployment.State.PENDING_EXECUTION
    execute = open_tasks_for(d).get()
    assert execute in inbox_for(org["platform_ops"]) and execute.policy.code == "deployment-execution"

    d = _execute(d, org["platform_ops"])
    assert d.state == CloudDeployment.State.DONE and d.servers == "cloud-01 10.1.2.3" and d.versions == "云签章 V5.2"
    assert d.started_on == timezone.localdate() - timedelta(days=1) and d.executed_by == org["platform_ops"]
    assert AuditEntry.objects.filter(object_id=d.pk, action="deployment.execute").count() == 1
    assert org["regional_pm"].notifications.filter(kind="deployment_done").count() == 1


def test_execution_is_refused_without_the_special_approval(org, requested):
    with pytest.raises(DomainError, match="须经特批领导与平台运维部经理审批"):
        _execute(requested, org["platform_ops"])
    d = services.deployment_decide(deployment=requested, actor=org["special_approver"], approve=True)
    with pytest.raises(DomainError, match="须经特批领导与平台运维部经理审批"):
        _execute(d, org["platform_ops"])
    d.refresh_from_db()
    assert d.state == CloudDeployment.State.PENDING_MANAGER and d.servers == ""


def test_the_manager_cannot_approve_before_the_special_approver(org, requested):
    with pytest.raises(PermissionDenied, match="特批领导"):
        services.deployment_decide(deployment=requested, actor=org["platform_manager"], approve=True)
    with pytest.raises(PermissionDenied):
        services.deployment_decide(deployment=requested, actor=org["special_approver_south"], approve=True)


def test_the_database_refuses_a_record_executed_without_approvals(org, requested):
    CloudDeployment.objects.filter(pk=requested.pk).update(state=CloudDeployment.State.PENDING_MANAGER)
    with pytest.raises(IntegrityError), transaction.atomic():
        CloudDeployment.objects.filter(pk=requested.pk).update(state=CloudDeployment.State.DONE)


def test_a_rejection_needs_a_reason_and_ends_the_request(org, requested):
    with pytest.raises(DomainError, match="原因"):
        services.deployment_decide(deployment=requested, actor=org["special_approver"], approve=False)
    d = services.deployment_decide(
        deployment=requested, actor=org["special_approver"], approve=False, comment="本地部署"
    )
    assert d.state == CloudDeployment.State.REJECTED and not open_tasks_for(d).exists()
    assert org["regional_pm"].notifications.filter(kind="deployment_rejected").count() == 1
    with pytest.raises(AlreadyDecided):
        services.deployment_decide(deployment=d, actor=org["special_approver"], approve=True)


def test_only_platform_ops_executes_and_records_everything(org, requested):
    d = services.deployment_decide(deployment=requested, actor=org["special_approver"], approve=True)
    d = services.deployment_decide(deployment=d, actor=org["platform_manager"], approve=True)
    with pytest.raises(PermissionDenied):
        _execute(d, org["platform_manager"])
    with pytest.raises(DomainError, match="服务器"):
        _execute(d, org["platform_ops"], servers=" ")
    with pytest.raises(DomainError, match="早于"):
        _execute(d, org["platform_ops"], finished_on=timezone.localdate() - timedelta(days=3))


def test_only_those_who_run_the_project_may_ask(org, project):  # noqa: F811
    with pytest.raises(PermissionDenied):
        services.deployment_request(project=project, actor=org["sales"], kind="deploy", reason="x")
    with pytest.raises(DomainError, match="原因"):
        services.deployment_request(project=project, actor=org["regional_pm"], kind="logs", reason=" ")
