from datetime import timedelta

import pytest

from pmis.worktime.display import duration_text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (21600, "6 小时"),
        (timedelta(minutes=10080), "7 天"),
        (timedelta(days=1, hours=2, minutes=30), "1 天 2 小时 30 分钟"),
        (timedelta(minutes=30), "30 分钟"),
        (timedelta(hours=48), "2 天"),
        (45, "不足 1 分钟"),
        (0, "0 分钟"),
        (None, "—"),
    ],
)
def test_durations_read_in_days_hours_and_minutes(value, text):
    assert duration_text(value) == text
