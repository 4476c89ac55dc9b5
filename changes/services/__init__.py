from .bugs import (
    bug_check,
    bug_confirm,
    bug_feedback,
    bug_file,
    bug_product_review,
    bug_product_verify,
    bug_project_fix,
    bug_rd_fix,
    monthly_bug_lists,
)
from .change_requests import (
    change_deadline_reminders,
    change_request_delay_notice,
    change_request_discuss,
    change_request_evaluate,
    change_request_review,
    change_request_submit,
    change_request_verify,
    change_request_work_done,
)
from .releases import (
    release_assign_tester,
    release_confirm,
    release_consent,
    release_director_decide,
    release_perform,
    release_request,
    release_rollback,
    release_sign_off,
    release_test,
    release_verify,
    release_watch_done,
)

__all__ = [
    "bug_check", "bug_confirm", "bug_feedback", "bug_file", "bug_product_review", "bug_product_verify",
    "bug_project_fix", "bug_rd_fix", "monthly_bug_lists", "change_deadline_reminders",
    "change_request_delay_notice", "change_request_discuss", "change_request_evaluate", "change_request_review",
    "change_request_submit", "change_request_verify", "change_request_work_done", "release_assign_tester",
    "release_confirm", "release_consent", "release_director_decide", "release_perform", "release_request",
    "release_rollback", "release_sign_off", "release_test", "release_verify", "release_watch_done",
]  # fmt: skip
