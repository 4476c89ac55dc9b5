import time

from django.core.management.base import BaseCommand

from pmis.bulk import BulkSeeder


class Command(BaseCommand):
    help = "批量生成规模测试数据（--scale 1 约为 10 万登记、2 万项目、100 万操作记录、30 万待办、20 万售后问题）"

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=0.01, help="规模系数，1 为完整规模")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子")

    def handle(self, *args, scale, seed, **options):
        started = time.monotonic()

        class Out:
            def write(inner, message):
                self.stdout.write(f"  {message}（{time.monotonic() - started:.0f} 秒）")

        BulkSeeder(scale, seed=seed, out=Out()).run()
        self.stdout.write(self.style.SUCCESS(f"完成：规模 {scale}，用时 {time.monotonic() - started:.0f} 秒"))
