"""What a role without the right to see sensitive data can combine, over every page,
export and API endpoint there is.

The pages come from the URL configuration and the API endpoints from the OpenAPI
schema, so a page added later is fetched here too (or fails the test until it says
how to fill its address). Every response is read as text — HTML, JSON, the cells
of a workbook, the text of a PDF — and searched for:

- the full ID number, or the birth date that a masked number hides (in any of the
  forms a page or sheet writes it): with either, the masked number is rebuilt;
- a health rule's name or code beside the name of the person it fired on.
"""

from __future__ import annotations

import datetime
import io
import json
import re
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from pypdf import PdfReader

from jingzhun.accounts.choices import Role
from jingzhun.accounts.roles import Capability, role_can
from jingzhun.api.services import token_create
from jingzhun.assets.models import Asset, AssetIncome, Distribution
from jingzhun.assistance.models import Measure, Pairing
from jingzhun.cases.services import identification_open
from jingzhun.dashboards.assessment import assessment_run
from jingzhun.dashboards.reports import REPORT_KINDS
from jingzhun.funds.models import Fund, FundMovement
from jingzhun.monitoring.models import RiskWarning, ScreeningRule, ScreeningRun
from jingzhun.oversight.models import EvaluationSample, Finding, Inspection, InspectionVisit, SamplingPlan
from jingzhun.projects.services import beneficiary_add
from tests import factories
from tests.project_steps import proposal

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(1970, 3, 5)
SICK_BIRTH = datetime.date(1968, 11, 23)
HEALTH_RULE = "MAIN_EARNER_LOSS"
MASKED_ROLES = [role for role in Role if not role_can(role, Capability.REVEAL_SENSITIVE)]
# Withheld from every role that may not reveal, except the department that reported it.
HEALTH_WITHHELD_ROLES = [role for role in MASKED_ROLES if role != Role.DEPARTMENT_USER]


def _date_forms(day: datetime.date) -> list[str]:
    return [
        day.isoformat(),
        f"{day:%Y%m%d}",
        f"{day:%Y/%m/%d}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day.year}年{day.month:02d}月{day.day:02d}日",
        f"{day.year}-{day.month}-{day.day}",
    ]


@pytest.fixture
def county_data(village):
    county_officer = factories.user("county", Role.COUNTY_OFFICER, village.parent.parent)
    cadre = factories.village_cadre(village)
    household = factories.household(village, "150124100201001")
    head = factories.member(household, relation="01", name="马大成", birth=BIRTH)
    sick_household = factories.household(village, "150124100201002")
    sick = factories.member(sick_household, relation="01", name="卫病人", birth=SICK_BIRTH, health=["3"])
    case = identification_open(user=cadre, household=household, lead="突发变故")
    Measure.objects.create(household=household, measure_type="01", start_date=datetime.date(2026, 1, 5))
    run = ScreeningRun.objects.create(
        area=village.parent.parent, engine="duckdb", income_year=2025, as_of=timezone.localdate()
    )
    warning = RiskWarning.objects.create(
        household=sick_household,
        member=sick,
        member_key=sick.pk,
        rule=ScreeningRule.objects.get(pk=HEALTH_RULE),
        risk_type="02",
        first_run=run,
        last_run=run,
        deadline=timezone.localdate(),
    )
    project = proposal(cadre)
    benefit = beneficiary_add(user=cadre, project=project, household=household, benefit_type="01")
    beneficiary_add(user=cadre, project=project, household=sick_household, benefit_type="02")
    # Written directly: the pages read a paid project whatever its step.
    fund = Fund.objects.create(
        document_number="清财农〔2026〕1号",
        title="衔接资金",
        issued_on=timezone.localdate(),
        year=2026,
        level="central",
        fund_type="01",
        amount=Decimal("1000.00"),
        area=county_officer.area,
        recorded_by=county_officer,
    )
    for kind in ("allocation", "payment"):
        payment = kind == "payment"
        FundMovement.objects.create(
            kind=kind,
            fund=fund,
            project=project,
            amount=Decimal("100.00"),
            occurred_on=timezone.localdate(),
            recorded_by=county_officer,
            payee_kind="person" if payment else "",
            payee_name=head.name if payment else "",
            payee_id_number=head.id_number if payment else "",
            beneficiary=benefit if payment else None,
        )
    asset = Asset.objects.create(
        project=project,
        name="牛舍",
        asset_type="operating",
        quantity=Decimal("1"),
        unit="栋",
        value=Decimal("1000.00"),
        village=village,
        year_formed=2026,
        owner_kind="village_collective",
        owner_name="村集体",
        registered_by=county_officer,
    )
    income = AssetIncome.objects.create(
        asset=asset,
        year=2026,
        period="2026",
        received_on=timezone.localdate(),
        amount=Decimal("10.00"),
        recorded_by=county_officer,
    )
    Distribution.objects.create(
        income=income,
        household=household,
        amount=Decimal("5.00"),
        paid_on=timezone.localdate(),
        recorded_by=county_officer,
    )
    supervisor = factories.user("plan-supervisor", Role.SUPERVISOR, county_officer.area)
    plan = SamplingPlan.objects.create(
        area=county_officer.area,
        name="第三方评估",
        year=2026,
        villages_wanted=1,
        registered_per_village=1,
        unregistered_per_village=1,
        seed=1,
        state="drawn",
        created_by=supervisor,
    )
    sampled = [
        EvaluationSample.objects.create(
            plan=plan,
            household=h,
            village=village,
            stratum="registered",
            village_probability=1.0,
            household_probability=1.0,
            weight=1.0,
        )
        for h in (household, sick_household)
    ]
    inspection = Inspection.objects.create(
        area=county_officer.area,
        title="督查",
        team="甲",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        created_by=county_officer,
    )
    visit = InspectionVisit.objects.create(
        inspection=inspection,
        village=village,
        household=sick_household,
        visited_on=timezone.localdate(),
        notes="入户核实",
        recorded_by=county_officer,
    )
    finding = Finding.objects.create(
        inspection=inspection,
        visit=visit,
        source="inspection",
        problem_type="02",
        area=village,
        issuing_area=county_officer.area,
        household=sick_household,
        description="帮扶措施缺失",
        raised_by=county_officer,
        raised_on=timezone.localdate(),
        deadline=timezone.localdate(),
    )
    assessment_run(area=county_officer.area)
    return {
        "inspection": inspection,
        "finding": finding,
        "plan": plan,
        "sampled": sampled,
        "asset": asset,
        "project": project,
        "fund": fund,
        "household": household,
        "head": head,
        "sick": sick,
        "case": case,
        "warning": warning,
        "run": run,
        "village": village,
        "county": county_officer.area,
        "measure": Measure.objects.get(household=household),
    }


# How to fill the address of each page; a page missing here fails the test.
def _page_addresses(data) -> dict[str, list[str]]:
    household, head, case, project = data["household"], data["head"], data["case"], data["project"]
    village, county = data["village"].code, data["county"].code
    report_pages = [f"/dashboards/{county}/reports/{kind}/" for kind in REPORT_KINDS]
    return {
        "i18n/setlang/": [],  # POST only
        "accounts/login/": ["/accounts/login/"],
        "accounts/logout/": [],  # POST only
        "accounts/second-factor/": ["/accounts/second-factor/"],
        "accounts/second-factor/setup/": ["/accounts/second-factor/setup/"],
        "warnings/": [
            "/warnings/",
            "/warnings/?status=all",
            f"/warnings/?rule={HEALTH_RULE}&status=all",
            "/warnings/?export=xlsx&status=all",
            f"/warnings/?rule={HEALTH_RULE}&status=all&export=xlsx",
        ],
        "warnings/<int:pk>/": [f"/warnings/{data['warning'].pk}/"],
        "warnings/<int:pk>/decide/": [],  # POST only
        "warnings/screening/": ["/warnings/screening/"],
        "warnings/screening/<int:pk>/": [f"/warnings/screening/{data['run'].pk}/"],
        "quality/": ["/quality/"],
        "cases/": ["/cases/", "/cases/?export=xlsx"],
        "cases/<int:pk>/": [f"/cases/{case.pk}/"],
        "cases/<int:pk>/act/<slug:action>/": [f"/cases/{case.pk}/act/submit_application/"],
        "cases/<int:pk>/objections/": [],  # POST only
        "cases/objections/<int:pk>/resolve/": [],  # POST only
        "cases/attachments/<int:pk>/": [],  # files: test_uploads
        "cases/open/<int:pk>/<slug:kind>/": [f"/cases/open/{household.pk}/identification/"],
        "cases/notices/<str:code>/": [f"/cases/notices/{village}/", f"/cases/notices/{village}/?format=pdf"],
        "cases/announcements/<str:code>/": [
            f"/cases/announcements/{county}/",
            f"/cases/announcements/{county}/?format=pdf",
        ],
        "cases/declarations/": ["/cases/declarations/"],
        "cases/declarations/<int:pk>/": [],  # none in this county
        "assistance/": ["/assistance/", "/assistance/?export=xlsx"],
        "assistance/pairings/": ["/assistance/pairings/"],
        "assistance/households/<int:pk>/measures/new/": [
            f"/assistance/households/{household.pk}/measures/new/"
        ],
        "assistance/measures/<int:pk>/edit/": [f"/assistance/measures/{data['measure'].pk}/edit/"],
        "assistance/households/<int:pk>/visits/new/": [f"/assistance/households/{household.pk}/visits/new/"],
        "assistance/photos/<int:pk>/": [],  # files: test_uploads
        "declare/": ["/declare/"],
        "declare/villages/": [f"/declare/villages/?township={data['village'].parent_id}"],
        "declare/thanks/": ["/declare/thanks/"],
        "declare/status/": ["/declare/status/"],
        "imports/": ["/imports/"],
        "imports/<int:pk>/": [],  # none uploaded
        "imports/<int:pk>/confirm/": [],  # POST only
        "imports/<int:pk>/cancel/": [],  # POST only
        "imports/roster.xlsx": ["/imports/roster.xlsx", "/imports/roster.xlsx?all=1"],
        "imports/summary/": ["/imports/summary/", "/imports/summary/?export=xlsx"],
        "imports/ledgers/<slug:kind>.xlsx": [
            "/imports/ledgers/projects.xlsx",
            "/imports/ledgers/assets.xlsx",
        ],
        "imports/ledgers/<slug:kind>/": ["/imports/ledgers/projects/", "/imports/ledgers/assets/"],
        "imports/questionnaires/<int:plan_pk>.xlsx": [f"/imports/questionnaires/{data['plan'].pk}.xlsx"],
        "imports/questionnaires/<int:plan_pk>/": [f"/imports/questionnaires/{data['plan'].pk}/"],
        "imports/households/<int:pk>/form.<str:file_format>": [
            f"/imports/households/{household.pk}/form.xlsx",
            f"/imports/households/{household.pk}/form.pdf",
            f"/imports/households/{data['sick'].household_id}/form.pdf",
        ],
        "projects/": ["/projects/", "/projects/?state=draft"],
        "projects/new/": ["/projects/new/"],
        "projects/<int:pk>/": [f"/projects/{project.pk}/"],
        "projects/<int:pk>/edit/": [f"/projects/{project.pk}/edit/"],
        "projects/<int:pk>/act/<slug:action>/": [],  # POST only
        "projects/<int:pk>/targets/": [],  # POST only
        "projects/<int:pk>/targets/<int:target>/remove/": [],  # POST only
        "projects/<int:pk>/beneficiaries/": [],  # POST only
        "projects/<int:pk>/beneficiaries/<int:beneficiary>/remove/": [],  # POST only
        "projects/<int:pk>/progress/": [],  # POST only
        "projects/<int:pk>/notice/": [
            f"/projects/{project.pk}/notice/",
            f"/projects/{project.pk}/notice/?format=pdf",
        ],
        "projects/attachments/<int:pk>/": [],  # files: test_uploads
        "funds/": ["/funds/", "/funds/?year=2026"],
        "funds/new/": ["/funds/new/"],
        "funds/<int:pk>/": [f"/funds/{data['fund'].pk}/"],
        "funds/<int:pk>/allocate/": [],  # POST only
        "funds/movements/<int:pk>/reverse/": [],  # POST only
        "funds/movements/<int:pk>/voucher/": [],  # files: test_uploads
        "funds/projects/<int:pk>/": [f"/funds/projects/{project.pk}/"],
        "funds/projects/<int:pk>/pay/": [],  # POST only
        "funds/monitoring/": ["/funds/monitoring/", "/funds/monitoring/?status=dismissed"],
        "funds/monitoring/run/": [],  # POST only
        "funds/monitoring/runs/<int:pk>/": [],  # none run
        "funds/monitoring/findings/<int:pk>/decide/": [],  # POST only
        "assets/": ["/assets/", "/assets/?print=1", f"/assets/?project={project.pk}"],
        "assets/<int:pk>/": [f"/assets/{data['asset'].pk}/"],
        "assets/<int:pk>/rights/": [],  # POST only
        "assets/<int:pk>/income/": [],  # POST only
        "assets/<int:pk>/distribute/": [],  # POST only
        "assets/<int:pk>/act/<slug:action>/": [],  # POST only
        "assets/register/<int:project_pk>/": [f"/assets/register/{project.pk}/"],
        "oversight/evaluations/": ["/oversight/evaluations/"],
        "oversight/evaluations/<int:pk>/": [f"/oversight/evaluations/{data['plan'].pk}/"],
        "oversight/evaluations/leads/": ["/oversight/evaluations/leads/"],
        "oversight/rectification/": ["/oversight/rectification/", "/oversight/rectification/?all=1"],
        "oversight/phone-checks/": ["/oversight/phone-checks/"],
        "oversight/inspections/": ["/oversight/inspections/"],
        "oversight/inspections/<int:pk>/": [f"/oversight/inspections/{data['inspection'].pk}/"],
        "oversight/rectification/photos/<int:pk>/": [],  # files: test_uploads
        "oversight/rectification/quality/": [],  # POST only
        "oversight/rectification/notice/": [
            "/oversight/rectification/notice/",
            "/oversight/rectification/notice/?period=day&format=pdf",
        ],
        "oversight/rectification/<int:pk>/": [f"/oversight/rectification/{data['finding'].pk}/"],
        "oversight/evaluations/<int:pk>/draw/": [],  # POST only
        "oversight/evaluations/<int:pk>/assign/": [],  # POST only
        "oversight/evaluations/households/<int:pk>/": [
            f"/oversight/evaluations/households/{row.pk}/" for row in data["sampled"]
        ],
        "dashboards/": ["/dashboards/"],
        "dashboards/<str:code>/": [f"/dashboards/{county}/", f"/dashboards/{village}/"],
        "dashboards/<str:code>/refresh/": [],  # POST only
        "dashboards/<str:code>/exit/": [f"/dashboards/{county}/exit/", f"/dashboards/{village}/exit/"],
        "dashboards/<str:code>/assessment/": [
            f"/dashboards/{county}/assessment/",
            f"/dashboards/{county}/assessment/?export=xlsx",
            f"/dashboards/{county}/assessment/?format=pdf",
        ],
        "dashboards/runs/<int:pk>/": [],  # none run
        "dashboards/<str:code>/reports/<str:kind>/": report_pages
        + [f"{page}?export=xlsx" for page in report_pages]
        + [f"{page}?export=pdf" for page in report_pages],
        "api-tokens/": ["/api-tokens/"],
        "api-tokens/<int:pk>/revoke/": [],  # POST only
        "": ["/"],
        "households/": [
            "/households/",
            f"/households/?q={head.name}",
            "/households/?export=xlsx",
            "/households/?export=members",
            f"/households/?figure=warned_by_rule&area={county}&key={HEALTH_RULE}",
            f"/households/?figure=warned&area={county}",
            f"/households/?figure=warned_by_department&area={county}&key=public_security",
        ],
        "households/new/": ["/households/new/"],
        "households/<int:pk>/": [f"/households/{household.pk}/", f"/households/{data['sick'].household_id}/"],
        "households/<int:pk>/edit/": [f"/households/{household.pk}/edit/"],
        "households/<int:pk>/reveal/": [f"/households/{household.pk}/reveal/"],
        "households/<int:pk>/members/new/": [f"/households/{household.pk}/members/new/"],
        "households/<int:pk>/income/<int:year>/": [f"/households/{household.pk}/income/2025/"],
        "households/<int:pk>/conditions/": [f"/households/{household.pk}/conditions/"],
        "members/<int:pk>/edit/": [f"/members/{head.pk}/edit/"],
        "members/<int:pk>/delete/": [],  # POST only
    }


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern) in ("admin/", "api/v1/"):
                continue  # Django's admin (staff only) and the API (enumerated from its schema)
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def _text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            " ".join("" if cell is None else str(cell) for cell in row)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    if "pdf" in kind:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return content.decode()


def _check(text: str, where: str, data, role: str) -> None:
    head, sick = data["head"], data["sick"]
    for member, birth in ((head, BIRTH), (sick, SICK_BIRTH)):
        assert member.id_number not in text, f"{role}: full ID number on {where}"
        for form in _date_forms(birth):
            assert form not in text, f"{role}: birth date {form} beside the masked number on {where}"
    if role in HEALTH_WITHHELD_ROLES:
        rule = ScreeningRule.objects.get(pk=HEALTH_RULE)
        named = sick.name in text
        assert not (named and (HEALTH_RULE in text or rule.name_zh in text or rule.name_en in text)), (
            f"{role}: health rule beside the person's name on {where}"
        )


def _user(role, data):
    """A user of ``role`` who reaches both households: the county's, or the village's
    assistance cadre paired with them."""
    extra = {"department": "public_security"} if role == Role.DEPARTMENT_USER else {}
    area = data["village"] if role == Role.ASSISTANCE_CADRE else data["county"]
    user = factories.user(f"masked-{role}", role, area, **extra)
    if role == Role.ASSISTANCE_CADRE:
        for household in (data["household"], data["sick"].household):
            Pairing.objects.create(household=household, cadre=user, started_on=datetime.date(2026, 1, 1))
    if role == Role.EVALUATOR:
        # An evaluator reaches households through their sample only.
        EvaluationSample.objects.filter(plan=data["plan"]).update(evaluator=user)
    return user


def test_every_page_is_listed(county_data):
    listed = set(_page_addresses(county_data))
    assert set(_routes(get_resolver().url_patterns)) == listed


@pytest.mark.parametrize("role", MASKED_ROLES)
def test_no_page_or_export_lets_a_masked_role_rebuild_an_id_or_name_a_health_rule(county_data, role):
    user = _user(role, county_data)
    client = Client(headers={"accept-language": "zh-hans"})
    client.force_login(user)
    fetched = 0
    for addresses in _page_addresses(county_data).values():
        for address in addresses:
            response = client.get(address)
            if response.status_code != 200:
                continue
            fetched += 1
            _check(_text(response), address, county_data, role)
    assert fetched > 20


def _api_paths(schema: dict, data) -> list[str]:
    values = {
        "household_id": data["household"].pk,
        "member_id": data["head"].pk,
        "warning_id": data["warning"].pk,
        "case_id": data["case"].pk,
        "code": data["village"].code,
        "year": 2025,
        "token_id": 0,
        "project_id": data["project"].pk,
        "fund_id": data["fund"].pk,
        "asset_id": data["asset"].pk,
        "plan_id": data["plan"].pk,
        "finding_id": data["finding"].pk,
    }
    paths = []
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        names = re.findall(r"{(\w+)}", path)
        missing = [name for name in names if name not in values]
        assert not missing, f"{path}: say how to fill {missing}"
        filled = path.format(**{name: values[name] for name in names})
        paths += [filled, f"{filled}{'&' if '?' in filled else '?'}reveal=true"]
        if path.endswith("/warnings/"):
            paths.append(f"{filled}?rule={HEALTH_RULE}&status=all")
        if path.endswith("/households/"):
            paths.append(f"{filled}?household={data['sick'].household_id}")
    return paths


@pytest.mark.parametrize("role", MASKED_ROLES)
def test_no_api_response_lets_a_masked_role_rebuild_an_id_or_name_a_health_rule(client, county_data, role):
    user = _user(role, county_data)
    key = token_create(actor=user, owner=user, name="check")[1]
    schema = client.get("/api/v1/openapi.json").json()
    fetched = 0
    for path in _api_paths(schema, county_data):
        response = client.get(path, headers={"Authorization": f"Bearer {key}"})
        if response.status_code != 200:
            continue
        fetched += 1
        _check(json.dumps(response.json(), ensure_ascii=False), path, county_data, role)
    assert fetched >= 5
