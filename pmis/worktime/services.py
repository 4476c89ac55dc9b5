from django.db import transaction

from .models import CalendarDay, Clock, SlaPolicy

# DESIGN.md §2.3 and seed 003: 紧急 4 h, 严重 8 h, 中等 48 h, 一般 one week of natural days; each
# severity's first response within 4 working hours (004 §8.1.2). Approval steps get one working
# day by default. Triage of a new ticket is chased after 30 minutes; a ticket may be registered
# (补录) up to 3 days after it was reported.
RESPONSE = {"response_clock": Clock.WORKING, "response_minutes": 4 * 60}
TRIAGE_POLICY = "aftersales-triage"
BACKDATE_POLICY = "aftersales-backdate"
# 003 度量考核's 转单时长: a measure of the after-sales desk, not a ticket level, though its code
# starts as the levels' do
TRANSFER_POLICY = "ticket-transfer"
LEVEL_PREFIX = "ticket-"


def is_ticket_level(code: str) -> bool:
    """A ticket level (紧急, 严重, 中等, 一般 and any an admin adds): a policy coded ticket-*, but for
    the 转单时长 measure."""
    return code.startswith(LEVEL_PREFIX) and code != TRANSFER_POLICY


def ticket_levels():
    """The ticket levels, shortest first."""
    levels = SlaPolicy.objects.filter(code__startswith=LEVEL_PREFIX).exclude(code=TRANSFER_POLICY)
    return levels.order_by("duration_minutes", "id")


DEFAULT_POLICIES: tuple[dict, ...] = (
    {"code": "ticket-urgent", "name": "紧急", "clock": Clock.NATURAL, "duration_minutes": 4 * 60, **RESPONSE,
     "description": "产品已无法正常完成工作，对客户的使用产生了严重影响"},
    {"code": "ticket-serious", "name": "严重", "clock": Clock.NATURAL, "duration_minutes": 8 * 60, **RESPONSE,
     "description": "无法稳定使用、无法保证安全"},
    {"code": "ticket-medium", "name": "中等", "clock": Clock.NATURAL, "duration_minutes": 48 * 60, **RESPONSE,
     "description": "打断日常工作、服务质量下降"},
    {"code": "ticket-normal", "name": "一般", "clock": Clock.NATURAL, "duration_minutes": 7 * 24 * 60, **RESPONSE,
     "description": "影响日常效率；1 周内（自然日）"},
    {"code": "approval-step", "name": "审批环节", "clock": Clock.WORKING, "duration_minutes": 9 * 60,
     "description": "每个审批环节默认 1 个工作日"},
    {"code": TRIAGE_POLICY, "name": "售后问题分级", "clock": Clock.NATURAL, "duration_minutes": 30,
     "description": "问题申报单登记后须在此时限内分级；75% 时提醒系统服务部，超时升级售后运维部经理"},
    {"code": BACKDATE_POLICY, "name": "申报时间补录时限", "clock": Clock.NATURAL, "duration_minutes": 3 * 24 * 60,
     "description": "登记问题申报单时，申报时间最多可早于登记时间多久（补录）；不得晚于当前时间"},

    {"code": "project-gate-stuck", "name": "项目卡在关口", "clock": Clock.WORKING, "duration_minutes": 10 * 9 * 60,
     "description": "在需求确认、试运行或验收阶段停留超过此时限（默认 10 个工作日）即列为卡在关口"},

    {"code": "risk-review", "name": "风险评审周期", "clock": Clock.NATURAL, "duration_minutes": 7 * 24 * 60,
     "description": "未关闭的风险每隔此时长评审一次（004 §1.3 每周例会）；逾期未评审即在责任人待办中提醒"},
    {"code": "plan-due-soon", "name": "计划项即将到期", "clock": Clock.WORKING, "duration_minutes": 3 * 9 * 60,
     "description": "项目健康度：计划项在此时限内到期却尚未开始，项目列为「有风险」（默认 3 个工作日）"},
    # 客户成功 / 运营 (000 §3.2, §3.6): each service request type has its own deadline.
    {"code": "cloud-order-business", "name": "云产品下单商务审核", "clock": Clock.WORKING, "duration_minutes": 9 * 60,
     "description": "商务管理部审核云产品下单申请的授权与收款情况（000 §3.2）"},
    {"code": "cloud-order-opening", "name": "云产品服务开通", "clock": Clock.WORKING, "duration_minutes": 2 * 9 * 60,
     "description": "运营中心 / 客户成功部在商务审核通过后开通服务并登记开通内容"},
    {"code": "service-seal", "name": "印章业务办理", "clock": Clock.WORKING, "duration_minutes": 2 * 9 * 60,
     "description": "运营客服组办理印章业务（000 §3.6.1）"},
    {"code": "service-licence-renewal", "name": "授权文件续期", "clock": Clock.WORKING, "duration_minutes": 3 * 9 * 60,
     "description": "授权文件续期（000 §3.6.1–3.6.2）；到期前自动发起的续期申请同样适用"},
    {"code": "service-api-channel", "name": "接口通道开通", "clock": Clock.WORKING, "duration_minutes": 2 * 9 * 60,
     "description": "运营客服组开通接口通道（000 §3.6.1）"},
    {"code": "service-certificate-report", "name": "出证报告开具", "clock": Clock.WORKING,
     "duration_minutes": 3 * 9 * 60, "description": "运营客服组开具出证报告（000 §3.6.1）"},
    {"code": "service-usage-guidance", "name": "客户使用指导", "clock": Clock.WORKING, "duration_minutes": 9 * 60,
     "description": "售后支持组指导客户使用（000 §3.6.2）"},
    {"code": "service-other", "name": "其他服务", "clock": Clock.WORKING, "duration_minutes": 3 * 9 * 60,
     "description": "其他客户服务（000 §3.6.1–3.6.2）"},
    {"code": "licence-default-term", "name": "授权默认期限", "clock": Clock.NATURAL,
     "duration_minutes": 365 * 24 * 60,
     "description": "产品管理部随产品领取单发放的授权文件登记入授权台账时的默认有效期，可在台账中逐条修改"},
    {"code": "licence-remind-60", "name": "授权到期提醒（60 天）", "clock": Clock.NATURAL,
     "duration_minutes": 60 * 24 * 60, "description": "授权到期前此时限提醒客户成功部并自动发起一次授权文件续期申请"},
    {"code": "licence-remind-30", "name": "授权到期提醒（30 天）", "clock": Clock.NATURAL,
     "duration_minutes": 30 * 24 * 60, "description": "授权到期前此时限再次提醒"},
    {"code": "licence-remind-7", "name": "授权到期提醒（7 天）", "clock": Clock.NATURAL,
     "duration_minutes": 7 * 24 * 60, "description": "授权到期前此时限最后提醒"},
    # 平台运维部 (000 §3.8)
    {"code": "deployment-execution", "name": "云端部署执行", "clock": Clock.WORKING, "duration_minutes": 3 * 9 * 60,
     "description": "平台运维部在特批领导与平台运维部经理审批后执行云端部署或日志、版本维护"},
    {"code": "approval-urge-interval", "name": "催办间隔", "clock": Clock.NATURAL, "duration_minutes": 4 * 60,
     "description": "申请人对同一待审环节两次催办之间至少间隔的时长"},
    {"code": "approval-link-valid", "name": "一键审批链接有效期", "clock": Clock.NATURAL, "duration_minutes": 72 * 60,
     "description": "通知邮件与群机器人消息中“通过 / 退回”链接的有效期；每个链接仅限收件人本人使用一次"},
    # operations after go-live (004 §8): incidents, on-site service, repair, inspections; 003 度量考核
    {"code": "incident-escalation", "name": "突发事件升级应急小组", "clock": Clock.NATURAL, "duration_minutes": 10,
     "description": "004 §8.1.3：判断 10 分钟内无法解决，立即联系应急小组"},
    {"code": "incident-level-2", "name": "停服达二级故障", "clock": Clock.NATURAL, "duration_minutes": 20,
     "description": "004 §8.1.3：停止服务超过 20 分钟（60 分钟以内）为二级故障，系统建议升级"},
    {"code": "incident-level-1", "name": "停服达一级故障", "clock": Clock.NATURAL, "duration_minutes": 60,
     "description": "004 §8.1.3：停止服务超过 60 分钟为一级故障，系统建议升级"},
    {"code": "incident-report", "name": "事故报告提交", "clock": Clock.WORKING, "duration_minutes": 2 * 9 * 60,
     "description": "事件恢复后项目组提交事故报告的时限（文档未规定，默认 2 个工作日）"},
    {"code": "incident-review", "name": "事故报告审阅", "clock": Clock.WORKING, "duration_minutes": 9 * 60,
     "description": "应急小组审阅并归档事故报告（默认 1 个工作日）"},
    {"code": "onsite-contact", "name": "现场服务电话联系", "clock": Clock.WORKING, "duration_minutes": 4 * 60,
     "description": "004 §8.1.2：自报修起 4 个工作小时内电话联系，确定上门服务事宜"},
    {"code": "onsite-arrival-branch", "name": "到场（有分支机构）", "clock": Clock.NATURAL, "duration_minutes": 60,
     "description": "004 §8：设有分支机构的地区 1 小时内到达现场"},
    {"code": "onsite-arrival-remote", "name": "到场（无分支机构）", "clock": Clock.NATURAL, "duration_minutes": 48 * 60,
     "description": "004 §8：没有分支机构的地区 48 小时内到达现场"},
    {"code": "repair-inspect", "name": "保外维修检查", "clock": Clock.WORKING, "duration_minutes": 9 * 60,
     "description": "004 §8.1.4：收到返修产品当日检查并填写产品维修检查确认单"},
    {"code": "repair-return-min", "name": "保外维修最短返回", "clock": Clock.WORKING, "duration_minutes": 3 * 9 * 60,
     "description": "004 §8.1.4：客户确认维修当日起 3–7 个工作日内返回（承诺区间下限）"},
    {"code": "repair-return", "name": "保外维修返回", "clock": Clock.WORKING, "duration_minutes": 7 * 9 * 60,
     "description": "004 §8.1.4：客户确认维修当日起 3–7 个工作日内返回（超过上限即超时）"},
    {"code": "inspection-record", "name": "每月巡检记录", "clock": Clock.WORKING, "duration_minutes": 9 * 60,
     "description": "004 §8.2.3：巡检日开出巡检待办，当日（1 个工作日内）记录巡检结果"},
    {"code": TRANSFER_POLICY, "name": "技术支持转单时长", "clock": Clock.NATURAL, "duration_minutes": 30,
     "description": "003 度量考核：登记后在此时限内转给处理人即为转单达标"},
    # 004 §8.2.2 and 003 发布变更规范 (changes app)
    {"code": "change-approval", "name": "新增需求业务审批", "clock": Clock.WORKING, "duration_minutes": 9 * 60,
     "description": "需求变更申请提交后 1 个工作日内完成用户方初审（业务审批）；超时升级项目总监"},
    {"code": "change-delay-notice", "name": "需求变更延期提前告知", "clock": Clock.WORKING, "duration_minutes": 9 * 60,
     "description": "规定时间内无法完成的需求变更，须提前此时限（1 个工作日）告知客户；届时提醒项目经理"},
    {"code": "bug-confirm", "name": "BUG 确认是否修复", "clock": Clock.WORKING, "duration_minutes": 2 * 9 * 60,
     "description": "BUG 提交后 2 个工作日内确认是否修复；超时升级项目总监，并须向用户方反馈原因"},
    {"code": "bug-check", "name": "BUG 修复核查", "clock": Clock.WORKING, "duration_minutes": 2 * 9 * 60,
     "description": "收到用户方反馈后 2 个工作日内核查 BUG 修复事项"},
    {"code": "release-downtime-notice", "name": "停机发布提前知会客户", "clock": Clock.NATURAL,
     "duration_minutes": 3 * 24 * 60, "description": "停机发布须经项目总监审批，并至少提前 3 天知会客户"},
    {"code": "release-watch", "name": "发布后留守观察", "clock": Clock.NATURAL, "duration_minutes": 60,
     "description": "发布后须现网验证，并留守观察不少于 1 小时"},
    {"code": "satisfaction-send", "name": "验收后发出满意度调查", "clock": Clock.WORKING,
     "duration_minutes": 3 * 9 * 60,
     "description": "验收报告批准后，市场部在此时限内向客户发出满意度调查（002：市场部负责项目客户满意度调查）"},
    {"code": "satisfaction-link", "name": "满意度调查链接有效期", "clock": Clock.NATURAL,
     "duration_minutes": 14 * 24 * 60,
     "description": "发给客户的满意度调查链接自发出起在此时限内有效，且只能提交一次"},
    {"code": "dashboard-card-refresh", "name": "看板数据刷新周期", "clock": Clock.NATURAL, "duration_minutes": 5,
     "description": "工作台看板的统计数字每隔此时长在后台重新统计一次；卡片上注明“更新于”时间"},
    {"code": "executive-decision", "name": "高管决定后续工作", "clock": Clock.WORKING, "duration_minutes": 3 * 9 * 60,
     "description": "客户不认可试运行结果后，高管在此时限内决定后续工作安排并下达任务（002 试运行）"},
)  # fmt: skip


@transaction.atomic
def sla_policies_seed() -> int:
    """Create the default policies; a policy an admin has edited keeps its values."""
    created = 0
    for spec in DEFAULT_POLICIES:
        _, was_created = SlaPolicy.objects.get_or_create(
            code=spec["code"], defaults={k: v for k, v in spec.items() if k != "code"}
        )
        created += was_created
    return created


def sla_policy(code: str) -> SlaPolicy:
    return SlaPolicy.objects.get(code=code)


@transaction.atomic
def calendar_fill(*, years: list[int]) -> dict[int, int | None]:
    """Fill the calendar from the chinesecalendar package (the State Council's notices). A day an
    admin has already entered is left as it is. Returns, per year, the days added, or None when
    the package does not know that year yet (the notice is usually published in November)."""
    from chinese_calendar import constants

    chinese_names = {h.value: h.chinese for h in constants.Holiday}
    known_years = {d.year for d in constants.holidays}
    result: dict[int, int | None] = {}
    for year in years:
        if year not in known_years:
            result[year] = None
            continue
        added = 0
        rows = [(d, CalendarDay.Kind.HOLIDAY, n) for d, n in constants.holidays.items() if d.year == year]
        rows += [(d, CalendarDay.Kind.WORKDAY, n) for d, n in constants.workdays.items() if d.year == year]
        for day, kind, english in rows:
            _, was_created = CalendarDay.objects.get_or_create(
                date=day, defaults={"kind": kind, "name": chinese_names.get(english, english)}
            )
            added += was_created
        result[year] = added
    return result
