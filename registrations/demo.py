"""Demo registrations in every stage of the chain, made through the services so that the inbox,
the queues, the notifications and the history are the real thing."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from pmis.catalog.models import DocumentType, Product
from pmis.documents.pdf import render_pdf
from pmis.documents.services import attachment_add
from pmis.org.models import Province, Region, User
from projects.models import Project

from .models import Kind, Registration, Stakeholder
from .services import presales_step_sync, registration_decide, registration_submit

CHECKED = {"contract_status": True, "first_payment": True, "requirements_match": True, "scope_pricing": True}


def _projects() -> dict[str, Project]:
    north, south = Region.objects.get(code="north"), Region.objects.get(code="south")
    specs = [
        ("PJ2024-0031", "北京某商业银行电子签章项目", "北京某商业银行股份有限公司", north, "regional_pm"),
        ("PJ2025-0114", "广州某集团合同平台项目", "广州某集团有限公司", south, "regional_pm_south"),
    ]
    projects = {}
    for code, name, customer, region, pm in specs:
        projects[code], created = Project.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": Project.Kind.LOCAL,
                "customer_name": customer,
                "region": region,
                "pm": User.objects.filter(username=pm).first(),
                "state": "maintenance",  # delivered years ago, now in maintenance
                "basis": "历史项目",
            },
        )
        if created and projects[code].pm is not None:
            from projects.team import grant_groups, grant_user

            grant_user(projects[code], projects[code].pm, "manage_project")
            grant_groups(projects[code])
    return projects


def _registration(
    owner: User, kind: str, short: str, *, signed: bool, paid: bool, solution: bool = True, **extra
) -> Registration:
    province = Province.objects.get(name=extra.pop("province"))
    registration = Registration.objects.create(
        owner=owner,
        kind=kind,
        customer_name=f"{short}有限公司",
        customer_short_name=short,
        region=province.region,
        province=province,
        product_line="电子签章" if kind == Kind.LOCAL else "",
        user_scale="约 2000 名员工",
        signing_volume="每年约 10 万份",
        seal_count=60,
        enterprise_nature="state_owned",
        main_business=extra.pop("business", "制造业"),
        certificate_form="cloud" if kind != Kind.UPGRADE else "",
        certificate_vendor="CFCA" if kind != Kind.UPGRADE else "",
        seal_handling="local" if kind == Kind.LOCAL else "",
        scenarios=["hr", "procurement", "oa_document"],
        contract_signed=signed,
        first_payment_received=paid,
        contract_number="HT-2026-0815" if signed else "",
        contract_amount=380000 if signed or kind == Kind.UPGRADE else None,
        go_live_date=date(2027, 1, 15),
        presales=User.objects.filter(username="presales").first(),
        **extra,
    )
    Stakeholder.objects.create(registration=registration, name="李主任", phone="13800000000", role="信息中心主任")
    if kind != Kind.UPGRADE:
        wanted = ["电子印章认证", "签章中间件", "时间戳"] if kind == Kind.LOCAL else ["云签章", "实名认证"]
        registration.products.set(Product.objects.filter(name__in=wanted))
    if kind != Kind.SAAS and solution:  # the 责任售前's 售前解决方案 (SaaS needs none, 000 §3.1)
        solution = render_pdf(
            "pdf/form.html",
            {
                "title": f"{short}电子签章售前解决方案",
                "rows": [("客户", registration.customer_name), ("方案", "本地化部署")],
            },
        )
        attachment_add(
            subject=registration,
            doc_type=DocumentType.objects.get(code="presales-solution"),
            upload=SimpleUploadedFile("售前解决方案.pdf", solution),
            actor=owner,
            check_permission=False,
        )
    return registration


@transaction.atomic
def demo_registrations_seed() -> int:
    """Create the demo registrations once; returns how many were created."""
    if Registration.objects.filter(customer_short_name__startswith="演示").exists():
        return 0
    projects = _projects()
    users = {u.username: u for u in User.objects.filter(username__in=[
        "sales", "sales2", "sales_manager", "sales_manager2", "special_approver", "business_approver",
    ])}  # fmt: skip
    sales, sales2 = users["sales"], users["sales2"]

    draft = _registration(sales, Kind.LOCAL, "演示华北电力", signed=True, paid=True, province="河北")
    assert draft.pk

    # a draft whose 售前解决方案 the 责任售前 has still to upload (waits on presales)
    draft = _registration(sales, Kind.LOCAL, "演示冀北风电", signed=True, paid=True, province="河北", solution=False)
    presales_step_sync(draft, sales)

    r = _registration(sales, Kind.LOCAL, "演示京城地铁", signed=False, paid=False, province="北京")
    registration_submit(registration=r, actor=sales)  # special: waits on the sales manager

    r = _registration(sales, Kind.LOCAL, "演示津门港务", signed=True, paid=True, province="天津")
    registration_submit(registration=r, actor=sales)  # waits on the business approvers

    r = _registration(sales, Kind.SAAS, "演示齐鲁物流", signed=True, paid=False, province="山东")
    registration_submit(registration=r, actor=sales)
    registration_decide(registration=r, actor=users["sales_manager"], decision="approve", comment="客户资质良好")
    # now waits on the north special approver

    r = _registration(sales2, Kind.SAAS, "演示岭南医药", signed=False, paid=False, province="广东")
    registration_submit(registration=r, actor=sales2)
    registration_decide(registration=r, actor=users["sales_manager2"], decision="approve", comment="同意特批")
    # now waits on the south special approver

    r = _registration(
        sales, Kind.UPGRADE, "演示北京商行", signed=True, paid=True, province="北京",
        parent_project=projects["PJ2024-0031"], new_contract=True,
    )  # fmt: skip
    registration_submit(registration=r, actor=sales)  # waits on the sales manager

    r = _registration(sales, Kind.LOCAL, "演示燕山石化", signed=True, paid=True, province="北京")
    registration_submit(registration=r, actor=sales)
    registration_decide(
        registration=r, actor=users["business_approver"], decision="approve", comment="合同与需求一致", review=CHECKED
    )  # dispatched: waits on the project directors

    r = _registration(sales2, Kind.LOCAL, "演示珠江港务", signed=False, paid=False, province="广东")
    registration_submit(registration=r, actor=sales2)  # special: waits on the sales manager of team 2

    r = _registration(sales, Kind.SAAS, "演示鲁中教育", signed=True, paid=True, province="山东")
    registration_submit(registration=r, actor=sales)
    registration_decide(
        registration=r, actor=users["business_approver"], decision="approve", comment="合同与需求一致", review=CHECKED
    )  # dispatched SaaS: waits on the 客户成功主管 to initiate the project

    for owner, short, province in ((sales, "演示冀东水泥", "河北"), (sales2, "演示闽南茶业", "福建")):
        r = _registration(owner, Kind.LOCAL, short, signed=True, paid=True, province=province)
        registration_submit(registration=r, actor=owner)
        registration_decide(
            registration=r,
            actor=users["business_approver"],
            decision="return",
            comment="合同金额与产品清单不一致，请核对",
        )  # returned: waits on its owner to revise and resubmit
    return 12
