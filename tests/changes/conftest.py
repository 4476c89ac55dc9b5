from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.aftersales.conftest import _to_acceptance, accepted, ticket_for  # noqa: F401  (shared fixtures)
from tests.projects.conftest import dispatched, project, upload  # noqa: F401

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def live(accepted):  # noqa: F811
    """A project after go-live (in acceptance), PM 郑北辰 (regional_pm); the release windows are the
    migration's, seeded again where a transactional test emptied the tables."""
    from changes.services.releases import release_windows_seed

    release_windows_seed()
    return accepted


CHANGE = {"kind": "new", "title": "合同审批增加会签节点", "description": "法务与财务会签", "proposer": "李科长"}
BUG = {"title": "批量签章偶发超时", "description": "超过 200 份时超时", "origin": "project"}
RELEASE = {
    "version": "V3.2.1",
    "reason": "修复批量签章超时",
    "problems_solved": "批量签章超时",
    "change_notes": "优化批量签章队列",
}
