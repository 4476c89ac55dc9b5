"""Every state a person sees on the project side is its Chinese label, never its code."""

import pytest
from django.urls import reverse

from projects.models import State
from projects.services import project_transition

pytestmark = pytest.mark.django_db


def test_a_suspended_project_names_the_phase_it_was_suspended_in(client, org, project):
    project = project_transition(project=project, actor=org["project_director"], action="start_requirements")
    project = project_transition(project=project, actor=org["project_director"], action="suspend", comment="客户暂停")
    assert project.state == State.SUSPENDED
    client.force_login(org["regional_pm"])
    body = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "（暂停前：需求确认）" in body
    assert "requirements）" not in body


def test_the_directors_decided_queue_shows_the_initiation_in_chinese(client, org, project):
    client.force_login(org["project_director"])
    body = client.get(reverse("registrations:queue") + "?tab=decided").content.decode()
    assert "已立项" in body
    assert "<td>initiated</td>" not in body
