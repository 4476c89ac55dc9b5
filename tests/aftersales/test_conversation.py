"""The conversation on a ticket: replies and internal notes, their attachments, who reads them and
who hears of them."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersales import services
from aftersales.models import Ticket, TicketComment
from aftersales.selectors import ticket_conversation
from approvals.errors import DomainError
from pmis.audit.models import AuditEntry
from pmis.catalog.models import DocumentType
from pmis.documents.models import Attachment
from pmis.notify.models import Notification
from pmis.worktime.models import SlaPolicy

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
PNG = bytes.fromhex("89504E470D0A1A0A0000000D49484452") + b"\x00" * 32


@pytest.fixture
def assigned(org, ticket_for):
    """An urgent ticket filed by 系统服务部 and assigned to a customer-success engineer."""
    engineer = get_user_model().objects.create_user(username="cs_engineer", password="x", display_name="钱工")
    engineer.groups.add(Group.objects.get(name="cs_staff"))
    t = ticket_for(datetime.now(SH).replace(second=0, microsecond=0))
    t = services.ticket_triage(ticket=t, actor=org["aftersales"], severity=SlaPolicy.objects.get(name="紧急"))
    t = services.ticket_assign(ticket=t, actor=org["aftersales"], to=engineer)
    return t, engineer


def _fresh(user):
    return get_user_model().objects.get(pk=user.pk)  # role codes are cached on the object


def test_a_reply_is_kept_with_its_author_and_time_audited_and_notified(org, assigned):
    t, engineer = assigned
    before = AuditEntry.objects.filter(action="ticket.reply").count()
    comment = services.ticket_comment_add(ticket=t, actor=engineer, body="已远程查看，正在收集日志")
    assert comment.author == engineer and comment.created_at is not None and not comment.internal
    assert AuditEntry.objects.filter(action="ticket.reply").count() == before + 1
    # the staff who filed it hears of the reply; its author does not
    assert Notification.objects.filter(recipient=org["aftersales"], kind="ticket_reply").exists()
    assert not Notification.objects.filter(recipient=engineer, kind="ticket_reply").exists()
    # a reply is not the first response: 开始处理 stays the response rule
    assert Ticket.objects.get(pk=t.pk).first_response_at is None


def test_the_reporter_side_reply_notifies_the_assignee(org, assigned):
    t, engineer = assigned
    services.ticket_comment_add(ticket=t, actor=org["aftersales"], body="客户来电催促，请尽快处理")
    assert Notification.objects.filter(recipient=engineer, kind="ticket_reply").exists()


def test_an_empty_reply_and_a_reply_on_a_closed_ticket_are_refused(org, assigned):
    t, engineer = assigned
    with pytest.raises(DomainError, match="请填写回复内容"):
        services.ticket_comment_add(ticket=t, actor=engineer, body="   ")
    services.ticket_start(ticket=t, actor=engineer)
    services.ticket_resolve(ticket=t, actor=engineer, resolution="重启服务")
    services.ticket_close(ticket=t, actor=org["aftersales"], confirmation="电话回访确认")
    with pytest.raises(DomainError, match="问题已关闭"):
        services.ticket_comment_add(ticket=t, actor=engineer, body="补充说明")
    assert not TicketComment.objects.filter(ticket=t).exists()


def test_someone_who_may_not_see_the_ticket_may_not_reply(org, assigned):
    t, _ = assigned
    with pytest.raises(PermissionDenied):
        services.ticket_comment_add(ticket=t, actor=org["sales"], body="我来看看")


def test_internal_notes_are_shown_only_to_the_internal_side(org, assigned):
    t, engineer = assigned
    services.ticket_comment_add(ticket=t, actor=org["aftersales"], body="客户已答复，等待验证")
    # the engineer moves to another department but stays the assignee: still sees the ticket and its
    # replies, never an internal note
    engineer.groups.set([Group.objects.get(name="implementer")])
    services.ticket_comment_add(
        ticket=t, actor=org["aftersales_manager"], body="该客户合同即将续签，优先处理", internal=True
    )
    engineer = _fresh(engineer)
    assert services.ticket_can_view(engineer, t)
    assert [c.body for c in ticket_conversation(engineer, t)] == ["客户已答复，等待验证"]
    assert [c.internal for c in ticket_conversation(org["aftersales"], t)] == [False, True]
    with pytest.raises(PermissionDenied, match="内部备注"):
        services.ticket_comment_add(ticket=t, actor=engineer, body="我也记一笔", internal=True)
    # and the note's notification goes to the internal side only
    assert not Notification.objects.filter(recipient=engineer, kind="ticket_note").exists()
    assert Notification.objects.filter(recipient=org["aftersales"], kind="ticket_note").exists()


def test_attachments_of_a_reply_pass_the_upload_checks_and_leave_through_the_checked_view(client, org, assigned):
    t, engineer = assigned
    screenshot = DocumentType.objects.get(code="ticket-screenshot")
    with pytest.raises(ValidationError, match="与扩展名"):
        services.ticket_comment_add(
            ticket=t, actor=engineer, body="截图", doc_type=screenshot, files=[SimpleUploadedFile("报错.pdf", PNG)]
        )
    assert not TicketComment.objects.exists()  # nothing half-stored
    assert not Attachment.objects.filter(content_type__model="ticketcomment").exists()
    note = services.ticket_comment_add(
        ticket=t,
        actor=org["aftersales"],
        body="报错截图与日志见附件",
        internal=True,
        doc_type=screenshot,
        files=[SimpleUploadedFile("报错.png", PNG), SimpleUploadedFile("server.log", b"ERROR 500 at login\n")],
    )
    files = list(note.attachments.order_by("version"))
    assert [a.original_name for a in files] == ["报错.png", "server.log"]
    url = reverse("documents:download", args=[files[0].pk])
    client.force_login(org["aftersales_manager"])
    assert client.get(url).status_code == 200
    engineer.groups.set([Group.objects.get(name="implementer")])
    client.force_login(_fresh(engineer))  # sees the ticket, not the internal note, nor its files
    assert client.get(url).status_code == 404
    client.force_login(org["sales"])
    assert client.get(url).status_code == 404
