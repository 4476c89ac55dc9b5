import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.urls import reverse

from approvals.models import Task
from approvals.services import task_claim, task_open
from pmis.audit.models import AuditEntry
from pmis.audit.selectors import audit_for
from pmis.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(demo, subject):
    return task_open(
        subject=subject, step="s", step_label="商务审批", title="丙公司项目", link="/", group="sales_manager"
    )


@pytest.fixture
def subject(demo):
    from pmis.org.models import Department

    return Department.objects.get(code="sales-1")


def test_record_keeps_who_when_what_and_the_state_labels(demo, task):
    entry = audit_record(
        subject=task,
        action="task.close",
        label="处理待办",
        actor=demo["sales_manager"],
        from_state=Task.State.OPEN,
        to_state=Task.State.DONE,
        comment="同意",
        details={"checklist": ["contract"]},
    )
    assert entry.actor == demo["sales_manager"] and entry.at is not None
    assert (entry.from_label, entry.to_label) == ("待处理", "已处理")
    assert entry.details["checklist"] == ["contract"]
    assert list(audit_for(task)) == [entry]


def test_system_actions_have_no_actor(task):
    entry = audit_record(subject=task, action="task.warn", label="时限预警", actor=None)
    assert entry.actor is None


def test_the_log_cannot_be_changed_or_deleted(demo, task):
    entry = audit_record(subject=task, action="x", label="测试", actor=demo["admin"])
    entry.comment = "改写"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).comment == ""


def test_admin_shows_the_log_read_only(client, demo, task):
    entry = audit_record(subject=task, action="x", label="测试", actor=demo["admin"])
    client.force_login(demo["admin"])
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    page = client.get(reverse("admin:audit_auditentry_change", args=[entry.pk])).content.decode()
    assert 'name="_save"' not in page
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_timeline_partial_shows_the_history_in_chinese(demo, task):
    task_claim(task=task, actor=demo["sales_manager"])
    audit_record(
        subject=task,
        action="x",
        label="审批通过",
        actor=None,
        from_state=Task.State.OPEN,
        to_state=Task.State.DONE,
        comment="合同已签",
    )
    html = render_to_string("audit/timeline.html", {"entries": audit_for(task)})
    assert "认领待办" in html and "赵建国" in html
    assert "待处理 → 已处理" in html and "系统" in html and "合同已签" in html
    assert html.index("认领待办") < html.index("审批通过")


def test_rows_written_without_labels_still_show_chinese_states(demo, task):
    # bulk loads write rows straight into the table, without the labels audit_record adds
    AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Task),
        object_id=task.pk,
        action="x",
        action_label="审批通过",
        from_state=Task.State.OPEN,
        to_state=Task.State.DONE,
    )
    html = render_to_string("audit/timeline.html", {"entries": audit_for(task)})
    assert "待处理 → 已处理" in html and "open" not in html
