from django import forms

from pmis.forms import NamedRequiredMixin
from pmis.org.models import User
from pmis.search.widgets import PickerWidget
from projects.models import Project

from .models import Meeting

SCORE_CHOICES = [(str(n), f"{n} 分") for n in range(5, 0, -1)]
DATE = forms.DateInput(attrs={"type": "date"})


def _text(label: str, rows: int = 2, required: bool = False) -> forms.CharField:
    return forms.CharField(label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}))


def _person(label: str, project: Project) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label,
        queryset=User.objects.filter(is_active=True),
        widget=PickerWidget("project_team", context=str(project.pk)),
    )


class MeetingForm(NamedRequiredMixin, forms.Form):
    kind = forms.ChoiceField(label="会议类型", choices=[("", "请选择"), *Meeting.Kind.choices])
    held_on = forms.DateField(label="会议日期", widget=DATE)
    attendees = forms.CharField(
        label="出席人员", max_length=2000, help_text="项目发起人、客户代表、公司领导、项目组成员等"
    )
    objectives = _text("项目目标")
    strategy = _text("实施策略")
    plan = _text("计划安排")
    rules = _text("项目管理规程")
    last_week = _text("上周项目绩效")
    this_week = _text("本周工作安排")
    coordination = _text("需要协调的事项")


class MeetingEndForm(NamedRequiredMixin, forms.Form):
    minutes = _text("会议纪要", rows=4, required=True)
    risks_agreed = forms.BooleanField(label="风险已在风险列表中登记，并在交底会上达成共识、予以备案", required=False)


class ActionItemForm(NamedRequiredMixin, forms.Form):
    title = forms.CharField(label="行动项", max_length=200)
    due_date = forms.DateField(label="完成日期", widget=DATE)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _person("负责人", project)
        self.order_fields(["title", "owner", "due_date"])
        self.fields["owner"].error_messages["required"] = "请选择负责人"


class TrainingPlanForm(NamedRequiredMixin, forms.Form):
    title = forms.CharField(label="培训主题", max_length=200)
    audience = forms.CharField(label="培训对象", max_length=200)
    content = _text("培训内容与安排", rows=3, required=True)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainer"] = _person("培训负责人（授权人员）", project)
        self.fields["trainer"].error_messages["required"] = "请选择培训负责人（授权人员）"


class NoticeForm(NamedRequiredMixin, forms.Form):
    notice = _text("培训通知单", rows=3, required=True)


class SessionForm(NamedRequiredMixin, forms.Form):
    starts_at = forms.DateTimeField(
        label="培训时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    location = forms.CharField(label="地点", max_length=200)
    topic = forms.CharField(label="本场内容", max_length=200)
    attendees = _text("参加人员", rows=4, required=True)
    attendees.help_text = "每行一人：姓名，单位 / 部门，职务，联系电话（后三项可省略）"

    def attendee_rows(self) -> list[dict]:
        rows = []
        for line in self.cleaned_data["attendees"].splitlines():
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if parts and parts[0]:
                rows.append(dict(zip(("name", "organisation", "position", "phone"), parts, strict=False)))
        return rows


class SizeForm(NamedRequiredMixin, forms.Form):
    size = forms.ChoiceField(label="项目规模", choices=[("", "请选择"), *Project.Size.choices])


class NoteForm(forms.Form):
    note = _text("提交说明")


class CommentForm(forms.Form):
    comment = _text("意见（退回必填）")


class IssueForm(NamedRequiredMixin, forms.Form):
    title = forms.CharField(label="遗留问题", max_length=200)
    description = _text("说明")


class IssueCloseForm(NamedRequiredMixin, forms.Form):
    """A one-line result written in the row: 完成情况 of an action item, 处理结果 of an issue."""

    resolution = forms.CharField(
        label="处理结果", max_length=500, widget=forms.TextInput(attrs={"placeholder": "处理结果 / 完成情况"})
    )


class SurveySendForm(NamedRequiredMixin, forms.Form):
    contact = forms.CharField(label="客户联系人", max_length=100)


class SurveyAnswerForm(NamedRequiredMixin, forms.Form):
    overall = forms.ChoiceField(label="总体满意度", choices=SCORE_CHOICES, widget=forms.RadioSelect)
    quality = forms.ChoiceField(label="实施质量", choices=SCORE_CHOICES, widget=forms.RadioSelect)
    service = forms.ChoiceField(label="服务态度", choices=SCORE_CHOICES, widget=forms.RadioSelect)
    timeliness = forms.ChoiceField(label="进度及时性", choices=SCORE_CHOICES, widget=forms.RadioSelect)
    comment = _text("意见与建议", rows=3)


class TrialDecisionForm(NamedRequiredMixin, forms.Form):
    """高管决定: what follows, and up to three tasks given with it."""

    ROWS = 3
    decision = _text("后续工作安排的决定", rows=3, required=True)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, self.ROWS + 1):
            self.fields[f"title_{n}"] = forms.CharField(label=f"任务 {n}", max_length=200, required=False)
            owner = _person(f"任务 {n} 负责人", project)
            owner.required = False
            self.fields[f"owner_{n}"] = owner
            self.fields[f"due_{n}"] = forms.DateField(label=f"任务 {n} 完成日期", required=False, widget=DATE)

    def tasks(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {"title": data[f"title_{n}"], "owner": data[f"owner_{n}"], "due_date": data[f"due_{n}"]}
            for n in range(1, self.ROWS + 1)
            if data.get(f"title_{n}")
        ]
