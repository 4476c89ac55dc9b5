from datetime import time

from django.db import migrations

# 004 §8.2.2-1: 每周版本发布 2 次，周一、周四上午下班前提交申请并固化发布版本，晚上发布.
WINDOWS = ((0, time(12, 0), time(19, 0)), (3, time(12, 0), time(19, 0)))


def seed(apps, schema_editor):
    ReleaseWindow = apps.get_model("changes", "ReleaseWindow")
    for weekday, cutoff, release_from in WINDOWS:
        ReleaseWindow.objects.get_or_create(
            weekday=weekday, defaults={"request_cutoff": cutoff, "release_from": release_from}
        )


class Migration(migrations.Migration):
    dependencies = [("changes", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
