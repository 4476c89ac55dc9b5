from django.core.management.base import BaseCommand

from pmis.catalog.services import catalogue_seed


class Command(BaseCommand):
    help = "按规范文件创建产品目录与文档类型目录（已有条目不改动）"

    def handle(self, *args, **options):
        products, types = catalogue_seed()
        self.stdout.write(self.style.SUCCESS(f"产品目录新增 {products} 项，文档类型新增 {types} 项"))
