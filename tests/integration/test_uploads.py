"""Uploads are hostile: accepted by content, re-encoded when they are photos, and
never served so that a browser renders them as a page of this site."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.utils import timezone
from PIL import Image

from jingzhun.assistance import services as assistance_services
from jingzhun.assistance.models import Visit, VisitPhoto
from jingzhun.cases import services as case_services
from jingzhun.cases.choices import AttachmentKind
from jingzhun.cases.models import Case, CaseAttachment
from jingzhun.cases.services import Upload
from jingzhun.core.uploads import clean_document
from jingzhun.funds.models import Fund, FundMovement
from jingzhun.imports.models import ImportRun
from jingzhun.oversight.models import Finding, FindingPhoto
from jingzhun.projects.choices import AttachmentKind as ProjectAttachmentKind
from jingzhun.projects.models import ProjectAttachment
from tests import factories
from tests.case_steps import people
from tests.project_steps import proposal

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
HTML = b"<html><body><script>fetch('/api-tokens/',{method:'POST'})</script></body></html>"
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"><script>alert(1)</script></svg>'
)
HOSTILE = [
    ("evil.html", HTML, "text/html"),
    ("evil.svg", SVG, "image/svg+xml"),
    ("evil.jpg", HTML, "image/jpeg"),  # a photo's name over a page's bytes
    ("evil.gif", b"GIF89a" + HTML, "image/gif"),  # a polyglot's first bytes
    ("evil.pdf.jpg", b"%PDF-1.4\n" + HTML, "image/jpeg"),
]


def client_for(user):
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def _visit(cadre, household, photos):
    return assistance_services.visit_record(
        user=cadre, household=household, visited_on=TODAY, notes="走访", photos=photos
    )


@pytest.mark.parametrize(("name", "content", "content_type"), HOSTILE)
def test_a_visit_photo_that_is_not_an_image_is_refused_and_nothing_is_saved(
    cadre, village, name, content, content_type
):
    household = factories.household(village)
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    with pytest.raises(ValidationError) as refused:
        _visit(cadre, household, [factories.photo("ok.jpg"), upload])
    assert "photos" in refused.value.message_dict
    assert not Visit.objects.exists()
    assert not VisitPhoto.objects.exists()


def test_the_visit_form_shows_the_refusal(cadre, village):
    household = factories.household(village)
    response = client_for(cadre).post(
        f"/assistance/households/{household.pk}/visits/new/",
        {"visited_on": TODAY.isoformat(), "notes": "走访", "photos": SimpleUploadedFile("evil.svg", SVG)},
    )
    assert response.status_code == 200
    assert "The file is not a photo" in response.content.decode()
    assert not Visit.objects.exists()


def test_a_photo_is_re_encoded_without_its_metadata_and_served_inline_as_an_image(cadre, village):
    household = factories.household(village)
    visit = _visit(cadre, household, [factories.photo("门口.jpg", size=(4000, 3000), exif_gps=True)])
    photo = visit.photos.get()
    stored = photo.file.open("rb").read()
    assert b"SecretCam" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert max(image.size) == 2560  # downscaled for weak networks
    assert photo.original_name == "门口.jpg"
    # The one piece of metadata kept: where it was taken, as the visit's location.
    visit.refresh_from_db()
    assert (visit.latitude, visit.longitude) == (Decimal("39.900000"), Decimal("111.600000"))
    assert not photo.file.name.endswith("门口.jpg")  # stored under a generated name
    response = client_for(cadre).get(f"/assistance/photos/{photo.pk}/")
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_photo_with_transparency_stays_a_png(cadre, village):
    buffer = io.BytesIO()
    Image.new("RGBA", (32, 32), (0, 0, 0, 0)).save(buffer, format="PNG")
    household = factories.household(village)
    visit = _visit(cadre, household, [SimpleUploadedFile("sign.png", buffer.getvalue())])
    assert visit.photos.get().file.open("rb").read().startswith(b"\x89PNG")


def test_a_pixel_bomb_is_refused_before_it_is_decoded(cadre, village):
    # 80 million pixels packed into a few kilobytes.
    side = 9000
    buffer = io.BytesIO()
    Image.new("1", (side, side)).save(buffer, format="PNG")
    assert len(buffer.getvalue()) < 1024 * 1024
    household = factories.household(village)
    with pytest.raises(ValidationError) as refused:
        _visit(cadre, household, [SimpleUploadedFile("bomb.png", buffer.getvalue())])
    assert "million pixels" in refused.value.message_dict["photos"][0]
    assert not Visit.objects.exists()


def test_an_oversized_upload_is_refused(cadre, village, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    household = factories.household(village)
    with pytest.raises(ValidationError, match="larger than"):
        _visit(cadre, household, [factories.photo(size=(400, 300))])


@pytest.mark.parametrize(("name", "content", "content_type"), HOSTILE)
def test_a_case_attachment_must_be_a_document_or_photo(village, other_village, name, content, content_type):
    staff = people(village, other_village)
    household = factories.household(village, attribute="09")
    factories.member(household)
    case = case_services.identification_open(user=staff.village, household=household, lead="x")
    before = Case.objects.get(pk=case.pk).state
    with pytest.raises(ValidationError) as refused:
        case_services.case_transition(
            user=staff.village,
            case=case,
            action="submit_application",
            uploads=[
                Upload(AttachmentKind.SIGNED_APPLICATION, SimpleUploadedFile(name, content, content_type))
            ],
        )
    assert "file" in refused.value.message_dict
    assert Case.objects.get(pk=case.pk).state == before
    assert not CaseAttachment.objects.exists()


def test_office_files_pdfs_and_photos_are_accepted_as_evidence_by_content():
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer)
    workbook.add_worksheet().write(0, 0, "会议记录")
    workbook.close()
    assert clean_document(SimpleUploadedFile("签到表.xlsx", buffer.getvalue())).content.name.endswith(".xlsx")
    assert clean_document(factories.photo("公示.jpg")).content_type == "image/jpeg"
    assert clean_document(SimpleUploadedFile("a.pdf", b"%PDF-1.7 x\n%%EOF")).content_type == "application/pdf"
    # A zip that is not an office file, whatever its name.
    with pytest.raises(ValidationError):
        clean_document(SimpleUploadedFile("a.docx", _zip_with("word.html", HTML)))


def _zip_with(name: str, data: bytes) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


# --- every stored upload, planted as HTML, is never served inline -------------------


def _plant_visit_photo(staff, household) -> str:
    visit = Visit.objects.create(household=household, visitor=staff.village, visited_on=TODAY, notes="x")
    photo = VisitPhoto.objects.create(
        visit=visit, file=ContentFile(HTML, name="x.jpg"), original_name="x.html"
    )
    return f"/assistance/photos/{photo.pk}/"


def _plant_case_attachment(staff, household) -> str:
    case = case_services.identification_open(user=staff.village, household=household, lead="x")
    attachment = CaseAttachment.objects.create(
        case=case, kind=AttachmentKind.OTHER, file=ContentFile(HTML, name="x.pdf"), original_name="x.html"
    )
    return f"/cases/attachments/{attachment.pk}/"


def _plant_import_file(staff, household) -> None:
    ImportRun.objects.create(
        file=ContentFile(HTML, name="x.csv"),
        file_name="x.html",
        file_sha256="0" * 64,
        started_by=staff.county,
    )
    return None  # an import's file is read by the worker and never served


def _plant_project_attachment(staff, household) -> str:
    project = proposal(staff.village)
    attachment = ProjectAttachment.objects.create(
        project=project,
        kind=ProjectAttachmentKind.OTHER,
        file=ContentFile(HTML, name="x.pdf"),
        original_name="x.html",
    )
    return f"/projects/attachments/{attachment.pk}/"


def _plant_voucher(staff, household) -> str:
    project = proposal(staff.village)
    fund = Fund.objects.create(
        document_number="1",
        title="x",
        issued_on=TODAY,
        year=TODAY.year,
        level="central",
        fund_type="01",
        amount=Decimal("100.00"),
        area=staff.county.area,
        recorded_by=staff.county,
    )
    movement = FundMovement.objects.create(
        kind="payment",
        fund=fund,
        project=project,
        amount=Decimal("1.00"),
        occurred_on=TODAY,
        recorded_by=staff.county,
        voucher=ContentFile(HTML, name="x.pdf"),
        voucher_name="x.html",
    )
    return f"/funds/movements/{movement.pk}/voucher/"


def _plant_finding_photo(staff, household) -> str:
    finding = Finding.objects.create(
        source="inspection",
        problem_type="02",
        area_id=household.village_id,
        issuing_area=staff.county.area,
        description="x",
        raised_by=staff.county,
        raised_on=TODAY,
        deadline=TODAY,
    )
    photo = FindingPhoto.objects.create(
        finding=finding,
        stage="problem",
        file=ContentFile(HTML, name="x.jpg"),
        original_name="x.html",
        uploaded_by=staff.county,
    )
    return f"/oversight/rectification/photos/{photo.pk}/"


# Each model that stores an uploaded file, with how to plant one and where it is served.
PLANTERS = {
    VisitPhoto: _plant_visit_photo,
    CaseAttachment: _plant_case_attachment,
    ImportRun: _plant_import_file,
    ProjectAttachment: _plant_project_attachment,
    FundMovement: _plant_voucher,
    FindingPhoto: _plant_finding_photo,
}


def test_every_model_that_stores_an_upload_is_checked_here():
    stores_files = {
        model
        for model in apps.get_models()
        if any(isinstance(field, models.FileField) for field in model._meta.get_fields())
    }
    assert stores_files == set(PLANTERS)


@pytest.mark.parametrize("model", list(PLANTERS), ids=lambda model: model.__name__)
def test_a_planted_page_is_served_only_as_an_opaque_download(village, other_village, model):
    staff = people(village, other_village)
    household = factories.household(village, attribute="09")
    factories.member(household)
    url = PLANTERS[model](staff, household)
    if url is None:
        return
    response = client_for(staff.county).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


# --- no page carries inline script, and every page carries the policy ---------------

TEMPLATES = Path(settings.BASE_DIR) / "jingzhun" / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda path: str(path.relative_to(TEMPLATES))
)
def test_no_template_carries_inline_script(template):
    text = template.read_text()
    assert not INLINE_SCRIPT.findall(text)
    assert not INLINE_HANDLER.findall(text)
    assert "javascript:" not in text


def test_pages_carry_the_content_security_policy(cadre):
    response = client_for(cadre).get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-eval" not in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy


# --- spreadsheets that unpack to far more than they weigh ------------------------


def _workbook_bomb(rows: int, *, cell: str = "") -> bytes:
    """A real .xlsx whose sheet is swapped for one of ``rows`` rows: a few kilobytes packed."""
    import zipfile

    import xlsxwriter

    plain = io.BytesIO()
    workbook = xlsxwriter.Workbook(plain)
    workbook.add_worksheet().write(0, 0, "x")
    workbook.close()
    body = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{cell}</t></is></c></row>' for n in range(1, rows)
    )
    sheet = (
        '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{body}</sheetData></worksheet>"
    )
    bomb = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source,
        zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for item in source.infolist():
            is_sheet = item.filename == "xl/worksheets/sheet1.xml"
            target.writestr(item.filename, sheet if is_sheet else source.read(item.filename))
    return bomb.getvalue()


def test_a_workbook_with_too_many_rows_is_refused_before_it_is_parsed(village, settings):
    from jingzhun.imports.services import household_import
    from jingzhun.registry.models import Household

    settings.SHEET_MAX_ROWS = 1_000
    data = _workbook_bomb(5_000)
    report = household_import(user=None, file_name="bomb.xlsx", data=data)
    assert not report.ok
    assert "more than 1,000 rows" in report.errors[0].reason
    assert not Household.objects.exists()


def test_a_workbook_that_unpacks_past_the_limit_is_refused(village, settings):
    from jingzhun.departments.services import department_import

    settings.SHEET_MAX_UNPACKED_MB = 1
    data = _workbook_bomb(3_000, cell="户" * 200)
    assert len(data) < 100 * 1024  # a hundred kilobytes that unpack to several megabytes
    report = department_import(user=None, dataset_type="medical", file_name="医保.xlsx", data=data)
    assert not report.ok
    assert "unpacks to" in report.errors[0].reason


def test_a_csv_with_too_many_rows_or_columns_is_refused(village, settings):
    from jingzhun.core.spreadsheets import FileFormatError, read_columns

    settings.SHEET_MAX_ROWS = 100
    rows = "姓名,证件号码,户编号\n" + "张三,1,2\n" * 500
    with pytest.raises(FileFormatError, match="more than 100 rows"):
        read_columns(Path("a.csv"), rows.encode(), known_headers={"姓名", "证件号码", "户编号"})
    settings.SHEET_MAX_ROWS = 1_000
    wide = ",".join(["姓名", "证件号码", "户编号", *(f"c{n}" for n in range(300))]) + "\n"
    with pytest.raises(FileFormatError, match="303 columns; at most 200"):
        read_columns(Path("a.csv"), wide.encode(), known_headers={"姓名", "证件号码", "户编号"})


def test_a_sheet_within_the_limits_is_read(settings):
    from jingzhun.core.spreadsheets import read_sheet

    settings.SHEET_MAX_ROWS = 1_000
    data = _workbook_bomb(900)
    # The rows are read; no header is found in this sheet, which the reader says as usual.
    from jingzhun.core.spreadsheets import FileFormatError

    with pytest.raises(FileFormatError, match="No header row"):
        read_sheet(Path("ok.xlsx"), data, known_headers={"姓名", "证件号码"})


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda path: str(path.relative_to(TEMPLATES))
)
def test_every_ampersand_in_a_link_is_escaped(template):
    # "&not_visited" in an attribute is read by browsers as "¬_visited".
    for href in re.findall(r'href="([^"]*)"', template.read_text()):
        assert not re.search(r"&(?!amp;)", href), href
