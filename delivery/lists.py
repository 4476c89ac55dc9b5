"""全部满意度调查 in the shared list pattern (pmis/lists.py)."""

from pmis.lists import Column, ListSpec, Sort, figure_limit


def _scores(survey) -> str:
    return "—" if survey.average is None else str(survey.average)


SURVEYS = ListSpec(
    title="客户满意度调查",
    sorts={
        "sent": Sort("发出时间", ("sent_at", "id")),  # survey_sent
        "answered": Sort("回复时间", ("answered_at", "id")),  # survey_answered
    },
    default_sort="-sent",
    search_fields=("project__name", "project__code", "contact"),
    keyword_label="项目 / 联系人",
    columns=(
        Column("项目编号", lambda s: s.project.code),
        Column("项目", lambda s: s.project.name),
        Column("区域", lambda s: s.project.region or ""),
        Column("项目经理", lambda s: s.project.pm or ""),
        Column("客户联系人", lambda s: s.contact),
        Column("状态", lambda s: s.get_state_display()),
        Column("回复方式", lambda s: s.get_channel_display() if s.channel else ""),
        Column("发出时间", lambda s: s.sent_at),
        Column("回复时间", lambda s: s.answered_at or ""),
        Column("总体", lambda s: s.overall or ""),
        Column("平均分", _scores),
        Column("意见", lambda s: s.comment),
    ),
    count_limit=figure_limit,  # a long list: counted as far as the departments' figures
)
