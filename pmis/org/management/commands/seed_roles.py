from django.core.management.base import BaseCommand

from pmis.org.services import roles_sync


class Command(BaseCommand):
    help = "创建角色用户组及其权限、区域与省份、部门（可重复执行）"

    def handle(self, *args, **options):
        changes = roles_sync()
        if any(changes.values()):
            detail = "，".join(f"{k} {v}" for k, v in changes.items() if v)
            self.stdout.write(self.style.SUCCESS(f"已同步角色与组织：{detail}"))
        else:
            self.stdout.write("角色与组织已是最新，无变化")
