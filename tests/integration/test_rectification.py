"""The rectification ledger: findings raised over lower areas, the responsible area submits,
the issuing level signs off or returns; every move not in the table, or by the wrong
area, is refused and changes nothing; overdue and repeated problems are flagged."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from jingzhun.areas.models import Area
from jingzhun.oversight import rectification, selectors
from jingzhun.oversight.choices import FindingSource, RectificationAction, RectificationState, Severity
from jingzhun.oversight.models import Finding, Inspection
from jingzhun.oversight.workflow import TRANSITIONS
from tests import factories
from tests.case_steps import people

pytestmark = pytest.mark.usefixtures("reference_data")
A = RectificationAction
S = RectificationState


@pytest.fixture
def staff(village, other_village):
    return people(village, other_village)


def _raise(staff, village, **extra):
    return rectification.finding_raise(
        user=staff.township,
        area=village,
        source=FindingSource.INSPECTION,
        problem_type="02",
        description="监测户王某无产业帮扶措施",
        **extra,
    )


def _snapshot(finding):
    finding = Finding.objects.get(pk=finding.pk)
    return finding.state, finding.events.count(), finding.measures


def test_raise_submit_return_and_sign_off(staff, village):
    finding = _raise(staff, village, severity=Severity.HIGH)
    assert finding.deadline == timezone.localdate() + datetime.timedelta(days=15)
    with pytest.raises(ValidationError):
        rectification.finding_transition(user=staff.village, finding=finding, action=A.SUBMIT, measures=" ")
    finding = rectification.finding_transition(
        user=staff.village, finding=finding, action=A.SUBMIT, measures="已落实产业奖补"
    )
    finding = rectification.finding_transition(
        user=staff.township, finding=finding, action=A.RETURN, comment="缺少佐证"
    )
    assert finding.state == S.RETURNED
    finding = rectification.finding_transition(
        user=staff.village, finding=finding, action=A.SUBMIT, measures="补充照片"
    )
    finding = rectification.finding_transition(user=staff.township, finding=finding, action=A.SIGN_OFF)
    assert finding.state == S.SIGNED_OFF
    assert [e.action for e in finding.events.all()] == ["raise", "submit", "return", "submit", "sign_off"]


@pytest.mark.parametrize(
    "transition", TRANSITIONS.transitions, ids=lambda t: f"{t.action}-{'+'.join(sorted(t.sources))}"
)
def test_each_move_only_by_its_area(staff, village, transition):
    finding = _raise(staff, village)
    if S.SUBMITTED in transition.sources:
        finding = rectification.finding_transition(
            user=staff.village, finding=finding, action=A.SUBMIT, measures="x"
        )
    allowed = staff.village if transition.action == A.SUBMIT else staff.township
    for user in staff.everyone():
        if user == allowed:
            continue
        before = _snapshot(finding)
        with pytest.raises(PermissionDenied):
            rectification.finding_transition(
                user=user, finding=finding, action=transition.action, comment="理由", measures="措施"
            )
        assert _snapshot(finding) == before, user.username
    moved = rectification.finding_transition(
        user=allowed, finding=finding, action=transition.action, comment="理由", measures="措施"
    )
    assert moved.state == transition.target


def test_a_move_not_in_the_table_changes_nothing(staff, village):
    finding = _raise(staff, village)
    before = _snapshot(finding)
    with pytest.raises(ValidationError, match="cannot be done now"):
        rectification.finding_transition(user=staff.township, finding=finding, action=A.SIGN_OFF)
    assert _snapshot(finding) == before


def test_findings_are_raised_over_lower_areas_only(staff, village, other_village):
    with pytest.raises(PermissionDenied):
        _raise(staff, other_village)  # another township's village
    with pytest.raises(PermissionDenied):
        rectification.finding_raise(
            user=staff.village,
            area=village,
            source=FindingSource.INSPECTION,
            problem_type="02",
            description="x",
        )
    with pytest.raises(ValidationError):
        rectification.finding_raise(
            user=staff.county,
            area=village,
            source=FindingSource.INSPECTION,
            problem_type="??",
            description="x",
        )


def test_overdue_and_repeated_problems_are_flagged(staff, village):
    late = _raise(staff, village)
    Finding.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=1))
    _raise(staff, village)
    assert selectors.repeated_problems(user=staff.county) == {(village.code, "02")}
    overdue = selectors.ledger(user=staff.county, filters=selectors.LedgerFilters(overdue=True))
    assert [f.pk for f in overdue] == [late.pk]
    rows = selectors.overdue_by_child_area(user=staff.county)
    assert [(area.code, total, lateness) for area, total, lateness in rows] == [(village.parent_id, 2, 1)]
    assert list(selectors.ledger(user=staff.other_village)) == []


def test_the_pages_record_and_move_a_finding(staff, village):
    client = Client()
    client.force_login(staff.township)
    client.post(
        "/oversight/rectification/",
        {"area": village.code, "problem_type": "05", "severity": "low", "description": "台账数据与实际不符"},
    )
    finding = Finding.objects.get()
    assert finding.issuing_area_id == village.parent_id
    client.force_login(staff.village)
    page = client.get(f"/oversight/rectification/{finding.pk}/").content.decode()
    assert 'data-testid="move-submit"' in page
    client.post(f"/oversight/rectification/{finding.pk}/", {"action": "submit", "measures": "已更正数据"})
    client.force_login(staff.township)
    client.post(f"/oversight/rectification/{finding.pk}/", {"action": "sign_off"})
    finding.refresh_from_db()
    assert finding.state == S.SIGNED_OFF


def test_a_confirmed_fund_finding_enters_the_ledger(staff, village):
    from jingzhun.funds.models import FundFinding, FundMonitoringRun, FundRule
    from jingzhun.funds.monitoring import finding_decide

    county = Area.objects.get(code=factories.COUNTY)
    run = FundMonitoringRun.objects.create(area=county, as_of=timezone.localdate())
    fund_finding = FundFinding.objects.create(
        rule=FundRule.objects.get(pk="PROJECT_NOT_STARTED"),
        area=village,
        subject_key="x",
        evidence={"detail": "2026-01-01", "threshold": "30"},
        first_run=run,
        last_run=run,
    )
    finding_decide(user=staff.county, finding=fund_finding, to="confirmed")
    entered = Finding.objects.get(source=FindingSource.FUND_MONITORING)
    assert (entered.area_id, entered.issuing_area_id, entered.problem_type) == (
        village.code,
        county.code,
        "06",
    )
    assert entered.raised_by == staff.county


def test_the_weekly_notice_counts_without_personal_data(staff, village):
    household = factories.household(village)
    head = factories.member(household, relation="01", name="卫某某")
    _raise(staff, village, household=household)
    client = Client()
    client.force_login(staff.county)
    page = client.get("/oversight/rectification/notice/").content.decode()
    assert 'data-testid="notice"' in page
    assert head.name not in page
    assert household.household_number not in page
    pdf = client.get("/oversight/rectification/notice/?format=pdf")
    assert pdf["Content-Type"] == "application/pdf"


def test_an_inspection_groups_its_findings(staff, village):
    today = timezone.localdate()
    inspection = rectification.inspection_create(
        user=staff.county,
        area=village.parent,
        title="第一督查组暗访",
        team="张三、李四、王五",
        starts_on=today,
        ends_on=today,
        undercover=True,
    )
    with pytest.raises(PermissionDenied):
        rectification.inspection_create(
            user=staff.village, area=village, title="x", team="x", starts_on=today, ends_on=today
        )
    client = Client()
    client.force_login(staff.county)
    client.post(
        "/oversight/rectification/",
        {
            "area": village.code,
            "problem_type": "08",
            "severity": "high",
            "description": "走访记录不实",
            "inspection": inspection.pk,
        },
    )
    assert Finding.objects.get().inspection == inspection
    page = client.get("/oversight/inspections/").content.decode()
    assert "第一督查组暗访" in page
    listed = client.get(f"/oversight/rectification/?all=1&inspection={inspection.pk}").content.decode()
    assert "走访记录不实" not in listed  # the ledger lists types and areas, not texts
    assert listed.count('href="/oversight/rectification/') >= 1


def test_an_inspection_records_its_visits_and_a_finding_carries_photos(staff, village, other_village):
    today = timezone.localdate()
    inspection = rectification.inspection_create(
        user=staff.township,
        area=village.parent,
        title="乡镇督查",
        team="赵六",
        starts_on=today - datetime.timedelta(days=2),
        ends_on=today,
    )
    household = factories.household(village)
    client = Client()
    client.force_login(staff.township)
    refused = client.post(
        f"/oversight/inspections/{inspection.pk}/",
        {"village": other_village.code, "visited_on": today.isoformat(), "notes": "入户"},
    )
    assert refused.status_code == 200
    assert not inspection.visits.exists()
    client.post(
        f"/oversight/inspections/{inspection.pk}/",
        {
            "village": village.code,
            "household_number": household.household_number,
            "visited_on": today.isoformat(),
            "notes": "房屋有裂缝",
        },
    )
    visit = inspection.visits.get()
    assert visit.household == household
    with pytest.raises(PermissionDenied):  # only the inspecting level records its visits
        rectification.inspection_visit_record(
            user=staff.village, inspection=inspection, village=village, visited_on=today, notes="x"
        )
    hostile = SimpleUploadedFile("crack.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg")
    page = client.post(
        "/oversight/rectification/",
        {
            "area": village.code,
            "problem_type": "02",
            "severity": "high",
            "description": "危房未改造",
            "visit": visit.pk,
            "photos": hostile,
        },
    )
    assert "该文件不是照片" in page.content.decode()
    assert not Finding.objects.exists()
    client.post(
        "/oversight/rectification/",
        {
            "area": village.code,
            "problem_type": "02",
            "severity": "high",
            "description": "危房未改造",
            "visit": visit.pk,
            "photos": factories.photo("裂缝.jpg"),
        },
    )
    finding = Finding.objects.get()
    assert (finding.visit, finding.inspection) == (visit, inspection)
    client.force_login(staff.village)
    client.post(
        f"/oversight/rectification/{finding.pk}/",
        {"action": "submit", "measures": "已加固", "photos": factories.photo("加固后.jpg")},
    )
    assert [p.stage for p in finding.photos.order_by("stage")] == ["problem", "rectified"]
    photo = finding.photos.get(stage="rectified")
    served = client.get(f"/oversight/rectification/photos/{photo.pk}/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    client.force_login(staff.other_village)
    assert client.get(f"/oversight/rectification/photos/{photo.pk}/").status_code == 404


def test_an_undercover_inspection_is_hidden_from_the_area_until_it_ends(staff, village):
    today = timezone.localdate()
    inspection = rectification.inspection_create(
        user=staff.county,
        area=village.parent,
        title="暗访",
        team="x",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=3),
        undercover=True,
    )
    assert inspection in selectors.inspections(user=staff.county)
    assert not selectors.inspections(user=staff.township).exists()
    assert not selectors.inspections(user=staff.village).exists()
    Inspection.objects.filter(pk=inspection.pk).update(ends_on=today - datetime.timedelta(days=1))
    assert selectors.inspections(user=staff.township).get() == inspection


def test_data_quality_errors_enter_the_ledger_once_and_are_signed_off_only_when_corrected(
    staff, village, other_village
):
    from jingzhun.oversight.quality_findings import quality_findings_run

    headless = [factories.household(village) for _ in range(2)]  # ONE_HEAD: no head at all
    clean = factories.household(other_village)
    factories.member(clean, relation="01")
    county = Area.objects.get(code=factories.COUNTY)
    with pytest.raises(PermissionDenied):
        quality_findings_run(area=county, user=staff.village)
    run = quality_findings_run(area=county, user=staff.county)
    assert (run.status, run.raised) == ("succeeded", 1)
    finding = Finding.objects.get(source=FindingSource.DATA_QUALITY)
    assert (finding.area, finding.issuing_area, finding.sign_off_area) == (village, county, village.parent)
    assert finding.source_key == "quality:ONE_HEAD"
    assert "2" in finding.description
    assert headless[0].household_number not in finding.description  # counts, never households
    again = quality_findings_run(area=county, user=staff.county)
    assert (again.raised, again.still_open) == (0, 1)
    assert Finding.objects.filter(source=FindingSource.DATA_QUALITY).count() == 1
    finding = rectification.finding_transition(
        user=staff.village, finding=finding, action=A.SUBMIT, measures="已补录户主"
    )
    with pytest.raises(ValidationError, match="2"):
        rectification.finding_transition(user=staff.township, finding=finding, action=A.SIGN_OFF)
    assert _snapshot(finding)[0] == S.SUBMITTED
    for household in headless:
        factories.member(household, relation="01")
    finding = rectification.finding_transition(user=staff.township, finding=finding, action=A.SIGN_OFF)
    assert finding.state == S.SIGNED_OFF
    client = Client()
    client.force_login(staff.county)
    response = client.post("/oversight/rectification/quality/")
    assert response.status_code == 302
    assert Finding.objects.filter(source=FindingSource.DATA_QUALITY).count() == 1  # corrected: none new
