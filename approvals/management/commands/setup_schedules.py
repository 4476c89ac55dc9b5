from django.core.management.base import BaseCommand
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

# name -> (task, every n minutes)
SCHEDULES = {
    "SLA 扫描（预警与超时升级）": ("approvals.sla_sweep", 1),
    "售后问题超时标记（SLA 月度汇总）": ("aftersales.tickets_breach_mark", 1),
    "通知补发（未投递的邮件）": ("notify.resend_pending", 1),
    "事件推送重投（订阅方暂时不可达）": ("api.resend_webhooks", 1),
    "代理审批开始与结束通知": ("approvals.delegations_announce", 10),
    # every minute, so an incident's 10-minute escalation fires within a minute of its due time
    # even if its countdown task was lost (004 §8.1.3)
    "突发事件扫描（升级应急小组、建议定级、值班转交）": ("operations.incidents_sweep", 1),
    # the PM is told one working day before a change's planned date (004 §8.2.2-3)
    "需求变更到期提醒": ("changes.deadline_reminders", 15),
    # recounts the 工作台 cards viewed lately before their 看板数据刷新周期 runs out
    "工作台看板后台统计": ("dashboards.cards_refresh", 1),
}

# name -> (task, hour, minute, day of week): the weekly reminder on Monday 10:00, after the Monday
# meeting (004 §1.3)
CRONTABS = {
    "周报提醒（每周一）": ("projects.weekly_report_reminders", 10, 0, 1),
    "计划延期提醒（每天）": ("planning.plan_late_notify", 9, 0, "*"),
    "风险评审到期（每天）": ("planning.risk_reviews_due", 9, 5, "*"),
    "授权到期提醒（每天）": ("success.licence_reminders", 9, 0, "*"),
    # every day at 08:00: open the month's inspections whose agreed day has come (004 §8.2.3)
    "每月巡检开单（每天检查）": ("operations.inspections_open", 8, 0, "*"),
    # every day at 10:00; the service sends only in the month's first week, once per project and month
    "每月 BUG 清单（每月第一周）": ("changes.monthly_bug_lists", 10, 0, "*"),
}


class Command(BaseCommand):
    help = "创建 Celery beat 定时任务（可重复执行）"

    def handle(self, *args, **options):
        for name, (task, minutes) in SCHEDULES.items():
            interval, _ = IntervalSchedule.objects.get_or_create(every=minutes, period=IntervalSchedule.MINUTES)
            _, created = PeriodicTask.objects.update_or_create(
                name=name, defaults={"task": task, "interval": interval, "enabled": True}
            )
            self.stdout.write(f"{'新建' if created else '已存在'}定时任务：{name}（每 {minutes} 分钟）")
        for name, (task, hour, minute, day_of_week) in CRONTABS.items():
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute=str(minute), hour=str(hour), day_of_week=str(day_of_week), day_of_month="*",
                month_of_year="*", timezone="Asia/Shanghai",
            )  # fmt: skip
            _, created = PeriodicTask.objects.update_or_create(
                name=name, defaults={"task": task, "crontab": crontab, "interval": None, "enabled": True}
            )
            self.stdout.write(f"{'新建' if created else '已存在'}定时任务：{name}")
