"""Third-party evaluation: plans draw a frozen sample from the register; an evaluator sees
only the households assigned to them; questionnaires give rates with intervals."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from jingzhun.accounts.choices import Role
from jingzhun.areas.models import Area
from jingzhun.demo.generator import CountyGenerator
from jingzhun.oversight import selectors, services
from jingzhun.oversight.choices import PlanState, Stratum, Verdict
from jingzhun.oversight.models import EvaluationSample
from jingzhun.registry.models import Household
from jingzhun.registry.selectors import household_list
from tests import factories

pytestmark = pytest.mark.usefixtures("reference_data")
TODAY = timezone.localdate()


@pytest.fixture
def county():
    county = Area.objects.get(code=factories.COUNTY)
    CountyGenerator(county=county, households=400, seed=21, reference=TODAY).generate()
    return county


@pytest.fixture
def supervisor(county):
    return factories.user("inspector-e", Role.SUPERVISOR, county.parent)


@pytest.fixture
def evaluator(county):
    return factories.user("evaluator-e", Role.EVALUATOR, county)


def _drawn(supervisor, county, **sizes):
    plan = services.plan_create(
        user=supervisor, area=county, name="2026年第三方评估", year=TODAY.year, seed=11, **sizes
    )
    return services.plan_draw(user=supervisor, plan=plan)


def test_a_plan_draws_a_frozen_reproducible_sample(supervisor, county):
    plan = _drawn(supervisor, county, villages_wanted=5, registered_per_village=4, unregistered_per_village=4)
    sample = list(EvaluationSample.objects.filter(plan=plan).values_list("household_id", "weight"))
    assert plan.state == PlanState.DRAWN
    assert plan.frame_households == Household.objects.filter(is_active=True).count()
    assert plan.villages.count() == 5
    assert len({pk for pk, _w in sample}) == len(sample) > 20
    assert all(weight >= 1 for _pk, weight in sample)
    with pytest.raises(ValidationError, match="frozen"):
        services.plan_draw(user=supervisor, plan=plan)
    # The same seed over the same register draws the same households.
    again = services.plan_create(user=supervisor, area=county, name="again", year=TODAY.year, seed=11)
    again.villages_wanted, again.registered_per_village, again.unregistered_per_village = 5, 4, 4
    again.save()
    again = services.plan_draw(user=supervisor, plan=again)
    assert sorted(
        EvaluationSample.objects.filter(plan=again).values_list("household_id", "weight")
    ) == sorted(sample)


def test_sizes_come_from_configuration_and_only_supervisors_plan(supervisor, county):
    plan = services.plan_create(user=supervisor, area=county, name="默认", year=TODAY.year)
    assert (plan.villages_wanted, plan.registered_per_village, plan.unregistered_per_village) == (25, 30, 30)
    county_officer = factories.user("c-e", Role.COUNTY_OFFICER, county)
    with pytest.raises(PermissionDenied):
        services.plan_create(user=county_officer, area=county, name="x", year=TODAY.year)


def test_an_evaluator_sees_only_the_assigned_sample(supervisor, county, evaluator):
    plan = _drawn(supervisor, county, villages_wanted=4, registered_per_village=3, unregistered_per_village=3)
    first_village = plan.villages.order_by("village_id").first().village_id
    assigned = services.plan_assign(user=supervisor, plan=plan, evaluator=evaluator, villages=[first_village])
    assert assigned > 0
    mine = set(selectors.sample_of(user=evaluator, plan=plan).values_list("household_id", flat=True))
    assert len(mine) == assigned
    assert all(h.village_id == first_village for h in Household.objects.filter(pk__in=mine))
    # Nothing through the area's pages, lists and API: the register is not theirs.
    assert household_list(user=evaluator).count() == 0
    client = Client()
    client.force_login(evaluator)
    assert client.get("/api/v1/households/").json()["count"] == 0
    some = Household.objects.exclude(pk__in=mine).first()
    assert client.get(f"/households/{some.pk}/").status_code == 404
    other = EvaluationSample.objects.filter(plan=plan).exclude(evaluator=evaluator).first()
    with pytest.raises(EvaluationSample.DoesNotExist):
        selectors.sampled_get(user=evaluator, pk=other.pk)


def test_questionnaires_give_rates_with_intervals_against_the_criteria(supervisor, county, evaluator):
    plan = _drawn(supervisor, county, villages_wanted=6, registered_per_village=5, unregistered_per_village=5)
    services.plan_assign(
        user=supervisor,
        plan=plan,
        evaluator=evaluator,
        villages=list(plan.villages.values_list("village_id", flat=True)),
    )
    rows = list(EvaluationSample.objects.filter(plan=plan).order_by("pk"))
    for index, sampled in enumerate(rows):
        verdict = Verdict.CORRECT
        if sampled.stratum == Stratum.REGISTERED and index % 10 == 0:
            verdict = Verdict.WRONGLY_EXITED
        if sampled.stratum == Stratum.UNREGISTERED and index % 15 == 0:
            verdict = Verdict.MISSED
        services.questionnaire_save(
            user=evaluator,
            sampled=sampled,
            interviewed_on=TODAY - datetime.timedelta(days=1),
            resident_members=3,
            wage_income=Decimal("18000"),
            production_costs=Decimal("1500"),
            satisfied=index % 20 != 0,
            verdict=verdict,
        )
    first = rows[0].questionnaire
    assert first.per_capita_net_income == Decimal("5500.00")  # the register's formula
    results = {r.key: r for r in selectors.plan_results(plan=plan)}
    wrong_exit = results["wrong_exit"].estimate
    assert 0 < wrong_exit.rate < 0.5
    assert wrong_exit.low <= wrong_exit.rate <= wrong_exit.high
    assert results["satisfaction"].estimate.rate > 0.9
    assert results["wrong_exit"].meets is False  # about 10 % against at most 2 %
    # Beside the register's exit indicators, for the county and for a township in it.
    client = Client()
    client.force_login(supervisor)
    for code in (county.code, rows[0].village.parent_id):
        page = client.get(f"/dashboards/{code}/exit/").content.decode()
        assert 'data-testid="exit-evaluation"' in page
        assert f"{wrong_exit.percent}%" in page
    with pytest.raises(PermissionDenied):
        services.questionnaire_save(
            user=supervisor,
            sampled=rows[0],
            interviewed_on=TODAY,
            resident_members=1,
            verdict=Verdict.CORRECT,
        )


def test_the_pages_plan_draw_assign_and_record(supervisor, county, evaluator):
    client = Client()
    client.force_login(supervisor)
    client.post(
        "/oversight/evaluations/",
        {
            "name": "县级评估",
            "year": TODAY.year,
            "method": "pps",
            "villages_wanted": 3,
            "registered_per_village": 2,
            "unregistered_per_village": 2,
        },
    )
    plan = selectors.plan_list(user=supervisor).get(name="县级评估")
    client.post(f"/oversight/evaluations/{plan.pk}/draw/")
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAWN
    village = plan.villages.first().village_id
    client.post(
        f"/oversight/evaluations/{plan.pk}/assign/", {"evaluator": evaluator.pk, "villages": [village]}
    )
    sampled = EvaluationSample.objects.filter(plan=plan, evaluator=evaluator).first()
    page = client.get(f"/oversight/evaluations/{plan.pk}/").content.decode()
    assert 'data-testid="results"' in page
    client.force_login(evaluator)
    form = client.get(f"/oversight/evaluations/households/{sampled.pk}/").content.decode()
    assert 'data-testid="questionnaire-form"' in form
    client.post(
        f"/oversight/evaluations/households/{sampled.pk}/",
        {
            "interviewed_on": TODAY.isoformat(),
            "resident_members": 2,
            "wage_income": "9000",
            "business_income": "0",
            "property_income": "0",
            "transfer_income": "0",
            "production_costs": "0",
            "food_and_clothing": "on",
            "schooling": "on",
            "medical": "on",
            "housing": "on",
            "water": "on",
            "satisfied": "on",
            "verdict": "missed",
            "note": "应纳未纳",
        },
    )
    sampled.refresh_from_db()
    assert sampled.questionnaire.verdict == Verdict.MISSED
    assert sampled.questionnaire.per_capita_net_income == Decimal("4500.00")
    other = EvaluationSample.objects.filter(plan=plan).exclude(evaluator=evaluator).first()
    if other is not None:
        assert client.get(f"/oversight/evaluations/households/{other.pk}/").status_code == 404


def test_a_missed_household_leads_the_village_to_a_case(supervisor, county, evaluator):
    plan = _drawn(supervisor, county, villages_wanted=2, registered_per_village=1, unregistered_per_village=3)
    services.plan_assign(
        user=supervisor,
        plan=plan,
        evaluator=evaluator,
        villages=list(plan.villages.values_list("village_id", flat=True)),
    )
    sampled = EvaluationSample.objects.filter(plan=plan, stratum=Stratum.UNREGISTERED).first()
    services.questionnaire_save(
        user=evaluator,
        sampled=sampled,
        interviewed_on=TODAY,
        resident_members=4,
        wage_income=Decimal("8000"),
        verdict=Verdict.MISSED,
        note="患病致支出骤增，应纳入监测",
    )
    # The verdict enters the rectification ledger once, against the village, signed off by its township.
    from jingzhun.oversight.models import Finding

    services.questionnaire_save(
        user=evaluator,
        sampled=sampled,
        interviewed_on=TODAY,
        resident_members=4,
        verdict=Verdict.MISSED,
        note="复核",
    )
    entered = Finding.objects.get(source="evaluation")
    assert (entered.area_id, entered.sign_off_area_id, entered.problem_type) == (
        sampled.village_id,
        sampled.village.parent_id,
        "03",
    )
    cadre = factories.user("v-lead", Role.VILLAGE_CADRE, sampled.village)
    client = Client()
    client.force_login(cadre)
    assert sampled.household.household_number in client.get("/oversight/evaluations/leads/").content.decode()
    response = client.post("/oversight/evaluations/leads/", {"sampled": sampled.pk})
    assert response.status_code == 302
    sampled.questionnaire.refresh_from_db()
    case = sampled.questionnaire.case
    assert case.household_id == sampled.household_id
    assert case.evidence["verdict"] == "missed"
    assert case.evidence["evaluation"] == plan.pk
    assert (
        sampled.household.household_number not in client.get("/oversight/evaluations/leads/").content.decode()
    )


def test_the_api_records_a_questionnaire_for_the_assigned_evaluator(supervisor, county, evaluator):
    from jingzhun.api.services import token_create

    plan = _drawn(supervisor, county, villages_wanted=2, registered_per_village=1, unregistered_per_village=1)
    village = plan.villages.first().village_id
    services.plan_assign(user=supervisor, plan=plan, evaluator=evaluator, villages=[village])
    mine = EvaluationSample.objects.filter(plan=plan, evaluator=evaluator).first()
    other = EvaluationSample.objects.filter(plan=plan).exclude(evaluator=evaluator).first()
    client = Client()
    key = token_create(actor=evaluator, owner=evaluator, name="tablet")[1]
    headers = {"Authorization": f"Bearer {key}"}
    listed = client.get(f"/api/v1/oversight/plans/{plan.pk}/sample", headers=headers).json()
    assert {row["id"] for row in listed} == set(
        EvaluationSample.objects.filter(plan=plan, evaluator=evaluator).values_list("pk", flat=True)
    )
    body = {
        "interviewed_on": TODAY.isoformat(),
        "resident_members": 2,
        "wage_income": "6000.00",
        "verdict": "correct",
    }
    saved = client.put(
        f"/api/v1/oversight/sample/{mine.pk}/questionnaire",
        body,
        content_type="application/json",
        headers=headers,
    )
    assert saved.status_code == 200
    assert saved.json()["per_capita_net_income"] == "3000.00"
    if other is not None:
        refused = client.put(
            f"/api/v1/oversight/sample/{other.pk}/questionnaire",
            body,
            content_type="application/json",
            headers=headers,
        )
        assert refused.status_code == 404


def test_questionnaires_on_paper_round_trip_through_a_sheet(supervisor, county, evaluator):
    import io

    import openpyxl

    from jingzhun.imports.ledgers import questionnaire_import

    plan = _drawn(supervisor, county, villages_wanted=2, registered_per_village=1, unregistered_per_village=2)
    village = plan.villages.order_by("village_id").first().village_id
    services.plan_assign(user=supervisor, plan=plan, evaluator=evaluator, villages=[village])
    client = Client()
    client.force_login(evaluator)
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/imports/questionnaires/{plan.pk}.xlsx").content))
    sheet = book.active
    headers = [cell.value for cell in sheet[1]]
    assert sheet.max_row - 1 == EvaluationSample.objects.filter(plan=plan, evaluator=evaluator).count()
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row, headers.index("访谈日期") + 1).value = TODAY.isoformat()
        sheet.cell(row, headers.index("共同生活人数") + 1).value = 3
        sheet.cell(row, headers.index("工资性收入(元)") + 1).value = "12000"
        sheet.cell(row, headers.index("认可帮扶工作") + 1).value = "是"
        sheet.cell(row, headers.index("评估结论") + 1).value = "准确"
    buffer = io.BytesIO()
    book.save(buffer)
    report = questionnaire_import(user=evaluator, plan=plan, file_name="问卷.xlsx", data=buffer.getvalue())
    assert report.ok
    assert report.updated == sheet.max_row - 1
    assert all(
        s.questionnaire.per_capita_net_income == Decimal("4000.00")
        for s in EvaluationSample.objects.filter(plan=plan, evaluator=evaluator)
    )
    # A row of a household not assigned to this evaluator is refused, and nothing is written.
    other = EvaluationSample.objects.filter(plan=plan).exclude(evaluator=evaluator).first()
    if other is not None:
        sheet.cell(2, headers.index("样本编号") + 1).value = other.pk
        sheet.cell(3, headers.index("评估结论") + 1).value = "漏评"
        buffer = io.BytesIO()
        book.save(buffer)
        refused = questionnaire_import(
            user=evaluator, plan=plan, file_name="问卷.xlsx", data=buffer.getvalue()
        )
        assert [p.column for p in refused.problems] == ["样本编号"]
        assert not EvaluationSample.objects.filter(questionnaire__verdict="missed").exists()
