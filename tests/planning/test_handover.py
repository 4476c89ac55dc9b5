import pytest
from django.urls import reverse

from aftersales import services as aftersales_services
from planning.risks import risk_raise, risk_update
from tests.aftersales.conftest import _to_acceptance

pytestmark = pytest.mark.django_db


def test_open_risks_are_carried_into_the_handover(client, org, project, pm, upload):
    kept = risk_raise(project=project, actor=pm, source="operations", description="运维人员尚未完成培训",
                      probability=2, impact=3, strategy="mitigate", owner=pm)  # fmt: skip
    gone = risk_raise(project=project, actor=pm, source="technical", description="已解决的兼容问题",
                      probability=1, impact=1, strategy="avoid", owner=pm)  # fmt: skip
    risk_update(risk=gone, actor=pm, status="closed")
    accepted = _to_acceptance(org, project, upload)
    handover = aftersales_services.handover_submit(project=accepted, actor=pm, note="请接收")
    client.force_login(org["aftersales"])
    body = client.get(reverse("aftersales:handover", args=[handover.pk])).content.decode()
    assert "未关闭的风险" in body and kept.description in body
    assert gone.description not in body
