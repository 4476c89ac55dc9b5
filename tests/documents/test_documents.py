import io
import shutil
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pmis.audit.models import AuditEntry
from pmis.catalog.models import DocumentType
from pmis.documents import access
from pmis.documents.models import Attachment
from pmis.documents.pdf import render_pdf
from pmis.documents.selectors import attachments_for
from pmis.documents.services import attachment_add
from pmis.org.models import Region
from tests.conftest import PDF

pytestmark = pytest.mark.django_db


PNG = bytes.fromhex("89504E470D0A1A0A0000000D49484452") + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


@pytest.fixture
def region_documents(demo):
    """Documents on a region: visible to people who act for it, attachable by its leader."""
    access.register(
        Region,
        can_view=lambda user, region: user.has_perm("org.act_in_region", region),
        can_attach=lambda user, region: (
            user.groups.filter(name="special_approver").exists() and user.has_perm("org.act_in_region", region)
        ),
    )
    yield Region.objects.get(code="north")
    access.unregister(Region)


@pytest.fixture
def solution(demo):
    return DocumentType.objects.get(code="presales-solution")


def upload(name, content):
    return SimpleUploadedFile(name, content)


def test_a_second_upload_of_the_same_type_adds_a_version(demo, region_documents, solution):
    leader = demo["special_approver"]
    first = attachment_add(subject=region_documents, doc_type=solution, upload=upload("方案.pdf", PDF), actor=leader)
    second = attachment_add(
        subject=region_documents, doc_type=solution, upload=upload("方案v2.pdf", PDF + b"%x"), actor=leader
    )
    assert (first.version, second.version) == (1, 2)
    (slot,) = attachments_for(region_documents)
    assert slot.current == second and [a.version for a in slot.versions] == [2, 1]
    assert Attachment.objects.count() == 2
    assert first.file.read() == PDF  # the old version is still there
    assert AuditEntry.objects.filter(action="document.upload").count() == 2


def test_files_are_stored_under_generated_names(demo, region_documents, solution):
    a = attachment_add(
        subject=region_documents, doc_type=solution, upload=upload("../../etc/客户方案.pdf", PDF), actor=demo["admin"]
    )
    assert "客户方案" not in a.file.name and ".." not in a.file.name
    assert a.original_name.endswith("客户方案.pdf")
    assert len(a.sha256) == 64 and a.mime == "application/pdf"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("合同.pdf", PNG, "与扩展名"),
        ("合同.pdf", EXE, "不支持的文件类型"),
        ("setup.exe", EXE, "不支持的文件类型"),
        ("空.pdf", b"", "文件为空"),
        ("说明.txt", b"\x00\x01binary", "不支持的文件类型"),
    ],
)
def test_upload_is_checked_by_content(demo, region_documents, solution, name, content, message):
    with pytest.raises(ValidationError) as exc:
        attachment_add(subject=region_documents, doc_type=solution, upload=upload(name, content), actor=demo["admin"])
    assert message in " ".join(exc.value.messages)
    assert not Attachment.objects.exists()


def test_upload_size_limit(demo, region_documents, solution, settings):
    settings.PMIS_UPLOAD_MAX_MB = 1
    big = upload("大文件.pdf", PDF + b"0" * (1024 * 1024 + 10))
    with pytest.raises(ValidationError, match="不能超过 1 MB"):
        attachment_add(subject=region_documents, doc_type=solution, upload=big, actor=demo["admin"])


def test_text_and_licence_files(demo, region_documents, solution):
    text = attachment_add(
        subject=region_documents, doc_type=solution, upload=upload("说明.txt", "中文说明".encode()), actor=demo["admin"]
    )
    assert text.mime == "text/plain"
    licence = DocumentType.objects.get(code="licence-file")
    lic = attachment_add(
        subject=region_documents,
        doc_type=licence,
        upload=upload("授权.lic", b"\x8a\x01LICENSE\x00"),
        actor=demo["admin"],
    )
    assert lic.mime == "application/octet-stream"
    with pytest.raises(ValidationError):  # a .lic is only accepted as a licence file
        attachment_add(
            subject=region_documents,
            doc_type=solution,
            upload=upload("授权.lic", b"\x8a\x01X\x00"),
            actor=demo["admin"],
        )


def test_only_allowed_people_attach(demo, region_documents, solution):
    with pytest.raises(PermissionDenied):
        attachment_add(subject=region_documents, doc_type=solution, upload=upload("a.pdf", PDF), actor=demo["sales"])


def test_download_only_through_the_permission_checked_view(client, demo, region_documents, solution):
    a = attachment_add(
        subject=region_documents, doc_type=solution, upload=upload("方案.pdf", PDF), actor=demo["special_approver"]
    )
    url = reverse("documents:download", args=[a.pk])

    client.force_login(demo["regional_pm"])  # acts for the north: may see
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]

    client.force_login(demo["special_approver_south"])  # the other region: as if it did not exist
    assert client.get(url).status_code == 404
    assert client.get(reverse("documents:download", args=[a.pk + 999])).status_code == 404

    client.logout()
    assert client.get(url).status_code == 302
    assert client.get(f"/media/{a.file.name}").status_code == 404  # no direct file URL


def test_upload_view_reports_errors_in_chinese(client, demo, region_documents, solution):
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(Region)
    url = reverse("documents:upload", args=[ct.pk, region_documents.pk])
    client.force_login(demo["special_approver"])
    response = client.post(url, {"doc_type": solution.pk, "file": upload("合同.pdf", PNG), "next": "/"}, follow=True)
    assert "上传失败" in response.content.decode() and "与扩展名" in response.content.decode()
    response = client.post(url, {"doc_type": solution.pk, "file": upload("合同.pdf", PDF), "next": "/"}, follow=True)
    assert "已上传售前解决方案（第 1 版）" in response.content.decode()
    client.force_login(demo["special_approver_south"])
    assert client.post(url, {"doc_type": solution.pk, "file": upload("x.pdf", PDF)}).status_code == 404


@pytest.fixture(scope="module")
def sample_pdf():
    return render_pdf(
        "pdf/form.html",
        {
            "title": "项目实施登记表",
            "rows": [("客户名称", "北京某某银行股份有限公司"), ("采购产品", "电子印章认证、签章中间件")],
        },
    )


def test_pdf_embeds_the_cjk_font(sample_pdf, tmp_path):
    assert shutil.which("pdffonts"), "poppler-utils is installed by scripts/ensure_services.sh"
    path = tmp_path / "sample.pdf"
    path.write_bytes(sample_pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    # the Noto Sans CJK subset made once (pmis/documents/fonts.py), embedded as "PMIS CJK"
    cjk = [line for line in fonts.splitlines() if "PMIS-CJK" in line]
    assert cjk, fonts
    # columns: name type encoding emb sub uni object ID — the CJK font is embedded (emb = yes)
    assert all(line.split()[-5] == "yes" for line in cjk), fonts


def test_pdf_text_is_the_chinese_that_was_rendered(sample_pdf):
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(sample_pdf)).pages[0].extract_text()
    assert "项目实施登记表" in text.replace(" ", "")
    assert "北京某某银行股份有限公司" in text.replace(" ", "")
