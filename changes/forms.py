"""The forms of the three flows: one per filing and one per step. Services check the rules; these
only parse what was typed, with Chinese messages that name the field."""

from django import forms

from pmis import reference
from pmis.catalog.models import Product
from pmis.forms import NamedRequiredMixin
from pmis.org.models import User
from pmis.search.widgets import PickerWidget

from .models import Bug, ChangeRequest

TEXT = {"rows": 3}
DECIDE = {"approve": "通过", "reject": "不通过"}


def _text(label, required=True, help_text=""):
    return forms.CharField(label=label, required=required, help_text=help_text, widget=forms.Textarea(attrs=TEXT))


def _date(label, required=True, help_text=""):
    return forms.DateField(
        label=label, required=required, help_text=help_text, widget=forms.DateInput(attrs={"type": "date"})
    )


def _yes_no(label, yes="通过", no="不通过"):
    return forms.TypedChoiceField(
        label=label, choices=[("yes", yes), ("no", no)], coerce=lambda v: v == "yes", widget=forms.RadioSelect
    )


class Form(NamedRequiredMixin, forms.Form):
    pass


class ChangeForm(Form):
    kind = forms.ChoiceField(label="类型", choices=ChangeRequest.Kind.choices)
    title = forms.CharField(label="需求主题", max_length=200)
    proposer = forms.CharField(label="业务提出人", max_length=50, help_text="用户方业务人员")
    description = _text("需求说明")


class ReviewForm(Form):
    approved = _yes_no("用户方初审结果")
    answer = _text("用户方初审意见")


class EvaluateForm(Form):
    impact = _text("对当前系统的影响")
    person_days = forms.DecimalField(label="工作量（人天）", min_value=0.5, max_digits=7, decimal_places=1)
    size = forms.ChoiceField(label="工作量规模", choices=ChangeRequest.Size.choices)
    planned_date = _date("实施完成日期", help_text="工作量小：用户方指定；工作量大：双方讨论确定")
    needs_meeting = forms.BooleanField(label="需召开研讨会（需求讨论）", required=False)


class MinutesForm(Form):
    minutes = _text("需求讨论纪要")


class WorkForm(Form):
    design_note = _text("设计与实施说明")


class VerifyForm(Form):
    passed = _yes_no("质量验证结果")
    note = _text("质量验证结论")


class DelayForm(Form):
    new_date = _date("新的完成日期")
    reason = _text("延期原因（已告知客户方）")


class BugForm(Form):
    title = forms.CharField(label="问题主题", max_length=200)
    origin = forms.ChoiceField(label="缺陷类型", choices=Bug.Origin.choices)
    product_version = forms.CharField(label="产品及版本", max_length=100, required=False)
    description = _text("问题说明")


class BugConfirmForm(Form):
    decision = forms.ChoiceField(
        label="确认结果",
        choices=[("fix", "修复（项目组）"), ("product", "产品缺陷，提交产品管理部"), ("wont_fix", "不予修复")],
        widget=forms.RadioSelect,
    )
    note = _text("说明", required=False, help_text="不予修复或超过 2 个工作日确认时，须写明反馈用户方的原因")


class ProductVerifyForm(Form):
    is_product = _yes_no("核实结论", yes="确属产品缺陷，转研发修复", no="非产品缺陷，退回项目组")
    note = _text("核实说明")


class RdFixForm(Form):
    version = forms.CharField(label="修复版本号", max_length=50)
    note = _text("修复说明")


class ProductReviewForm(Form):
    passed = _yes_no("测试与评审结果", yes="通过，发放到项目", no="不通过，退回研发")
    product = forms.ModelChoiceField(
        label="发放的产品",
        queryset=Product.objects.filter(kind=Product.Kind.PRODUCT, is_active=True),
        required=False,
        empty_label="请选择",
        help_text="通过时必选：修复版本以产品领取单发放到项目，由实施人员确认领取",
    )
    download_path = forms.CharField(label="下载路径", max_length=500, required=False, help_text="通过时必填")
    note = _text("测试与评审意见")


class FixForm(Form):
    version = forms.CharField(label="修复版本", max_length=50, required=False)
    note = _text("修复说明")


class FeedbackForm(Form):
    feedback = _text("用户方反馈")


class CheckForm(Form):
    passed = _yes_no("核查结果")
    note = _text("核查结论")


class ReleaseForm(Form):
    version = forms.CharField(label="发布版本", max_length=50)
    planned_at = forms.DateTimeField(
        label="计划发布时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="常规发布窗口见上；窗口外为紧急发布，须项目总监审批",
    )
    reason = _text("发布原因")
    problems_solved = _text("解决的问题")
    change_notes = _text("版本变更说明", help_text="发布后公告到用户界面")
    downtime = forms.BooleanField(label="停机发布", required=False)
    customer_notified_on = _date("客户知会日期", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from pmis.worktime.display import duration_text

        from .services.releases import NOTICE_POLICY

        notice = reference.policy(NOTICE_POLICY)
        ahead = f"至少提前 {duration_text(notice.duration)}" if notice else "提前"
        self.fields["downtime"].help_text = f"须项目总监审批，并{ahead}知会客户"


class DirectorForm(Form):
    approve = _yes_no("审批结果", yes="同意", no="驳回")
    comment = forms.CharField(label="意见", max_length=500, required=False, help_text="驳回必填")


class AssignForm(Form):
    tester = forms.ModelChoiceField(
        label="测试人员", queryset=User.objects.filter(is_active=True), widget=PickerWidget("release_tester")
    )


class TestForm(Form):
    passed = _yes_no("测试结果")
    result = _text("测试记录")


class SignOffForm(Form):
    approve = _yes_no("项目经理签字", yes="同意发布", no="不同意")
    comment = forms.CharField(label="意见", max_length=500, required=False)


class ConsentForm(Form):
    agreed = _yes_no("用户方意见", yes="同意发布", no="不同意")
    answer = _text("用户方答复")


class EmptyForm(Form):
    pass


class VerificationForm(Form):
    result = _text("现网验证结果")


class WatchForm(Form):
    note = _text("留守观察记录", help_text="发布后至少留守观察 1 小时")


class RollbackForm(Form):
    note = _text("发现的问题与回滚情况")


class MonthForm(forms.Form):
    month = forms.DateField(
        label="月份",
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": "月份格式应为 YYYY-MM，如 2026-10"},
    )
    q = forms.CharField(label="编号 / 主题 / 项目", required=False)
