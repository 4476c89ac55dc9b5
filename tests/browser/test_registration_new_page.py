"""On the new-registration page the province list follows the chosen region, and a file chosen
before the first save is stored with the draft — in Chromium."""

import pytest

from pmis.documents.models import Attachment
from pmis.org.models import Province, Region
from registrations.models import Registration
from tests.conftest import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _province_names(page):
    return [t for t in page.locator("#id_province option").all_inner_texts() if t != "请选择"]


def test_province_follows_region_and_a_file_goes_with_the_first_save(page, live_server, demo, login, tmp_path):
    north, other = Region.objects.get(code="north"), Region.objects.exclude(code="north").first()
    north_names = list(Province.objects.filter(region=north).values_list("name", flat=True))
    other_names = list(Province.objects.filter(region=other).values_list("name", flat=True))
    assert north_names and other_names

    login(page, "sales")
    page.goto(f"{live_server.url}/registrations/new/local/")
    assert sorted(_province_names(page)) == sorted(Province.objects.values_list("name", flat=True))
    page.select_option("#id_region", label=north.name)
    assert sorted(_province_names(page)) == sorted(north_names)
    page.select_option("#id_province", label=north_names[0])
    page.select_option("#id_region", label=other.name)
    assert sorted(_province_names(page)) == sorted(other_names)
    assert page.locator("#id_province").input_value() == ""  # the north province is no longer chosen
    page.select_option("#id_region", label=north.name)
    page.select_option("#id_province", label=north_names[0])
    page.screens.shot("region-province")

    page.fill("#id_customer_name", "京北市轨道交通集团有限公司")
    solution = tmp_path / "售前解决方案.pdf"
    solution.write_bytes(PDF)
    page.set_input_files("#id_attach-presales-solution", str(solution))
    page.click("button[value=save]")
    page.wait_for_selector(".messages")
    assert "草稿已保存，已上传 1 个附件" in page.inner_text(".messages")
    assert "售前解决方案.pdf" in page.inner_text("#attachments")
    page.screens.shot("saved-with-attachment")

    draft = Registration.objects.get(owner=demo["sales"])
    assert draft.region == north and draft.province.name == north_names[0]
    assert Attachment.objects.filter(object_id=draft.pk, doc_type__code="presales-solution").count() == 1
