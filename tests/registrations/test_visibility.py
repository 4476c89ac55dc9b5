"""The search box and the registration page agree on who may see a registration: the queryset
`registrations_visible` holds exactly what `registration_can_view` opens, for every role."""

import pytest

from pmis.org.models import User
from projects import services
from registrations.models import Kind, Registration
from registrations.selectors import registration_can_view, registrations_visible
from tests.projects.conftest import dispatched  # noqa: F401  (shared fixture)

pytestmark = pytest.mark.django_db


def test_the_search_and_the_page_agree_on_every_registration_for_every_user(
    org,
    make_registration,
    dispatched,  # noqa: F811
    parent_project,
):
    make_registration(signed=False)  # waits on the sales manager of the owner's team
    make_registration(owner=org["sales2"], province="广东")
    initiated = dispatched()
    services.project_initiate(
        registration=initiated, actor=org["project_director"], name="", overview="", svn_path="/svn/x",
        feasibility="可行", risk="可控", pm=org["regional_pm"], implementers=[org["implementer"]],
    )  # fmt: skip
    upgrade = dispatched(Kind.UPGRADE, owner=org["sales2"], parent_project=parent_project, new_contract=False)
    services.project_initiate(
        registration=upgrade, actor=org["regional_pm"], name="", overview="", svn_path="", feasibility="可行",
        risk="可控", pm=org["regional_pm"],
    )  # fmt: skip

    registrations = list(Registration.objects.select_related("owner"))
    checked = 0
    for user in User.objects.filter(is_active=True):
        visible = set(registrations_visible(user).values_list("pk", flat=True))
        for registration in registrations:
            assert (registration.pk in visible) == registration_can_view(user, registration), (
                user.username,
                registration.pk,
            )
            checked += registration.pk in visible
    assert checked > len(registrations)  # several people see each registration: the test compares real sets
