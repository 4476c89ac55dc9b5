"""The admin of the flows' records: every list opens in Chinese for the administrator, searches,
filters, and offers no add, edit or delete (the states move only through the services); the list's
query count does not grow with its rows."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pmis.records_admin import FlowRecordAdmin
from tests.aftersales.conftest import _to_acceptance, accepted  # noqa: F401  (shared fixtures)
from tests.projects.conftest import dispatched, project, upload  # noqa: F401

pytestmark = pytest.mark.django_db

FLOW_ADMINS = sorted(
    (
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, FlowRecordAdmin)
    ),
    key=lambda pair: pair[0]._meta.label,
)


def _url(model, suffix="changelist"):
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/" + ("" if suffix == "changelist" else suffix)


def test_the_flows_of_every_department_have_their_records_in_the_admin():
    labels = {model._meta.label for model, _ in FLOW_ADMINS}
    assert {
        "success.CloudOrder", "success.ServiceRequest", "success.Licence", "success.IntegrationRequest",
        "platformops.CloudDeployment", "changes.Bug", "changes.ChangeRequest", "changes.Release",
        "delivery.Meeting", "delivery.Survey", "operations.Incident", "operations.Repair",
    } <= labels  # fmt: skip


@pytest.mark.parametrize(("model", "model_admin"), FLOW_ADMINS, ids=[m._meta.label for m, _ in FLOW_ADMINS])
def test_each_record_list_opens_searches_and_filters_in_chinese(client, org, model, model_admin):
    client.force_login(org["admin"])
    page = client.get(_url(model))
    assert page.status_code == 200
    html = page.content.decode()
    assert str(model._meta.verbose_name) in html and "Select" not in html
    assert _url(model, "add/") not in html  # records are filed through their flows
    assert client.get(_url(model), {"q": "PJ2026"}).status_code == 200
    for name in model_admin.list_filter:
        field = model._meta.get_field(name)
        value = field.choices[0][0] if field.choices else "1"
        assert client.get(_url(model), {f"{name}__exact": value}).status_code == 200


def test_a_record_is_shown_but_not_changed_in_the_admin(client, org, accepted):  # noqa: F811
    live = accepted
    from changes import services
    from changes.models import Bug
    from tests.changes.conftest import BUG

    bug = services.bug_file(project=live, actor=org["implementer"], data=BUG)
    client.force_login(org["admin"])
    page = client.get(_url(Bug, f"{bug.pk}/change/")).content.decode()
    assert bug.title in page and 'name="title"' not in page
    client.post(_url(Bug, f"{bug.pk}/change/"), {"title": "改过的", "state": "closed"})
    bug.refresh_from_db()
    assert bug.title == BUG["title"] and bug.state == Bug.State.PENDING_CONFIRM
    assert client.post(_url(Bug, f"{bug.pk}/delete/"), {"post": "yes"}).status_code == 403


def test_the_bug_list_costs_the_same_queries_with_more_rows(client, org, accepted):  # noqa: F811
    live = accepted
    from changes import services
    from changes.models import Bug
    from tests.changes.conftest import BUG

    client.force_login(org["admin"])
    services.bug_file(project=live, actor=org["implementer"], data=BUG)
    with CaptureQueriesContext(connection) as one:
        client.get(_url(Bug))
    for _ in range(5):
        services.bug_file(project=live, actor=org["implementer"], data=BUG)
    with CaptureQueriesContext(connection) as six:
        client.get(_url(Bug))
    assert len(six) == len(one)
