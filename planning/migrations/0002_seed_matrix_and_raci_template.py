from django.db import migrations

MATRIX = {
    (1, 1): "low", (1, 2): "low", (1, 3): "medium",
    (2, 1): "low", (2, 2): "medium", (2, 3): "high",
    (3, 1): "medium", (3, 2): "high", (3, 3): "high",
}
TEMPLATE = (
    ("req-plan-draft", "编制需求工作方案", "C", "R", "S"),
    ("req-plan-approve", "审批需求工作方案", "R", "S", "I"),
    ("req-plan-publish", "发布需求工作方案", "R", "S", "I"),
    ("req-coordinate", "组织与协调推进", "R", "S", "S"),
    ("biz-model-draft", "编制业务模型", "S", "R", "S"),
    ("biz-model-review", "审核业务模型", "R", "S", "S"),
    ("biz-model-publish", "发布业务模型", "R", "S", "S"),
    ("srs-draft", "编制需求规格说明书", "S", "R", "S"),
    ("srs-review", "审核需求规格说明书", "R", "S", "S"),
    ("srs-publish", "发布需求规格说明书", "R", "S", "S"),
    ("schedule-control", "交付进度计划与跟踪", "A", "R", "S"),
    ("risk-control", "风险识别与跟踪", "C", "R", "S"),
)


def seed(apps, schema_editor):
    Cell = apps.get_model("planning", "RiskMatrixCell")
    Row = apps.get_model("planning", "RaciTemplateRow")
    for (probability, impact), level in MATRIX.items():
        Cell.objects.get_or_create(probability=probability, impact=impact, defaults={"level": level})
    for seq, (code, activity, customer, ours, third) in enumerate(TEMPLATE, start=1):
        Row.objects.get_or_create(
            code=code, defaults={"seq": seq, "activity": activity, "customer": customer, "ours": ours, "third": third}
        )


class Migration(migrations.Migration):
    dependencies = [("planning", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
