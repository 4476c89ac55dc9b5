from django.core.management.base import BaseCommand
from django.utils import timezone

from pmis.worktime.services import calendar_fill, sla_policies_seed


class Command(BaseCommand):
    help = "从 chinesecalendar 填充法定节假日与调休上班日（默认今年和明年），并创建默认时限策略"

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="*", type=int, help="年份，默认今年与明年")

    def handle(self, *args, years=None, **options):
        this_year = timezone.localdate().year
        years = years or [this_year, this_year + 1]
        for year, added in calendar_fill(years=years).items():
            if added is None:
                self.stdout.write(
                    self.style.WARNING(
                        f"{year} 年：节假日安排尚未收录（国务院通知发布后升级 chinesecalendar，或在后台手工录入）"
                    )
                )
            else:
                self.stdout.write(self.style.SUCCESS(f"{year} 年：新增 {added} 天"))
        created = sla_policies_seed()
        if created:
            self.stdout.write(self.style.SUCCESS(f"新增时限策略 {created} 条"))
