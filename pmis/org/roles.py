"""The role groups of the platform (DESIGN.md §1). Groups are named by their English code; the
Chinese label and duty shown to people come from here."""

from dataclasses import dataclass, field

_EVERYONE = ("catalog.view_product", "catalog.view_documenttype", "org.view_region", "org.view_department")


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    duty: str
    region_scoped: bool = False
    permissions: tuple[str, ...] = field(default=())

    @property
    def all_permissions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(_EVERYONE + self.permissions))


ROLES: tuple[Role, ...] = (
    Role("sales", "销售 / 责任销售", "提交实施登记与升级问题登记；确认定制化工作量评估"),
    Role("presales", "售前", "上传售前解决方案；参加项目交接会议"),
    Role("sales_manager", "销售主管", "审批本团队的特批与升级登记（第一步）"),
    Role("special_approver", "特批领导", "审批本区域未签合同或未回首款项目的特批（第二步）", region_scoped=True),
    Role("business_approver", "商务审批员", "审核所有实施登记与产品领取单；办理外采"),
    Role("project_director", "项目总监", "审核派发的本地化项目登记，立项并指派区域项目经理"),
    Role(
        "regional_pm",
        "区域项目经理",
        "确认需求、指派实施人员、审核产品领取单、受理售后派单",
        region_scoped=True,
    ),
    Role("implementer", "实施人员", "执行实施任务，提交产品领取单，上传交付文档"),
    Role(
        "product_dept",
        "产品管理部",
        "发放产品下载路径与授权文件；维护产品目录",
        permissions=("catalog.add_product", "catalog.change_product"),
    ),
    Role("rd_expert", "立项专家 / 开发经理", "定制化需求的研发评估"),
    Role("cs_manager", "客户成功主管", "受理 SaaS 项目登记并立项"),
    Role("cs_head", "客户成功负责人", "审批移交客户成功部的项目"),
    Role("cs_staff", "客户成功部", "移交后服务运营型 / SaaS 客户"),
    Role("aftersales", "系统服务部", "审核本地化项目移交材料；处理售后问题"),
    Role("aftersales_manager", "售后运维部经理", "向区域项目经理派发售后问题；接收 SLA 升级"),
    Role("platform_ops", "平台运维部", "执行经审批的特殊项目云端部署"),
    Role("cs_ops", "运营客服组", "开通云产品服务；办理印章业务、授权续期、接口通道开通、出证报告等服务申请"),
    Role("cs_support", "售后支持组", "SaaS 客户使用指导与授权续期；确认 SaaS 需求并决定是否发起实施集成申请"),
    Role("platform_manager", "平台运维部经理", "在特批领导之后审批特殊项目的云端部署"),
    Role("emergency_team", "应急小组", "协调处理升级的突发事件，联系集成商与厂商；审阅并归档事故报告；编排长假值班"),
    Role("requirement_lead", "需求组长（运维组长）", "上线后需求变更的设计与实施；提出版本发布申请"),
    Role("quality", "质量人员", "需求变更的质量验证；版本发布测试"),
    Role("releaser", "版本发布人员", "在生产环境发布版本并公告版本变更说明；现网验证与留守观察"),
    Role("cm_engineer", "CM 工程师", "审批验收报告；对实施过程文档实施配置管理（002）"),
    Role("marketing", "市场部", "执行项目所需硬件采购；负责项目客户满意度调查（002）：验收后发出调查或录入客户的答复"),
    Role("executive", "公司高管", "客户不认可试运行结果时决定后续工作安排并下达任务（002 试运行）"),
)

ROLE_BY_CODE: dict[str, Role] = {role.code: role for role in ROLES}
REGION_SCOPED_ROLES: frozenset[str] = frozenset(r.code for r in ROLES if r.region_scoped)


def role_label(code: str) -> str:
    role = ROLE_BY_CODE.get(code)
    return role.label if role else code
