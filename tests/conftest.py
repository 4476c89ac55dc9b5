from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from pmis.catalog.models import DocumentType, Product
from pmis.catalog.services import catalogue_seed
from pmis.documents.services import attachment_add
from pmis.org.demo import DEMO_PASSWORD, demo_users_seed
from pmis.org.models import Province, Region
from pmis.org.services import roles_sync
from pmis.worktime.services import sla_policies_seed
from projects.models import Project
from registrations.models import Kind, Registration, Stakeholder

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CHECKED = {"contract_status": True, "first_payment": True, "requirements_match": True, "scope_pricing": True}


@pytest.fixture
def roles(db):
    roles_sync()


@pytest.fixture
def demo(db):
    """The demo organisation: every role's demo user, keyed by username."""
    roles_sync()
    catalogue_seed()
    return {user.username: user for user in demo_users_seed()}


@pytest.fixture
def demo_password():
    return DEMO_PASSWORD


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache and leaves one: a layout (roles, badges) cached by
    one test never shows in another."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org(demo):
    sla_policies_seed()
    return demo


@pytest.fixture
def parent_project(org):
    return Project.objects.create(
        code="PJ2024-0001",
        name="北京某银行电子签章项目",
        kind=Project.Kind.LOCAL,
        customer_name="北京某银行",
        region=Region.objects.get(code="north"),
        pm=org["regional_pm"],
    )


@pytest.fixture
def make_registration(org):
    """A complete registration of the given kind, owned by `owner` (default: sales, north)."""

    def make(kind=Kind.LOCAL, *, owner=None, province="北京", signed=True, paid=True, attach=True, **extra):
        owner = owner or org["sales"]
        province = Province.objects.get(name=province)
        registration = Registration.objects.create(
            owner=owner,
            kind=kind,
            customer_name="某某市轨道交通集团有限公司",
            customer_short_name="某某地铁",
            region=province.region,
            province=province,
            product_line="电子签章" if kind == Kind.LOCAL else "",
            user_scale="约 5000 人",
            signing_volume="每年 30 万份",
            seal_count=120,
            enterprise_nature="state_owned",
            main_business="城市轨道交通",
            certificate_form="cloud",
            certificate_vendor="CFCA",
            seal_handling="local" if kind == Kind.LOCAL else "",
            scenarios=["hr", "oa_document"],
            contract_signed=signed,
            first_payment_received=paid,
            contract_number="HT-001" if signed else "",
            contract_amount=500000 if signed or kind == Kind.UPGRADE else None,
            go_live_date=timezone.localdate() + timedelta(days=100),
            **extra,
        )
        Stakeholder.objects.create(registration=registration, name="张工", phone="13900000000", role="信息中心")
        if kind != Kind.UPGRADE:
            names = ["电子印章认证", "时间戳"] if kind == Kind.LOCAL else ["云签章", "时间戳"]
            registration.products.set(Product.objects.filter(name__in=names))
        if kind == Kind.LOCAL and attach:
            attachment_add(
                subject=registration,
                doc_type=DocumentType.objects.get(code="requirement-collection"),
                upload=SimpleUploadedFile("需求采集表.pdf", PDF),
                actor=owner,
                check_permission=False,
            )
        return registration

    return make
