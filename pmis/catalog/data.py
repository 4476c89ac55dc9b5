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
)
