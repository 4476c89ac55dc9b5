import pytest

from planning.models import RiskMatrixCell
from planning.risks import risk_raise

pytestmark = pytest.mark.django_db


def test_changing_a_matrix_cell_in_the_admin_regrades_the_risks(client, org, project, pm):
    risk = risk_raise(project=project, actor=pm, source="customer", description="范围蔓延", probability=1, impact=3,
                      strategy="mitigate", owner=pm)  # fmt: skip
    assert risk.get_level_display() == "中"
    cell = RiskMatrixCell.objects.get(probability=1, impact=3)
    client.force_login(org["admin"])
    response = client.post(f"/admin/planning/riskmatrixcell/{cell.pk}/change/",
                           {"probability": 1, "impact": 3, "level": "high"})  # fmt: skip
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.get_level_display() == "高"
