"""The outcome of a decided step is shown in Chinese wherever a person reads it."""

import re
from pathlib import Path

import pytest

from approvals.models import OUTCOME_LABELS, Task

pytestmark = pytest.mark.django_db


def test_every_outcome_a_service_records_has_a_chinese_label():
    root = Path(__file__).resolve().parents[2]
    recorded = set()
    for path in [*root.glob("*/services.py"), *root.glob("*/services/*.py")]:
        source = path.read_text(encoding="utf-8")
        recorded |= set(re.findall(r'outcome="(\w+)"', source))
        recorded |= set(re.findall(r'_close_step\([^)]*"(\w+)"\)', source))
        # a conditional outcome: outcome="approve" if approve else "return", or a step closed with one
        for a, b in re.findall(r'(?:outcome=|_close_step\([^)]*)"(\w+)" if \w+ else "(\w+)"', source):
            recorded |= {a, b}
    recorded |= {"cancelled"}
    assert recorded, "no outcome codes found"
    missing = {code for code in recorded if code not in OUTCOME_LABELS}
    assert not missing
    assert Task(outcome="cancelled").outcome_label == "已取消"
