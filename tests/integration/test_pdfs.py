"""Every PDF prints user text as text: markup in a name, an address or a note is
neither parsed nor followed, and the printed page keeps dates whole."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client
from pypdf import PdfReader

from jingzhun.cases.models import Case
from jingzhun.core.pdf import column_widths, pdf_text
from jingzhun.dashboards.reports import REPORT_KINDS
from tests import factories
from tests.case_steps import case_in_notice, people

pytestmark = pytest.mark.django_db

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_GROUP = '<a href="x">三组</a> & <b>'
HOSTILE_IMAGE = '<img src="/etc/passwd"/>'


def _text(response) -> str:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def _compact(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def hostile(village, other_village):
    staff = people(village, other_village)
    household = factories.household(village, attribute="09", group_name=HOSTILE_GROUP)
    factories.member(household, name=HOSTILE_NAME, birth=datetime.date(1970, 3, 5))
    factories.member(household, relation="10", name=HOSTILE_IMAGE)
    case = case_in_notice(staff, household, lead=f"大病 {HOSTILE_IMAGE}")
    return staff, household, Case.objects.get(pk=case.pk)


def test_the_household_form_prints_markup_as_text(hostile):
    staff, household, _case = hostile
    client = Client(headers={"accept-language": "zh-hans"})
    client.force_login(staff.village)
    text = _compact(_text(client.get(f"/imports/households/{household.pk}/form.pdf")))
    assert _compact(HOSTILE_NAME) in text
    assert _compact(HOSTILE_IMAGE) in text
    assert "三组" in text
    assert "&" in text


def test_notices_and_announcements_print_markup_as_text(hostile, village):
    staff, _household, _case = hostile
    client = Client(headers={"accept-language": "zh-hans"})
    client.force_login(staff.village)
    text = _compact(_text(client.get(f"/cases/notices/{village.code}/?format=pdf")))
    assert _compact(HOSTILE_NAME) in text
    client.force_login(staff.county)
    _text(client.get(f"/cases/announcements/{factories.COUNTY}/?format=pdf"))


@pytest.mark.parametrize("kind", list(REPORT_KINDS))
def test_every_report_pdf_renders(hostile, kind):
    staff, _household, _case = hostile
    client = Client(headers={"accept-language": "zh-hans"})
    client.force_login(staff.county)
    assert _text(client.get(f"/dashboards/{factories.COUNTY}/reports/{kind}/?export=pdf"))


def test_pdf_text_escapes_markup_and_replaces_missing_glyphs():
    assert pdf_text("<b>a</b> & c") == "&lt;b&gt;a&lt;/b&gt; &amp; c"
    assert pdf_text("农户信息表 · 1501") == "农户信息表 ・ 1501"
    assert pdf_text("a\x00b\nc") == "ab<br/>c"


def test_dates_and_numbers_get_room_to_stay_on_one_line():
    rows = [
        ["姓名", "证件号码", "出生日期", "备注"],
        ["王大山", "150124197003050011", "1970-03-05", "长文本" * 20],
    ]
    widths = column_widths(rows, 400, font_size=7.5)
    assert sum(widths) == pytest.approx(400)
    # 18 digits and 10 characters at about 4 points each, plus the cell's padding.
    assert widths[1] >= 18 * 7.5 * 0.55 + 8
    assert widths[2] >= 10 * 7.5 * 0.55 + 8
