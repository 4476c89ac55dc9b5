"""The catalogue as the process documents give it (000, 001, 002, 003, 004)."""

from .models import Phase, ProjectClass

PRODUCTS: tuple[dict, ...] = (
    # 001 §3.2.1 采购产品 (本地化)
    {"code": "yuewen-cloud-docs", "name": "悦文云文档", "kind": "product", "project_class": ProjectClass.LOCAL},
    {"code": "contract-platform", "name": "合同平台", "kind": "product", "project_class": ProjectClass.LOCAL},
    {"code": "seal-certification", "name": "电子印章认证", "kind": "product", "project_class": ProjectClass.LOCAL},
    {"code": "smart-seal", "name": "智慧印章", "kind": "product", "project_class": ProjectClass.LOCAL},
    {"code": "signing-middleware", "name": "签章中间件", "kind": "product", "project_class": ProjectClass.LOCAL},
    # 001 §3.3.1 采购产品 (SaaS)
    {"code": "cloud-seal", "name": "云签章", "kind": "product", "project_class": ProjectClass.SAAS},
    {"code": "cloud-contract", "name": "云合同", "kind": "product", "project_class": ProjectClass.SAAS},
    # 服务
    {"code": "timestamp", "name": "时间戳", "kind": "service", "project_class": ProjectClass.BOTH},
    {"code": "real-name-auth", "name": "实名认证", "kind": "service", "project_class": ProjectClass.BOTH},
    {"code": "intent-auth", "name": "意愿认证", "kind": "service", "project_class": ProjectClass.BOTH},
)

_R, _I, _Q = Phase.REGISTRATION, Phase.INITIATION, Phase.REQUIREMENTS
_P, _M, _T = Phase.PREPARATION, Phase.IMPLEMENTATION, Phase.TRIAL_RUN
_TR, _A, _H, _S, _G = Phase.TRAINING, Phase.ACCEPTANCE, Phase.HANDOVER, Phase.AFTERSALES, Phase.MANAGEMENT

# (code, name, phase, source)
DOCUMENT_TYPES: tuple[tuple[str, str, str, str], ...] = (
    ("requirement-collection", "用户需求采集表", _R, "000 §3.1"),
    ("presales-solution", "售前解决方案", _R, "000 §3.1"),
    ("registration-form", "项目实施登记表", _R, "000 §3.1"),
    ("handover-meeting-minutes", "项目会议交接纪要", _I, "001 §3.2.2"),
    ("implementation-plan", "项目实施方案", _I, "000 §3.3.10"),
    ("overall-plan", "项目实施及验收总体计划", _I, "002 入口准则"),
    ("implementation-application", "项目实施申请表", _I, "002 输入"),
    ("requirement-confirmation", "需求确认单", _Q, "000 §3.3.2"),
    ("requirement-list", "需求清单及跟进表", _Q, "000 §3.3.2"),
    ("new-requirement-list", "新增需求清单", _Q, "000 §3.3.10"),
    ("product-request", "产品领取单", _P, "000 §3.3.4"),
    ("licence-file", "产品授权文件", _P, "000 §3.3.5"),
    ("main-flow-checklist", "主流程验证清单", _P, "000 §3.3.6"),
    ("customer-confirmation", "项目实施客户确认表", _P, "002 项目准备"),
    ("customer-service-form", "客户服务单", _M, "000 §3.3.7"),
    ("install-debug-report", "安装调试报告", _M, "002 系统安装调试"),
    ("change-request", "需求变更申请单", _M, "002 系统安装调试"),
    ("basic-info-form", "实施基本信息登记表", _M, "000 §3.3.10"),
    ("trial-run-confirmation", "项目试运行确认单", _T, "002 试运行"),
    ("trial-run-analysis", "试运行分析报告", _T, "002 试运行"),
    ("training-plan", "客户培训计划", _TR, "002 用户培训"),
    ("training-notice", "培训通知单", _TR, "002 用户培训"),
    ("training-attendance", "客户培训签到表", _TR, "002 用户培训"),
    ("system-acceptance-report", "系统安装验收报告", _A, "002 验收准备"),
    ("acceptance-report", "安装验收报告", _A, "002 验收准备"),
    ("user-acceptance-report", "用户验收报告", _A, "000 §3.3.10"),
    ("technical-archive", "技术档案表", _A, "002 验收准备"),
    ("function-test-sheet", "功能测试情况表", _A, "002 验收测试"),
    ("handover-material-list", "项目验收移交客户资料清单", _A, "002 验收准备"),
    ("service-promise-card", "售后服务承诺卡", _A, "002 验收确认"),
    ("summary-report", "项目实施总结报告", _A, "002 项目实施过程监控"),
    ("issue-summary", "项目问题处理汇总表", _A, "000 §3.3.10"),
    ("handover-checklist", "转维交接清单", _H, "003 项目转维"),
    ("problem-report", "问题申报单", _S, "004 §8.2.4"),
    ("repair-check-form", "产品维修检查确认单", _S, "004 §8.1.4"),
    ("incident-report", "事故报告", _S, "003 突发事件管理"),
    # attachments of a ticket and of its replies (售后问题沟通)
    ("ticket-screenshot", "问题截图", _S, "004 §8.2.4"),
    ("ticket-log", "日志及其他材料", _S, "004 §8.2.4"),
    ("weekly-report", "项目周报", _G, "004 §1.3"),
    # after go-live (changes app): 版本发布 and the BUG 修复记录
    ("release-application", "版本发布申请单", _S, "004 §8.2.2-1"),
    ("release-notes", "版本变更说明", _S, "004 §8.2.1 版本发布人员"),
    ("bug-fix-record", "BUG 修复记录", _S, "004 §8.2.2-2"),
)

# What each form is for, as the documents say where the form's source points (shown on 表单目录;
# an admin may edit it, the seed only fills a blank one).
DOCUMENT_PURPOSES: dict[str, str] = {
    "ticket-screenshot": (
        "售后问题沟通中附上的报错截图、界面截图，帮助处理人复现和定位问题（004 §8.2.4 问题申报单的补充材料）。"
    ),
    "ticket-log": (
        "售后问题沟通中附上的系统日志、配置文件及其他材料，供分析故障原因（004 §8.2.4 问题申报单的补充材料）。"
    ),
    "requirement-collection": (
        "售前采集客户需求，随实施登记提交；商务审核时与合同产品清单比对核实，项目总监据此判断产品匹配方案是否可行。"
    ),
    "presales-solution": "售前提供的方案及需求沟通说明，上传为实施登记附件，供判断产品匹配方案的可行性。",
    "registration-form": (
        "销售提交的项目实施登记（实施范围、产品与定价），商务管理部据此审核，审核通过后由项目总监立项。"
    ),
    "handover-meeting-minutes": (
        "项目经理组织销售、售前、实施召开交接会的纪要：客户背景、需求、业务场景与系统、使用产品。"
    ),
    "implementation-plan": "项目的实施方案，验收时须齐备的七项文档之一。",
    "overall-plan": "实施进场的入口准则：总体计划审批通过后，实施负责人据此准备文档与软、硬件。",
    "implementation-application": "实施负责人据此检查文档是否齐全有效；CM 工程师按此表从产品库提取软件发布给项目经理。",
    "requirement-confirmation": "与客户通过电话、远程会议等沟通确认需求后填写，作为需求确认的依据。",
    "requirement-list": (
        "合同内标准产品不可适配的需求，由区域项目经理组织实施工程师填写，交项目总监审核后与产品、研发确认方案。"
    ),
    "new-requirement-list": "实施中新增的需求清单，验收时须齐备的七项文档之一。",
    "product-request": (
        "实施人员接到指派后申请产品，注明实施登记号与 SVN 路径，经区域项目经理、商务管理部审核后由产品管理部发放。"
    ),
    "licence-file": "产品管理部随产品领取单发放的授权文件，上传到平台的产品申请任务中。",
    "main-flow-checklist": "入场前主流程验证的参考清单，提前在内部发现产品问题并反馈产品管理部。",
    "customer-confirmation": "项目经理确认客户的产品安装环境已准备就绪，确保入场时满足安装要求。",
    "customer-service-form": "实施完毕填写：远程实施邮件发客户确认，现场实施打印由客户签字后扫描存档 SVN。",
    "install-debug-report": "安装调试过程中现场实施人员及时填写，结束后交用户确认，作为项目备档文件。",
    "change-request": (
        "安装调试、试运行或上线后出现的问题与变更需求记录在此单反馈项目组，由项目组决定是否按变更管理过程变更。"
    ),
    "basic-info-form": "实施的基本信息登记，验收时须齐备的七项文档之一。",
    "trial-run-confirmation": "试运行结束由用户签署，确认试运行结果；用户不认可时项目终止后续环节并上报。",
    "trial-run-analysis": "客户不认可试运行结果时，项目经理形成分析报告提交高管，由高管决定后续工作。",
    "training-plan": "项目经理授权的人员按项目策划时的培训计划制作，用于组织客户培训。",
    "training-notice": "通知客户参加培训的通知单，与客户培训计划一同制作。",
    "training-attendance": "客户培训时形成的签到记录，作为培训已完成的凭据。",
    "system-acceptance-report": (
        "大项目上线运行正常后的验收报告（附项目总结报告、功能测试情况表、"
        "售后服务承诺卡），经 CM 工程师和客户服务部审批。"
    ),
    "acceptance-report": "小项目上线运行正常后的验收报告，经 CM 工程师和客户服务部审批。",
    "user-acceptance-report": "用户签署的验收报告，验收时须齐备的七项文档之一。",
    "technical-archive": "大项目验收时与系统安装验收报告一同整理的技术档案。",
    "function-test-sheet": "项目组按验收测试规程实施验收测试后形成，由用户签字盖章后随验收报告交回公司。",
    "handover-material-list": "移交给用户的资料、设备、产品、密码等清单，离场前由用户签字确认，一式两份。",
    "service-promise-card": "验收时提交用户的售后服务承诺。",
    "summary-report": "项目实施完成后形成的总结报告，纳入配置库管理，并作为系统安装验收报告的附件。",
    "issue-summary": "实施过程中问题及其处理的汇总，验收时须齐备的七项文档之一。",
    "handover-checklist": "项目转维时内部转维验收的检查清单及结论，项目由交付期转入售后维护期。",
    "problem-report": "客户或售后登记运维问题的申报单：问题主题、申报单位、申报人、申报时间、问题描述与时间要求。",
    "repair-check-form": "收到保修期外返修产品当日检查故障并填写，查清损坏情况后通知用户确认维修。",
    "incident-report": "突发事件恢复后由 QA 出具的事故报告，并据实际影响给事件定级。",
    "weekly-report": "项目经理每周向公司分管领导汇报项目进展与问题的周报，供监督与控制项目实施。",
    "release-application": (
        "开发人员提出的版本发布申请（发布原因及解决的问题），经项目经理指派测试、签字审批、用户同意后方可发布；"
        "不提单不得发布。"
    ),
    "release-notes": "版本发布人员撰写的版本变更说明，发布后提交公告到用户界面，详细记录每个版本更新的内容。",
    "bug-fix-record": "依据运维流程做好的 BUG 修复记录，每月第一周提交上月清单。",
}
