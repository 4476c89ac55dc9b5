from django.core.management.base import BaseCommand

from aftersales.services.rollup import rollup_rebuild


class Command(BaseCommand):
    help = "从售后问题重新计算售后 SLA 月度汇总（批量导入、数据修正或项目改区域之后运行）"

    def handle(self, *args, **options):
        rows = rollup_rebuild()
        self.stdout.write(self.style.SUCCESS(f"售后 SLA 月度汇总已重建：{rows} 行"))
