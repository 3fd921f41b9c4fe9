"""The assessment on a small crafted county: two townships whose figures and findings are
written by hand, scored by the published method, recorded as a run and printed."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from jingzhun.accounts.choices import Role
from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.models import Area
from jingzhun.dashboards.assessment import assessment_latest, assessment_run
from jingzhun.dashboards.models import AggregateRun, AreaFigure, AssessmentRun, AssessmentScore
from jingzhun.oversight.models import Finding
from tests import factories

pytestmark = pytest.mark.usefixtures("reference_data")


@pytest.fixture
def crafted(village, other_village):
    county = Area.objects.get(code=factories.COUNTY)
    today = timezone.localdate()
    run = AggregateRun.objects.create(
        area=county, as_of=today, income_year=today.year - 1, status="succeeded"
    )
    figures = {
        village.parent_id: {
            "in_procedure": 4,
            "in_procedure_overdue": 1,
            "monitored_open": 10,
            "covered_by_measure": 8,
            "visited_recently": 5,
            "households": 200,
            "with_quality_issue": 10,
        },
        other_village.parent_id: {
            "monitored_open": 2,
            "covered_by_measure": 2,
            "visited_recently": 2,
            "households": 100,
            "warned": 1,
        },
    }
    AreaFigure.objects.bulk_create(
        AreaFigure(area_code=code, level=AreaLevel.TOWNSHIP, figure=figure, key="", value=value, run=run)
        for code, values in figures.items()
        for figure, value in values.items()
    )
    officer = factories.user("assess-county", Role.COUNTY_OFFICER, county)
    for deadline in (today - datetime.timedelta(days=1), today + datetime.timedelta(days=9)):
        Finding.objects.create(
            source="inspection",
            problem_type="02",
            area=village,
            issuing_area=county,
            description="x",
            raised_by=officer,
            raised_on=today - datetime.timedelta(days=20),
            deadline=deadline,
        )
    return county, officer, village.parent, other_village.parent


def test_the_scores_equal_a_hand_computation(crafted):
    county, officer, first, second = crafted
    run = assessment_run(area=county, user=officer)
    assert run.status == "succeeded"
    _run, scores = assessment_latest(county)
    by_code = {s.area.code: s for s in scores}
    # First township, weights 20/20/15/15/10/10/10 (spending and warnings not measurable):
    # procedures 3/4 → 15; coverage 8/10 → 16; visits 5/10 → 7.5; quality 50‰ of a 100‰
    # limit → 7.5; rectification 1 of 2 overdue → 5: 51 of 80 → 63.75.
    assert by_code[first.code].score == 63.75
    # Second: coverage, visits, quality, warnings all full (60 of 60): 100.
    assert by_code[second.code].score == 100.0
    assert (by_code[second.code].rank, by_code[first.code].rank) == (1, 2)
    stored = AssessmentScore.objects.get(run=run, area=first)
    assert stored.values["coverage"][:2] == [0.8, 16.0]


def test_the_page_computes_shows_and_prints_the_run(crafted):
    county, officer, first, _second = crafted
    client = Client()
    client.force_login(officer)
    assert 'data-testid="ranking"' in client.get(f"/dashboards/{county.code}/assessment/").content.decode()
    assert client.post(f"/dashboards/{county.code}/assessment/").status_code == 302
    page = client.get(f"/dashboards/{county.code}/assessment/").content.decode()
    assert 'data-testid="assessment-run"' in page
    assert "63.75" in page
    pdf = client.get(f"/dashboards/{county.code}/assessment/?format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(pdf.content)).pages)
    assert first.name in text
    assert "63.75" in text
    # A village cadre sees no ranking above their village and computes nothing.
    client.force_login(factories.village_cadre(crafted_village(first)))
    assert client.post(f"/dashboards/{county.code}/assessment/").status_code == 404
    assert client.post(f"/dashboards/{crafted_village(first).code}/assessment/").status_code == 302
    assert AssessmentRun.objects.count() == 1


def crafted_village(township):
    return Area.objects.filter(parent=township).order_by("code").first()
