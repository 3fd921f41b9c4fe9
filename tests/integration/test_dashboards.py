"""Dashboard figures against counts taken directly from the register, on a generated county."""

from __future__ import annotations

import datetime
import io
import re
from collections import Counter, defaultdict

import openpyxl
import pytest
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from jingzhun.accounts.choices import Role
from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.models import Area
from jingzhun.areas.selectors import code_range_q
from jingzhun.assets.models import Distribution
from jingzhun.assistance.models import Measure, Visit
from jingzhun.cases.choices import OPEN_STATES
from jingzhun.cases.models import Case
from jingzhun.codelists.models import Parameter
from jingzhun.codelists.selectors import clear_caches, code_map, codes_with
from jingzhun.core.runs import RunStatus
from jingzhun.dashboards import services as dashboard_services
from jingzhun.dashboards.changes import FACT_SOURCES
from jingzhun.dashboards.choices import RefreshTrigger
from jingzhun.dashboards.engine import BLANK_KEY, TOTAL_KEY
from jingzhun.dashboards.figures import FIGURES
from jingzhun.dashboards.models import AggregateRun, AreaFigure, FactChange, HouseholdFact
from jingzhun.dashboards.services import aggregate_refresh, fact_parameters
from jingzhun.demo.generator import CountyGenerator
from jingzhun.demo.procedures import demo_procedures
from jingzhun.demo.projects import demo_projects
from jingzhun.monitoring.choices import OPEN_STATUSES
from jingzhun.monitoring.models import RiskWarning
from jingzhun.monitoring.services import screening_run_enqueue, screening_run_execute, screening_run_start
from jingzhun.projects.models import Beneficiary
from jingzhun.quality.selectors import find_issues
from jingzhun.registry.conditions import age_in_years, birthday_between, years_before
from jingzhun.registry.models import Household, IncomeRecord, LivingConditions, Member, MonitoringObject
from tests import factories

pytestmark = pytest.mark.django_db
COUNTY = "150124000000"


@pytest.fixture
def county():
    county = Area.objects.get(code=COUNTY)
    today = timezone.localdate()
    CountyGenerator(county=county, households=240, seed=5, reference=today).generate()
    village = (
        Area.objects.filter(code_range_q(county, "code"), level=AreaLevel.VILLAGE).order_by("code").first()
    )
    demo_procedures(county=county, village=village, today=today)
    demo_projects(county=county, village=village, today=today)
    # A beneficiary household that is a monitoring object, whatever the draw gave the first village.
    beneficiary = Beneficiary.objects.order_by("pk").first().household
    if not beneficiary.monitoring_episodes.exists():
        MonitoringObject.objects.create(
            household=beneficiary, household_type="2", category="2", identified_on=today, risk_types=["01"]
        )
    screening_run_execute(screening_run_start(area=county, as_of=today))
    # Some warnings and cases past their deadline, so that "overdue" counts something.
    for warning in RiskWarning.objects.order_by("pk")[:7]:
        RiskWarning.objects.filter(pk=warning.pk).update(deadline=today - datetime.timedelta(days=3))
    late_case = Case.objects.filter(state__in=OPEN_STATES).order_by("pk").first()
    Case.objects.filter(pk=late_case.pk).update(deadline=today - datetime.timedelta(days=1))
    if connection.vendor == "postgresql":
        # Statistics, as autovacuum keeps them on a live register: the rows of this test's
        # transaction are otherwise unknown to the planner, which then nests loops over them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    run = aggregate_refresh(area=county)
    assert run.status == RunStatus.SUCCEEDED
    return county


def _age(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((birth.month, birth.day) > (day.month, day.day))


def direct_counts(area: Area) -> dict[tuple[str, str], int]:
    """Every figure of ``area`` counted household by household in Python from the ORM."""
    today = timezone.localdate()
    p = fact_parameters(province=area.code[:2], as_of=today, income_year=today.year - 1)
    households = list(Household.objects.filter(code_range_q(area, "village_id"), is_active=True))
    ids = {household.pk for household in households}
    members: dict[int, list[Member]] = defaultdict(list)
    for member in Member.objects.filter(household_id__in=ids):
        members[member.household_id].append(member)
    latest: dict[int, MonitoringObject] = {}
    for episode in MonitoringObject.objects.filter(household_id__in=ids).order_by("identified_on", "id"):
        latest[episode.household_id] = episode
    warnings = defaultdict(list)
    for warning in RiskWarning.objects.filter(household_id__in=ids, status__in=OPEN_STATUSES).select_related(
        "rule"
    ):
        warnings[warning.household_id].append(warning)
    cases = defaultdict(list)
    for case in Case.objects.filter(household_id__in=ids, state__in=OPEN_STATES):
        cases[case.household_id].append(case)
    measures = defaultdict(list)
    for measure in Measure.objects.filter(household_id__in=ids).exclude(status="cancelled"):
        measures[measure.household_id].append(measure.measure_type)
    last_visit: dict[int, datetime.date] = {}
    for visit in Visit.objects.filter(household_id__in=ids):
        last_visit[visit.household_id] = max(
            visit.visited_on, last_visit.get(visit.household_id, visit.visited_on)
        )
    conditions = {c.household_id: c for c in LivingConditions.objects.filter(household_id__in=ids)}
    income = {
        record.household_id: record.per_capita_net_income
        for record in IncomeRecord.objects.filter(household_id__in=ids, year=p.income_year)
    }
    quality = defaultdict(set)
    for issue in find_issues(Household.objects.filter(pk__in=ids), province=area.code[:2]):
        quality[issue.household_id].add(issue.rule)
    benefiting = set(Beneficiary.objects.filter(household_id__in=ids).values_list("household_id", flat=True))
    paid_income = set(
        Distribution.objects.filter(household_id__in=ids).values_list("household_id", flat=True)
    )
    answers = defaultdict(set)
    for measure_type, risk in p.measure_answers:
        answers[measure_type].add(risk)

    counts: Counter[tuple[str, str]] = Counter()

    def add(figure: str, key: str = TOTAL_KEY, weight: int = 1) -> None:
        counts[(figure, key)] += weight

    for household in households:
        pk = household.pk
        people = len(members[pk])
        add("households")
        add("people", weight=people)
        add("households_by_status", household.poverty_status or BLANK_KEY)
        add("households_by_attribute", household.attribute or BLANK_KEY)
        add("people_by_attribute", household.attribute or BLANK_KEY, people)
        episode = latest.get(pk)
        is_open = episode is not None and not episode.risk_eliminated
        if episode is not None:
            add("monitored")
            add("monitored_by_elimination", "eliminated" if episode.risk_eliminated else "not_eliminated")
            add("monitored_by_category", episode.category or BLANK_KEY)
            for risk in set(episode.risk_types):
                add("monitored_by_risk", risk)
            add("identified_by_month", f"{episode.identified_on:%Y-%m}")
            if episode.risk_eliminated:
                add("eliminated_by_month", f"{episode.eliminated_on:%Y-%m}")
        if is_open:
            add("monitored_open")
            answered = {risk for measure_type in measures[pk] for risk in answers[measure_type]}
            if measures[pk] and set(episode.risk_types) <= answered:
                add("covered_by_measure")
            if set(measures[pk]) & set(p.development_measures):
                add("with_development_measure")
            if pk in last_visit and last_visit[pk] >= today - datetime.timedelta(days=p.visit_interval_days):
                add("visited_recently")
        open_warnings = warnings[pk]
        if open_warnings:
            add("warned")
            for rule in {w.rule_id for w in open_warnings}:
                add("warned_by_rule", rule)
            for department in {w.rule.department for w in open_warnings if w.rule.department}:
                add("warned_by_department", department)
            overdue = [w for w in open_warnings if w.deadline < today]
            if overdue:
                add("warned_overdue")
                for rule in {w.rule_id for w in overdue}:
                    add("warned_overdue_by_rule", rule)
                for department in {w.rule.department for w in overdue if w.rule.department}:
                    add("warned_overdue_by_department", department)
        if cases[pk]:
            add("in_procedure")
            for step in {case.state for case in cases[pk]}:
                add("in_procedure_by_step", step)
            late = {case.state for case in cases[pk] if case.deadline and case.deadline < today}
            if late:
                add("in_procedure_overdue")
                for step in late:
                    add("in_procedure_overdue_by_step", step)
        if any(
            p.conditions.school_min_age <= _age(m.birth_date, today) <= p.conditions.school_max_age
            and m.school_status not in p.conditions.in_school_statuses
            and not m.dropout_reason
            for m in members[pk]
        ):
            add("with_dropout")
        if any(not m.resident_medical_insurance and not m.employee_medical_insurance for m in members[pk]):
            add("with_uninsured")
        condition = conditions.get(pk)
        if condition is not None and condition.house_grade in ("C", "D"):
            add("unsafe_house")
        if condition is not None and not condition.water_safe:
            add("unsafe_water")
        per_capita = income.get(pk)
        if per_capita is not None:
            band = min(max(int(per_capita // p.income_band_width) * p.income_band_width, 0), 20_000)
            add("income_distribution", str(band))
            if per_capita <= p.conditions.income_line:
                add("below_monitoring_line")
        if quality[pk]:
            add("with_quality_issue")
            for rule in quality[pk]:
                add("quality_by_rule", rule)
        if pk in benefiting:
            add("households_with_project_benefit")
            if episode is not None:
                add("monitored_with_project_benefit")
        if pk in paid_income:
            add("households_with_asset_income")
    return dict(counts)


def stored(area: Area) -> dict[tuple[str, str], int]:
    return {
        (figure, key): value
        for figure, key, value in AreaFigure.objects.filter(area_code=area.code).values_list(
            "figure", "key", "value"
        )
        if value
    }


def test_figures_equal_counts_taken_directly_from_the_register(county):
    township = Area.objects.filter(parent=county).order_by("code")[1]
    village = Area.objects.filter(parent=township).order_by("code")[0]
    city = county.parent
    for area in (county, township, village, city, city.parent):
        expected = direct_counts(area)
        assert stored(area) == expected, area
    # The demo county has something in every section, so the comparison is not of empty sets.
    county_figures = {figure for figure, _key in stored(county)}
    assert {figure.key for figure in FIGURES} - county_figures <= {
        "with_uninsured",
        "visited_recently",
        "unsafe_water",
    }
    assert stored(county)[("warned_overdue", "")] > 0
    assert stored(county)[("in_procedure_overdue", "")] == 1


def test_every_level_adds_up_to_the_level_above(county):
    for parent in [county, *Area.objects.filter(parent=county)]:
        children = Counter()
        for child in Area.objects.filter(parent=parent):
            children.update(stored(child))
        assert dict(children) == stored(parent)


def test_the_households_behind_a_figure_are_as_many_as_the_figure(county):
    client = Client()
    client.force_login(factories.user("countyuser", Role.COUNTY_OFFICER, county))
    township = Area.objects.filter(parent=county).order_by("code").first()
    checked = 0
    for area in (county, township):
        for (figure, key), value in stored(area).items():
            if figure in ("people", "people_by_attribute"):
                continue
            query = {"figure": figure, "area": area.code, **({"key": key} if key else {})}
            response = client.get("/households/", query)
            assert response.status_code == 200
            assert response.context["page"].paginator.count == value, (area.code, figure, key)
            checked += 1
    assert checked > 80
    response = client.get("/households/", {"figure": "people", "area": county.code})
    assert response.context["figure_context"]["people"] == stored(county)[("people", "")]


def test_a_township_user_sees_nothing_of_another_township(county):
    mine, other = Area.objects.filter(parent=county).order_by("code")[:2]
    client = Client()
    client.force_login(factories.user("reviewer", Role.TOWNSHIP_REVIEWER, mine))
    page = client.get("/dashboards/")
    assert page.status_code == 200
    board = page.context["board"]
    assert board.area == mine
    assert [crumb.code for crumb in board.crumbs] == [mine.code]
    assert {row.area.parent_id for row in board.children} == {mine.code}
    assert board.figures["households"].total == stored(mine)[("households", "")]
    body = page.content.decode()
    assert other.name not in body
    assert other.code not in body
    for url in (
        f"/dashboards/{other.code}/",
        f"/dashboards/{county.code}/",
        f"/dashboards/{other.code}/reports/summary/",
        f"/dashboards/{county.code}/reports/timeliness/?export=xlsx",
    ):
        assert client.get(url).status_code == 404, url
    behind = client.get("/households/", {"figure": "households", "area": other.code})
    assert behind.context["page"].paginator.count == 0
    report = client.get(f"/dashboards/{mine.code}/reports/timeliness/?level=5")
    assert {row.area.code[:9] for row in report.context["report"].rows} == {mine.code[:9]}


def test_a_failed_refresh_changes_nothing(county, monkeypatch):
    before_figures = sorted(AreaFigure.objects.values_list("area_code", "figure", "key", "value", "run_id"))
    before_facts = HouseholdFact.objects.count()
    Household.objects.filter(code_range_q(county, "village_id")).update(poverty_status="3")

    original = dashboard_services.insert_arrow
    calls = []

    def broken(model, *args, **kwargs):
        # The facts are written; the disk fills while the figures are.
        calls.append(model)
        if model is AreaFigure:
            raise RuntimeError("disk full")
        return original(model, *args, **kwargs)

    monkeypatch.setattr(dashboard_services, "insert_arrow", broken)
    with pytest.raises(RuntimeError):
        aggregate_refresh(area=county)
    run = AggregateRun.objects.order_by("-pk").first()
    assert run.status == RunStatus.FAILED
    assert "disk full" in run.error
    assert (
        sorted(AreaFigure.objects.values_list("area_code", "figure", "key", "value", "run_id"))
        == before_figures
    )
    assert HouseholdFact.objects.count() == before_facts
    assert calls == [HouseholdFact, AreaFigure]


def test_refreshing_one_village_updates_its_ancestors(county):
    household = Household.objects.filter(code_range_q(county, "village_id")).order_by("pk").first()
    village = household.village
    before = stored(county)[("households", "")]
    Household.objects.filter(pk=household.pk).update(is_active=False)
    run = aggregate_refresh(area=village)
    assert stored(county)[("households", "")] == before - 1
    assert stored(county) == direct_counts(county)
    page = Client()
    page.force_login(factories.user("countyuser", Role.COUNTY_OFFICER, county))
    board = page.get(f"/dashboards/{county.code}/").context["board"]
    assert board.newer_part == run


def test_reports_on_screen_in_excel_and_pdf(county):
    client = Client()
    client.force_login(factories.user("countyuser", Role.COUNTY_OFFICER, county))
    screen = client.get(f"/dashboards/{county.code}/reports/timeliness/")
    report = screen.context["report"]
    rates = [row.values["overdue_rate"] for row in report.rows]
    assert rates == sorted(rates, key=lambda rate: (rate is None, rate or 0))
    assert [row.rank for row in report.rows] == list(range(1, len(report.rows) + 1))
    assert report.total.values["warned_overdue"] == stored(county)[("warned_overdue", "")]
    workbook = client.get(f"/dashboards/{county.code}/reports/coverage/?export=xlsx")
    assert workbook.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[-1][1] == county.code
    assert rows[-1][3] == stored(county)[("monitored_open", "")]
    assert len(rows) == 1 + Area.objects.filter(parent=county).count() + 1
    month = f"{timezone.localdate():%Y-%m}"
    summary = client.get(f"/dashboards/{county.code}/reports/summary/?month={month}&level=5")
    assert summary.context["report"].level == AreaLevel.VILLAGE
    identified = sum(row.values["identified"] for row in summary.context["report"].rows)
    assert identified == stored(county).get(("identified_by_month", month), 0)
    pdf = client.get(f"/dashboards/{county.code}/reports/quality/?export=pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


@override_settings(FIGURES_REFRESH_AFTER_CHANGES=True)
def test_a_screening_from_the_web_refreshes_the_figures(county, django_capture_on_commit_callbacks):
    officer = factories.user("countyuser", Role.COUNTY_OFFICER, county)
    with django_capture_on_commit_callbacks(execute=True):
        screening_run_enqueue(user=officer, area=county)
    refresh = AggregateRun.objects.order_by("-pk").first()
    assert refresh.trigger == RefreshTrigger.SCREENING
    assert refresh.status == RunStatus.SUCCEEDED
    assert stored(county) == direct_counts(county)


def test_only_roles_that_read_across_villages_may_recompute(county):
    village = Area.objects.filter(code_range_q(county, "code"), level=AreaLevel.VILLAGE).first()
    client = Client()
    client.force_login(factories.user("cadre1", Role.VILLAGE_CADRE, village))
    runs = AggregateRun.objects.count()
    response = client.post(f"/dashboards/{village.code}/refresh/")
    assert response.status_code == 302
    assert AggregateRun.objects.count() == runs
    assert client.get(f"/dashboards/{village.code}/").status_code == 200


def test_the_figures_command_recounts_an_area_and_refuses_an_unknown_one(county, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    township = Area.objects.filter(parent=county).order_by("code").first()
    call_command("figures", area=township.code[:9], no_progress=True)
    assert AggregateRun.objects.order_by("-pk").first().area == township
    assert "households" in capsys.readouterr().out
    with pytest.raises(CommandError, match="no area with code"):
        call_command("figures", area="159999", no_progress=True)


def test_the_money_panel_sums_the_ledgers_of_the_area(county):
    client = Client()
    client.force_login(factories.user("money-county", Role.COUNTY_OFFICER, county))
    page = client.get(f"/dashboards/{county.code}/").content.decode()
    assert 'data-testid="money"' in page
    assert 'id="chart-funds"' in page
    # The demo's central fund: 3,000,000 received, 2,100,000 allocated, 1,560,000 paid.
    assert "3000000.00" in page.replace(",", "")
    assert "2100000.00" in page.replace(",", "")
    assert "1560000.00" in page.replace(",", "")
    assert 'data-testid="figure-monitored_with_project_benefit"' in page
    # Drill-down: the township of the demo's first village holds all the projects and money.
    assert 'data-testid="money-children"' in page
    elsewhere = Area.objects.filter(parent=county.parent).exclude(code=county.code).first()
    if elsewhere is not None:
        client.force_login(factories.user("money-other", Role.COUNTY_OFFICER, elsewhere))
        assert 'data-testid="money"' not in client.get(f"/dashboards/{elsewhere.code}/").content.decode()


def test_the_assessment_ranks_children_by_the_published_method(county):
    from jingzhun.dashboards.assessment import INDICATORS, ranking, weights

    scores = ranking(area=county)
    assert scores
    scored = [s for s in scores if s.score is not None]
    # Ranks follow the scores; a hand computation of the first area's score agrees.
    assert [s.score for s in scored] == sorted((s.score for s in scored), reverse=True)
    first = scored[0]
    weight = weights(timezone.localdate().year, county.code[:2])
    measured = [v for v in first.values if v.points is not None]
    expected = round(
        sum(v.points for v in measured) * 100 / float(sum(weight[v.indicator.key] for v in measured)), 2
    )
    assert first.score == expected
    figures = {f.figure: f.value for f in AreaFigure.objects.filter(area_code=first.area.code, key="")}
    coverage = next(v for v in first.values if v.indicator.key == "coverage")
    if figures.get("monitored_open"):
        assert coverage.raw == figures.get("covered_by_measure", 0) / figures["monitored_open"]
    assert len(first.values) == len(INDICATORS)
    client = Client()
    client.force_login(factories.user("assessor", Role.COUNTY_OFFICER, county))
    page = client.get(f"/dashboards/{county.code}/assessment/").content.decode()
    assert 'data-testid="ranking"' in page
    assert 'data-testid="method"' in page
    assert client.get(f"/dashboards/{county.code}/assessment/?export=xlsx")["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )


def test_the_oversight_panel_counts_findings_calls_evaluation_and_assessment(county):
    from jingzhun.dashboards.assessment import assessment_run
    from jingzhun.demo.oversight import demo_oversight
    from jingzhun.oversight.models import Finding

    village = (
        Area.objects.filter(code_range_q(county, "code"), level=AreaLevel.VILLAGE).order_by("code").first()
    )
    demo_oversight(county=county, village=village, today=timezone.localdate())
    assessment_run(area=county)
    client = Client()
    client.force_login(factories.user("panel-county", Role.COUNTY_OFFICER, county))
    page = client.get(f"/dashboards/{county.code}/").content.decode()
    for part in (
        "oversight",
        "oversight-findings",
        "oversight-calls",
        "oversight-evaluation",
        "oversight-assessment",
    ):
        assert f'data-testid="{part}"' in page
    open_findings = Finding.objects.filter(state__in=["open", "submitted", "returned"]).count()
    assert f'?area={county.code}">{open_findings}</a>' in page
    assert '"id": "chart-findings"' in page
    # Every number opens the ledger filtered to that area.
    township = village.parent
    listed = re.findall(
        r'href="/oversight/rectification/(\d+)/"',
        client.get(f"/oversight/rectification/?area={township.code}").content.decode(),
    )
    expected = Finding.objects.filter(
        code_range_q(township, "area_id"), state__in=["open", "submitted", "returned"]
    )
    assert sorted(map(int, listed)) == sorted(expected.values_list("pk", flat=True))
    assert expected.exists()


@pytest.mark.spark
def test_the_figures_counted_on_spark_equal_duckdbs(county):
    """The refresh's Ibis expressions on Spark: the same facts and the same figures."""

    def stored_state():
        return (
            sorted(AreaFigure.objects.values_list("area_code", "level", "figure", "key", "value")),
            sorted(
                HouseholdFact.objects.values_list(
                    "household_id", "monitored_open", "open_warning_rules", "quality_rules", "income_band"
                )
            ),
        )

    on_duckdb = stored_state()
    run = aggregate_refresh(area=county, engine="spark")
    assert (run.status, run.engine) == (RunStatus.SUCCEEDED, "spark")
    assert stored_state() == on_duckdb


# --- incremental refreshes ------------------------------------------------------------


def _counted_state() -> tuple[list, list]:
    """Every stored fact and figure, without the run that wrote it."""
    fact_columns = [
        field.attname
        for field in HouseholdFact._meta.concrete_fields
        if field.attname not in {"id", "run_id"}
    ]
    return (
        sorted(HouseholdFact.objects.values_list(*fact_columns)),
        sorted(AreaFigure.objects.values_list("area_code", "level", "figure", "key", "value")),
    )


def test_facts_summed_up_in_chunks_equal_those_summed_up_at_once(county, settings):
    """A province's facts are computed a chunk of households at a time (DuckDB's memory):
    the chunks together are exactly the whole, counted in full and incrementally."""
    assert aggregate_refresh(area=county).status == RunStatus.SUCCEEDED
    at_once = _counted_state()
    settings.FIGURES_CHUNK_HOUSEHOLDS = 45  # six chunks of the county's households
    assert aggregate_refresh(area=county).status == RunStatus.SUCCEEDED
    assert _counted_state() == at_once
    in_county = Household.objects.filter(code_range_q(county, "village_id"), is_active=True)
    changed = list(in_county.order_by("pk").values_list("pk", flat=True)[:120])
    Household.objects.filter(pk__in=changed).update(poverty_status="3")
    run = aggregate_refresh(area=county, incremental=True)
    assert (run.status, run.incremental, run.households) == (RunStatus.SUCCEEDED, True, 120)
    in_chunks = _counted_state()
    settings.FIGURES_CHUNK_HOUSEHOLDS = 250_000
    assert aggregate_refresh(area=county).status == RunStatus.SUCCEEDED
    assert _counted_state() == in_chunks


def _window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Two days twenty days apart in one year, the later no later than today."""
    later = max(today, datetime.date(today.year, 1, 21))
    return later - datetime.timedelta(days=20), later


def test_an_incremental_refresh_ends_where_a_full_count_does(county):
    baseline, later = _window(timezone.localdate())
    interval = dashboard_services.visit_interval_days(county.code[:2])
    households = Household.objects.filter(code_range_q(county, "village_id"), is_active=True).order_by("pk")
    # Records that the passing days change, set before the count they are continued from:
    # a warning and a case falling due, a visit leaving the interval, a child turning 17.
    due = RiskWarning.objects.filter(status__in=OPEN_STATUSES).order_by("pk").first()
    RiskWarning.objects.filter(pk=due.pk).update(deadline=baseline + datetime.timedelta(days=5))
    case = Case.objects.filter(state__in=OPEN_STATES).order_by("pk").last()
    Case.objects.filter(pk=case.pk).update(deadline=baseline + datetime.timedelta(days=3))
    visited = (
        HouseholdFact.objects.filter(monitored_open=True).exclude(household_id=case.household_id).first()
    )
    Visit.objects.filter(household_id=visited.household_id).delete()
    Visit.objects.create(
        household_id=visited.household_id,
        visited_on=baseline - datetime.timedelta(days=interval - 2),
        visitor=factories.user("visitor", Role.VILLAGE_CADRE, county),
    )
    province = county.code[:2]
    in_school = codes_with("school_status", "in_school", year=baseline.year, province=province)
    out_of_school = sorted(set(code_map("school_status", year=baseline.year, province=province)) - in_school)
    child = Member.objects.filter(household__in=households[10:20]).order_by("pk").first()
    Member.objects.filter(pk=child.pk).update(
        birth_date=years_before(later, 17),
        school_status=out_of_school[0],
        dropout_reason="",
    )
    full = aggregate_refresh(area=county, as_of=baseline)
    before = {fact.household_id: fact for fact in HouseholdFact.objects.all()}
    assert full.status == RunStatus.SUCCEEDED
    assert not FactChange.objects.exists()

    # Records changed by every kind of write, after that count.
    _township, other_township = Area.objects.filter(parent=county).order_by("code")[:2]
    away = Area.objects.filter(parent=other_township).order_by("code").first()
    moved, retired, edited = households[30], households[31], households[32]
    Household.objects.filter(pk=moved.pk).update(village_id=away.code)
    Household.objects.filter(pk=retired.pk).update(is_active=False)
    Member.objects.filter(household=edited).order_by("pk").last().delete()
    IncomeRecord.objects.filter(household=households[33]).update(per_capita_net_income=100)
    warning = RiskWarning.objects.filter(status__in=OPEN_STATUSES).exclude(pk=due.pk).order_by("-pk").first()
    RiskWarning.objects.filter(pk=warning.pk).update(status="dismissed")
    Measure.objects.create(household=households[34], measure_type="01", status="active", start_date=later)
    Beneficiary.objects.order_by("pk").first().delete()

    run = aggregate_refresh(area=county, as_of=later, incremental=True)
    assert (run.status, run.incremental) == (RunStatus.SUCCEEDED, True)
    assert 0 < run.households < households.count() / 4
    assert not FactChange.objects.exists()
    incremental = _counted_state()
    after = {fact.household_id: fact for fact in HouseholdFact.objects.all()}
    # The days did change something, so the comparison below is not of untouched facts.
    assert not before[due.household_id].has_overdue_warning
    assert after[due.household_id].has_overdue_warning
    assert not before[case.household_id].has_overdue_case
    assert after[case.household_id].has_overdue_case
    assert before[visited.household_id].visited_recently
    assert not after[visited.household_id].visited_recently
    assert before[child.household_id].has_dropout != after[child.household_id].has_dropout
    assert after[moved.pk].village_id == away.code
    assert retired.pk not in after

    assert aggregate_refresh(area=county, as_of=later).incremental is False
    assert _counted_state() == incremental


def test_an_incremental_refresh_of_a_township_keeps_every_level_right(county):
    today = timezone.localdate()
    township, other_township = Area.objects.filter(parent=county).order_by("code")[:2]
    leaving = Household.objects.filter(code_range_q(township, "village_id")).order_by("pk").first()
    arriving = Household.objects.filter(code_range_q(other_township, "village_id")).order_by("pk").first()
    Household.objects.filter(pk=leaving.pk).update(village_id=arriving.village_id)
    Household.objects.filter(pk=arriving.pk).update(village_id=leaving.village_id)
    run = aggregate_refresh(area=township, as_of=today, incremental=True)
    assert (run.status, run.incremental, run.households) == (RunStatus.SUCCEEDED, True, 2)
    incremental = _counted_state()
    aggregate_refresh(area=county, as_of=today)
    assert _counted_state() == incremental
    assert stored(county) == direct_counts(county)


def test_an_incremental_refresh_with_nothing_changed_writes_nothing(county):
    before = _counted_state()
    # The nightly screening refreshes every open warning without changing what is counted.
    screening_run_execute(screening_run_start(area=county, as_of=timezone.localdate()))
    assert not FactChange.objects.exists()
    run = aggregate_refresh(area=county, incremental=True)
    assert (run.incremental, run.households, run.figures_written) == (True, 0, 0)
    assert _counted_state() == before


def test_a_failed_incremental_refresh_leaves_its_households_for_the_next(county, monkeypatch):
    household = Household.objects.filter(code_range_q(county, "village_id")).order_by("pk").first()
    Household.objects.filter(pk=household.pk).update(poverty_status="3")
    before = _counted_state()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(dashboard_services, "_add_to_figures", broken)
    with pytest.raises(RuntimeError):
        aggregate_refresh(area=county, incremental=True)
    assert _counted_state() == before
    assert FactChange.objects.filter(household_id=household.pk).exists()
    monkeypatch.undo()
    run = aggregate_refresh(area=county, incremental=True)
    assert (run.incremental, run.households) == (True, 1)
    assert not FactChange.objects.exists()
    assert stored(county) == direct_counts(county)


def test_a_refresh_on_another_basis_counts_in_full(county):
    Parameter.objects.filter(key="visit_interval_days").update(value=7)
    clear_caches()
    run = aggregate_refresh(area=county, incremental=True)
    assert (run.status, run.incremental) == (RunStatus.SUCCEEDED, False)
    assert aggregate_refresh(area=county, incremental=True).incremental is True


def test_every_table_the_facts_read_marks_its_changes(county):
    """The triggers exist on every source (a table rebuilt by a later migration on SQLite
    would lose them) and fire on insert, update and delete."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        installed = {name for (name,) in cursor.fetchall()}
    expected = {
        f"{source.table}_facts_{event}"
        for source in FACT_SOURCES
        for event in ("inserted", "deleted", "updated")
    }
    assert expected <= installed
    village = Area.objects.filter(level=AreaLevel.VILLAGE).order_by("code").first()
    household = factories.household(village, number=f"{village.code}9999")
    member = factories.member(household)
    Member.objects.filter(pk=member.pk).update(name="改名")
    member.delete()
    # Created with its living conditions, a member added, renamed and removed: marked once
    # until a refresh takes the mark, then again.
    assert FactChange.objects.filter(household_id=household.pk).count() == 1
    FactChange.objects.update(run=AggregateRun.objects.first())
    Member.objects.filter(household=household).update(name="又改名")
    factories.member(household)
    assert FactChange.objects.filter(household_id=household.pk, run=None).count() == 1


def test_ages_change_only_for_birthdays_in_the_window(county):
    """Whoever is a year older on the later day has a birthday in the window, and nobody
    else is marked (fixed draw of windows over the county's members)."""
    import random

    members = list(Member.objects.exclude(birth_date=None).values_list("pk", "birth_date"))
    draw = random.Random(19)
    year = timezone.localdate().year
    for _ in range(12):
        first = datetime.date(year, 1, 1) + datetime.timedelta(days=draw.randrange(0, 360))
        second = min(first + datetime.timedelta(days=draw.randrange(1, 60)), datetime.date(year, 12, 31))
        if second <= first:
            continue
        marked = set(Member.objects.filter(birthday_between(first, second)).values_list("pk", flat=True))
        older = {pk for pk, born in members if age_in_years(born, first) != age_in_years(born, second)}
        in_window = {pk for pk, born in members if first < _anniversary(born, year) <= second}
        assert older <= marked == in_window


def _anniversary(born: datetime.date, year: int) -> datetime.date:
    try:
        return born.replace(year=year)
    except ValueError:  # 29 February in a common year: a year older on 1 March
        return datetime.date(year, 3, 1)


def test_a_full_count_of_an_area_households_moved_into_and_out_of(county):
    township, other_township = Area.objects.filter(parent=county).order_by("code")[:2]
    leaving = Household.objects.filter(code_range_q(township, "village_id")).order_by("pk").last()
    arriving = Household.objects.filter(code_range_q(other_township, "village_id")).order_by("pk").last()
    Household.objects.filter(pk=leaving.pk).update(village_id=arriving.village_id)
    Household.objects.filter(pk=arriving.pk).update(village_id=leaving.village_id)
    run = aggregate_refresh(area=township)
    assert (run.status, run.incremental) == (RunStatus.SUCCEEDED, False)
    # The household that arrived is counted here and no longer in its old village; the one
    # that left stays marked for the area it moved to.
    assert HouseholdFact.objects.get(household_id=arriving.pk).village_id == leaving.village_id
    assert stored(township) == direct_counts(township)
    assert list(FactChange.objects.values_list("household_id", flat=True)) == [leaving.pk]
    run = aggregate_refresh(area=county, incremental=True)
    assert (run.incremental, run.households) == (True, 1)
    incremental = _counted_state()
    aggregate_refresh(area=county)
    assert _counted_state() == incremental
