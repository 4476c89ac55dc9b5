from django.core.management.base import BaseCommand, CommandError

from api.models import ALL_SCOPES
from api.tokens import token_create
from approvals.errors import DomainError
from pmis.org.models import User


class Command(BaseCommand):
    help = "为服务账号（或任何用户）创建接口令牌；令牌只显示这一次"

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="账号（服务账号可不设密码）")
        parser.add_argument("--name", required=True, help="令牌名称，如“CRM 合同同步”")
        parser.add_argument("--days", type=int, default=365, help="有效期（天），默认 365")
        parser.add_argument("--scopes", default="read", help=f"权限范围，逗号分隔：{','.join(ALL_SCOPES)}；默认只读")

    def handle(self, *args, user, name, days, scopes, **options):
        account = User.objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(f"没有启用的账号“{user}”")
        try:
            token, raw = token_create(
                user=account,
                actor=account,
                name=name,
                days=days,
                scopes=[s.strip() for s in scopes.split(",") if s.strip()],
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已为 {account.username} 创建令牌“{token.name}”，有效期至 {token.expires_at:%Y-%m-%d}：")
        self.stdout.write(raw)
