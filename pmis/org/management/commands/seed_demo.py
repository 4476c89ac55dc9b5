from django.core.management import call_command
from django.core.management.base import BaseCommand

from aftersales.demo import demo_tickets_seed
from approvals.demo import demo_approvals_seed
from changes.demo import demo_changes_seed
from dashboards.demo import demo_dashboards_seed
from delivery.demo import demo_delivery_seed
from operations.demo import demo_operations_seed
from planning.demo import demo_planning_seed
from platformops.demo import demo_platform_seed
from pmis.catalog.services import catalogue_seed
from pmis.org.demo import DEMO_PASSWORD, DEMO_USERS, demo_users_seed
from pmis.org.roles import role_label
from pmis.worktime.services import sla_policies_seed
from projects.demo import demo_projects_seed
from registrations.demo import demo_registrations_seed
from success.demo import demo_success_seed


class Command(BaseCommand):
    help = "创建演示数据：每个角色一个演示用户、产品目录、文档类型目录（可重复执行）"

    def add_arguments(self, parser):
        parser.add_argument("--quiet-accounts", action="store_true", help="不打印演示账号")

    def handle(self, *args, quiet_accounts=False, **options):
        call_command("seed_roles", stdout=self.stdout)
        products, types = catalogue_seed()
        demo_users_seed()
        sla_policies_seed()
        registrations = demo_registrations_seed()
        projects = demo_projects_seed()
        tickets = demo_tickets_seed()
        dashboards = demo_dashboards_seed()
        success = demo_success_seed()
        deployments = demo_platform_seed()
        approvals = demo_approvals_seed()
        operations = demo_operations_seed()
        changes = demo_changes_seed()
        delivery = demo_delivery_seed()
        # last: it plans every demo project in delivery that has no plan, so a second run adds none
        plans = demo_planning_seed()
        self.stdout.write(self.style.SUCCESS(f"产品目录新增 {products} 项，文档类型新增 {types} 项"))
        if registrations:
            self.stdout.write(self.style.SUCCESS(f"演示登记新增 {registrations} 条（各审批环节均有待办）"))
        if projects:
            self.stdout.write(self.style.SUCCESS("演示项目新增 1 个（需求确认阶段，含实施任务与产品领取单）"))
        if tickets:
            self.stdout.write(self.style.SUCCESS(f"演示售后问题新增 {tickets} 个"))
        if dashboards:
            self.stdout.write(self.style.SUCCESS(f"看板演示项目新增 {dashboards} 个（含移交、周报与售后问题）"))
        if plans:
            self.stdout.write(self.style.SUCCESS(f"演示计划与风险新增 {plans} 个项目（各有一项延期、一项风险待评审）"))
        if success:
            self.stdout.write(self.style.SUCCESS("客户成功演示数据已创建（云产品下单、服务申请、即将到期的授权）"))
        if deployments:
            self.stdout.write(self.style.SUCCESS(f"云端部署演示申请新增 {deployments} 个"))
        if approvals:
            self.stdout.write(self.style.SUCCESS(f"审批演示数据新增 {approvals} 条（环节设置、代理审批、抄送）"))
        if operations:
            self.stdout.write(self.style.SUCCESS("运维演示新增：突发事件、现场服务、巡检、分支机构与知识条目"))
        if changes:
            self.stdout.write(self.style.SUCCESS("演示需求变更、BUG 与版本发布已创建（运维项目上，各环节均有待办）"))
        if delivery:
            self.stdout.write(
                self.style.SUCCESS(f"交付管控演示项目新增 {delivery} 个（会议、培训、验收审批、高管决定）")
            )
        if quiet_accounts:
            return
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        self.stdout.write(f"  {'admin':<24} 系统管理员")
        for spec in DEMO_USERS:
            region = {"north": "（北方）", "south": "（南方）"}.get(spec.region or "", "")
            self.stdout.write(f"  {spec.username:<24} {spec.display_name} · {role_label(spec.role)}{region}")
