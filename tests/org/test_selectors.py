import pytest
from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm, remove_perm

from pmis.org.models import Region, User
from pmis.org.selectors import user_region_ids, user_regions

pytestmark = pytest.mark.django_db


def _fresh(user):
    return User.objects.get(pk=user.pk)  # the region ids are read once per user object


def test_region_ids_are_the_regions_granted_to_him_or_his_groups():
    north, south, west = (
        Region.objects.create(code=code, name=name)
        for code, name in (("tn", "华北测试区"), ("ts", "华南测试区"), ("tw", "西部测试区"))
    )
    user = User.objects.create_user(username="region-reader", password="x")
    other = User.objects.create_user(username="region-other", password="x")
    team = Group.objects.create(name="region-test-team")
    user.groups.add(team)
    assert user_region_ids(_fresh(user)) == frozenset()

    assign_perm("org.act_in_region", user, north)
    assign_perm("org.act_in_region", team, south)
    assign_perm("org.act_in_region", other, west)  # somebody else's region is not his
    ids = user_region_ids(_fresh(user))
    assert ids == {north.pk, south.pk}
    assert ids == set(user_regions(user).values_list("pk", flat=True))

    remove_perm("org.act_in_region", user, north)
    user.groups.remove(team)
    assert user_region_ids(_fresh(user)) == frozenset()
