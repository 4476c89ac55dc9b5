"""The inbox through the API: what waits on me, and acting on it by the page's rules."""

import pytest

from approvals.models import Task
from approvals.selectors import open_tasks_for
from registrations.models import State
from registrations.services import registration_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(make_registration, org):
    registration = make_registration()
    return registration_submit(registration=registration, actor=org["sales"])


def _item(api, registration):
    items = api.get("/api/v1/inbox/").json()["results"]
    return next(i for i in items if i["record_type"] == "registration" and i["object_id"] == registration.pk)


def test_approver_sees_and_approves_with_the_review(api_as, submitted):
    api = api_as("business_approver", name="OA 待办")
    item = _item(api, submitted)
    assert item["actions"] == ["approve", "return", "reject"]
    refused = api.post(
        f"/api/v1/inbox/{item['id']}/act/", {"decision": "approve", "version": item["version"]}, format="json"
    )
    assert refused.status_code == 422
    assert "请完成商务审核要点" in refused.json()["message"]
    review = {"contract_status": True, "first_payment": True, "requirements_match": True, "scope_pricing": True}
    done = api.post(
        f"/api/v1/inbox/{item['id']}/act/",
        {"decision": "approve", "version": item["version"], "comment": "同意", "review": review},
        format="json",
    )
    assert done.status_code == 200, done.json()
    submitted.refresh_from_db()
    assert submitted.state == State.DISPATCHED


def test_return_needs_a_reason(api_as, submitted):
    api = api_as("business_approver")
    item = _item(api, submitted)
    response = api.post(
        f"/api/v1/inbox/{item['id']}/act/", {"decision": "return", "version": item["version"]}, format="json"
    )
    assert response.status_code == 422
    assert response.json()["message"] == "退回必须填写原因"


def test_a_stale_version_says_who_acted(api_as, submitted, org):
    api = api_as("business_approver")
    item = _item(api, submitted)
    page_user = api_as("business_approver", name="第二个")
    page_user.post(
        f"/api/v1/inbox/{item['id']}/act/",
        {"decision": "return", "version": item["version"], "comment": "缺合同"},
        format="json",
    )
    response = api.post(
        f"/api/v1/inbox/{item['id']}/act/", {"decision": "approve", "version": item["version"]}, format="json"
    )
    assert response.status_code == 409
    assert "周敏" in response.json()["message"]


def test_nobody_approves_their_own_registration(api_as, org, make_registration):
    """A sales manager who files a registration himself never gets its approval step."""
    from django.contrib.auth.models import Group

    manager = org["sales_manager"]
    manager.groups.add(Group.objects.get(name="sales"))
    registration = make_registration(owner=manager, signed=False)
    registration_submit(registration=registration, actor=manager)
    task = open_tasks_for(registration).get()
    api = api_as("sales_manager")
    assert all(i["id"] != task.pk for i in api.get("/api/v1/inbox/").json()["results"])
    response = api.post(f"/api/v1/inbox/{task.pk}/act/", {"decision": "approve", "version": "x"}, format="json")
    assert response.status_code == 404
    assert Task.objects.get(pk=task.pk).state == Task.State.OPEN


def test_another_regions_step_is_not_found(api_as, make_registration, org):
    registration = make_registration(signed=False)  # north, special approval after the manager
    registration_submit(registration=registration, actor=org["sales"])
    task = open_tasks_for(registration).get()
    response = api_as("sales_manager2").post(
        f"/api/v1/inbox/{task.pk}/act/", {"decision": "approve", "version": "x"}, format="json"
    )
    assert response.status_code == 404
