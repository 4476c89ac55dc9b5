import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from aftersales import services as aftersales_services
from aftersales.models import Ticket
from approvals.errors import DomainError
from knowledge.models import Article
from knowledge.selectors import articles_matching, similar_articles
from knowledge.services import article_create
from pmis.worktime.models import SlaPolicy
from tests.operations.conftest import at, live  # noqa: F401

pytestmark = pytest.mark.django_db
FIELDS = {
    "title": "电子签章服务启动失败",
    "problem": "启动后报端口占用",
    "cause": "旧进程未退出",
    "solution": "结束旧进程后重启",
    "versions": "V3.2",
}


@pytest.fixture
def resolved(org, live, time_machine):  # noqa: F811
    time_machine.move_to(at(2026, 6, 1, 10, 0), tick=False)
    a = org["aftersales"]
    ticket = aftersales_services.ticket_create(
        project=live,
        actor=a,
        data={
            "subject": "签章服务启动失败",
            "reporting_unit": "信息科",
            "reporter": "张工",
            "reported_at": at(2026, 6, 1, 10, 0),
            "channel": Ticket.Channel.PHONE,
            "description": "启动报错",
        },
    )
    ticket = aftersales_services.ticket_triage(
        ticket=ticket, actor=a, severity=SlaPolicy.objects.get(code="ticket-serious")
    )
    ticket = aftersales_services.ticket_assign(ticket=ticket, actor=a, to=a)
    ticket = aftersales_services.ticket_start(ticket=ticket, actor=a)
    return ticket


def test_a_resolved_ticket_becomes_an_article_linked_back(org, resolved):
    with pytest.raises(DomainError, match="解决后才能转为知识"):
        article_create(actor=org["aftersales"], data=FIELDS, ticket=resolved)
    ticket = aftersales_services.ticket_resolve(ticket=resolved, actor=org["aftersales"], resolution="结束旧进程")
    article = article_create(actor=org["aftersales"], data=FIELDS, ticket=ticket)
    assert article.ticket == ticket and article.project == ticket.project
    with pytest.raises(PermissionDenied):
        article_create(actor=org["sales"], data=FIELDS)
    with pytest.raises(DomainError, match="原因"):
        article_create(actor=org["aftersales"], data={**FIELDS, "cause": ""})


def test_articles_are_found_by_keyword_and_by_a_similar_title(org):
    article_create(actor=org["aftersales"], data=FIELDS)
    article_create(actor=org["aftersales"], data={**FIELDS, "title": "报表导出乱码", "problem": "Excel 中文乱码"})
    assert [a.title for a in articles_matching(org["sales"], "端口占用")] == ["电子签章服务启动失败"]
    assert similar_articles(org["sales"], "签章服务无法启动")[0].title == "电子签章服务启动失败"
    assert similar_articles(org["sales"], "网络") == []


def test_the_ticket_form_asks_for_similar_articles_as_the_title_is_typed(client, org):
    article_create(actor=org["aftersales"], data=FIELDS)
    client.force_login(org["aftersales"])
    form = client.get(reverse("aftersales:ticket_new")).content.decode()
    assert 'data-similar-for="#id_subject"' in form and reverse("knowledge:similar") in form
    fragment = client.get(reverse("knowledge:similar"), {"q": "签章启动失败"}).content.decode()
    assert "相似的知识" in fragment and "电子签章服务启动失败" in fragment


def test_convert_from_the_ticket_page(client, org, resolved):
    ticket = aftersales_services.ticket_resolve(ticket=resolved, actor=org["aftersales"], resolution="结束旧进程")
    client.force_login(org["aftersales"])
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "转为知识" in page and "发起现场服务" in page and "升级为突发事件" in page
    form = client.get(reverse("knowledge:new"), {"ticket": ticket.pk}).content.decode()
    assert "结束旧进程" in form
    response = client.post(reverse("knowledge:new"), {**FIELDS, "ticket": ticket.pk})
    article = Article.objects.get()
    assert response.status_code == 302 and article.ticket == ticket
    assert ticket.number in client.get(article.get_absolute_url()).content.decode()


def test_the_header_search_finds_articles(client, org):
    from pmis.search.selectors import search_everything

    article_create(actor=org["aftersales"], data=FIELDS)
    groups = search_everything(org["implementer"], "端口占用", limit=5)
    assert [g["label"] for g in groups] == ["知识"]
    assert [h.title.split(" ", 1)[1] for h in groups[0]["hits"]] == ["电子签章服务启动失败"]
