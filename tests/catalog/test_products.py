"""产品目录维护: 产品管理部 adds a product or service and changes one (name, order, 停售) on a page of
the site, each change in the product's history; everyone else reads the catalogue only."""

import pytest
from django.urls import reverse

from pmis.audit.selectors import audit_for
from pmis.catalog.models import Product
from registrations.forms import RegistrationForm
from registrations.models import Kind

pytestmark = pytest.mark.django_db

FORM = {"name": "悦文电子合同（专有云）", "code": "contract-private", "kind": "product", "project_class": "local",
        "is_active": "on", "sort_order": "5", "description": "专有云部署"}  # fmt: skip


def test_product_dept_adds_a_product_and_sales_can_choose_it(client, demo):
    client.force_login(demo["product_dept"])
    page = client.get(reverse("catalog:products_maintain")).content.decode()
    assert "新增产品 / 服务" in page and "悦文云文档" in page
    response = client.post(reverse("catalog:product_new"), FORM, follow=True)
    assert response.redirect_chain[-1][0] == reverse("catalog:products_maintain")
    assert "已保存：悦文电子合同（专有云）" in response.content.decode()
    product = Product.objects.get(code="contract-private")
    assert (product.project_class, product.sort_order, product.is_active) == ("local", 5, True)
    assert [(e.action_label, e.comment) for e in audit_for(product)] == [("新增产品 / 服务", "悦文电子合同（专有云）")]
    assert product in RegistrationForm(kind=Kind.LOCAL).fields["products"].queryset
    assert product not in RegistrationForm(kind=Kind.SAAS).fields["products"].queryset  # 项目类 only


def test_a_product_taken_off_sale_leaves_new_registrations_and_its_history_says_so(client, demo):
    product = Product.objects.get(name="悦文云文档")
    order = product.sort_order
    client.force_login(demo["product_dept"])
    url = reverse("catalog:product_edit", args=[product.pk])
    data = {f: getattr(product, f) for f in ("name", "code", "kind", "project_class", "description")}
    client.post(url, {**data, "sort_order": "9"})  # 停售: the box left unticked
    product.refresh_from_db()
    assert product.is_active is False and product.sort_order == 9
    (entry,) = [e for e in audit_for(product) if e.action == "product.update"]
    assert entry.actor == demo["product_dept"]
    assert entry.action_label == "修改产品 / 服务"
    assert entry.comment == f"在售：在售 → 停售；排序：{order} → 9"
    page = client.get(url).content.decode()
    assert "在售：在售 → 停售" in page  # the history under the form
    maintained = client.get(reverse("catalog:products_maintain")).content.decode()
    assert "停售" in maintained
    for kind in (Kind.LOCAL, Kind.SAAS):
        assert product not in RegistrationForm(kind=kind).fields["products"].queryset


def test_a_duplicate_name_is_refused_in_chinese_and_what_was_typed_is_kept(client, demo):
    client.force_login(demo["product_dept"])
    response = client.post(reverse("catalog:product_new"), {**FORM, "name": "悦文云文档"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "保存失败" in body and "已存在" in body and 'value="contract-private"' in body
    assert not Product.objects.filter(code="contract-private").exists()


def test_only_the_maintainers_reach_the_maintenance_pages(client, demo):
    product = Product.objects.first()
    client.force_login(demo["sales"])
    for url in (
        reverse("catalog:products_maintain"),
        reverse("catalog:product_new"),
        reverse("catalog:product_edit", args=[product.pk]),
    ):
        assert client.get(url).status_code == 403
    assert client.post(reverse("catalog:product_new"), FORM).status_code == 403
    assert not Product.objects.filter(code="contract-private").exists()
    assert "产品目录维护" not in client.get(reverse("catalog:products")).content.decode()
    client.force_login(demo["product_dept"])
    assert "产品目录维护" in client.get(reverse("catalog:products")).content.decode()  # in its side bar
