import datetime

import pytest
from django.test import Client

from jingzhun.accounts.choices import Department, Role
from jingzhun.core.runs import RunStatus
from jingzhun.monitoring import services
from jingzhun.monitoring.choices import WarningStatus
from jingzhun.monitoring.models import RiskWarning, ScreeningRun, WarningEvent
from tests import factories, screening_scenario
from tests.screening_scenario import AS_OF, INCOME_YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def screened(village):
    screening_scenario.build(village)
    run = services.screening_run_start(area=village.parent.parent, as_of=AS_OF, income_year=INCOME_YEAR)
    return services.screening_run_execute(run)


def client_for(user):
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def test_cadre_worklist_lists_the_villages_open_warnings(cadre, screened):
    response = client_for(cadre).get("/warnings/", {"status": "all"})
    assert response.status_code == 200
    total = RiskWarning.objects.count()
    assert total > 15
    assert response.context["total"] == total
    assert sum(count for _rule, count, _overdue, _width in response.context["bars"]) == total
    assert "Per-capita net income 6,210 yuan" in response.content.decode()


def test_other_village_sees_nothing_and_cannot_decide(other_cadre, screened):
    client = client_for(other_cadre)
    warning = RiskWarning.objects.first()
    assert client.get("/warnings/").context["total"] == 0
    assert client.get(f"/warnings/{warning.pk}/").status_code == 404
    response = client.post(f"/warnings/{warning.pk}/decide/", {"to": "dismissed", "note": "x"})
    assert response.status_code == 404
    warning.refresh_from_db()
    assert warning.status == WarningStatus.NEW
    assert not WarningEvent.objects.exists()
    # The county's run is not the village's to see.
    assert client.get(f"/warnings/screening/{screened.pk}/").status_code == 404


def test_department_user_sees_its_own_rules_with_health_evidence(village, screened):
    county = village.parent.parent
    medical = factories.user("yibao", Role.DEPARTMENT_USER, county, department=Department.MEDICAL_INSURANCE)
    response = client_for(medical).get("/warnings/", {"status": "all"})
    rules = {rule.department for rule, _count, _overdue, _width in response.context["bars"]}
    assert rules == {Department.MEDICAL_INSURANCE}
    assert (
        response.context["total"] == RiskWarning.objects.filter(rule__department="medical_insurance").count()
    )
    assert "Evidence withheld" not in response.content.decode()
    hospital = RiskWarning.objects.filter(rule_id="HOSPITAL_OUT_OF_POCKET").first()
    assert client_for(medical).get(f"/warnings/{hospital.pk}/").status_code == 200
    housing = RiskWarning.objects.filter(rule_id="HOUSING_UNSAFE").first()
    assert client_for(medical).get(f"/warnings/{housing.pk}/").status_code == 404


def test_health_rules_warnings_are_withheld_from_supervisors(village, screened):
    supervisor = factories.user("ducha", Role.SUPERVISOR, village.parent.parent)
    hospital = RiskWarning.objects.filter(rule_id="HOSPITAL_OUT_OF_POCKET").first()
    # The rule's name says what the person has: whom it fired on is not shown at all.
    assert client_for(supervisor).get(f"/warnings/{hospital.pk}/").status_code == 404
    listed = client_for(supervisor).get("/warnings/?rule=HOSPITAL_OUT_OF_POCKET&status=all")
    assert listed.context["total"] > 0
    assert not any(warning.rule.health_data for warning, _visible in listed.context["rows"])
    # The department that reported the data sees its warnings, evidence withheld only
    # from the other departments (their rules are not theirs to see).
    insurer = factories.user(
        "yibao", Role.DEPARTMENT_USER, village.parent.parent, department="medical_insurance"
    )
    page = client_for(insurer).get(f"/warnings/{hospital.pk}/").content.decode()
    assert hospital.message in page
    housing = RiskWarning.objects.filter(rule_id="HOUSING_UNSAFE").first()
    assert "Evidence withheld" not in client_for(supervisor).get(f"/warnings/{housing.pk}/").content.decode()
    # A supervisor looks; it does not decide.
    response = client_for(supervisor).post(f"/warnings/{housing.pk}/decide/", {"to": "confirmed"})
    assert response.status_code == 403
    housing.refresh_from_db()
    assert housing.status == WarningStatus.NEW


def test_dismissing_needs_a_reason_and_every_decision_is_recorded(cadre, screened):
    client = client_for(cadre)
    warning = RiskWarning.objects.filter(rule_id="UNSAFE_WATER").first()
    response = client.post(f"/warnings/{warning.pk}/decide/", {"to": "dismissed", "note": " "}, follow=True)
    assert "Dismissing a warning needs a reason." in response.content.decode()
    warning.refresh_from_db()
    assert warning.status == WarningStatus.NEW
    client.post(f"/warnings/{warning.pk}/decide/", {"to": "verifying"})
    client.post(f"/warnings/{warning.pk}/decide/", {"to": "dismissed", "note": "已通自来水，入户核实安全"})
    warning.refresh_from_db()
    assert warning.status == WarningStatus.DISMISSED
    assert warning.decided_by == cadre
    events = list(warning.events.values_list("from_status", "to_status", "actor__username"))
    assert events == [("new", "verifying", "cadre"), ("verifying", "dismissed", "cadre")]
    # A decided warning cannot be decided again.
    response = client.post(f"/warnings/{warning.pk}/decide/", {"to": "confirmed"}, follow=True)
    assert "cannot become" in response.content.decode()
    assert warning.events.count() == 2


def test_overdue_warnings_are_flagged_and_filterable(cadre, screened):
    late = RiskWarning.objects.filter(rule_id="INCOME_BELOW_LINE").first()
    late.deadline = datetime.date.today() - datetime.timedelta(days=1)
    late.save()
    RiskWarning.objects.exclude(pk=late.pk).update(
        deadline=datetime.date.today() + datetime.timedelta(days=3)
    )
    response = client_for(cadre).get("/warnings/", {"overdue": "on"})
    assert [warning.pk for warning, _visible in response.context["rows"]] == [late.pk]
    assert response.context["overdue"] == 1
    household_page = client_for(cadre).get(f"/households/{late.household_id}/").content.decode()
    assert "Overdue" in household_page


def test_household_page_lists_current_and_past_warnings(cadre, screened):
    warning = RiskWarning.objects.filter(rule_id="HOUSING_UNSAFE").first()
    services.warning_transition(user=cadre, warning=warning, to=WarningStatus.CONFIRMED, note="C级危房")
    response = client_for(cadre).get(f"/households/{warning.household_id}/")
    listed = [w for w, _visible in response.context["warnings"]]
    assert warning in listed
    assert "Confirmed" in response.content.decode()


def test_county_officer_starts_a_run_from_the_web_and_watches_it(
    village, screened, django_capture_on_commit_callbacks
):
    officer = factories.user("county", Role.COUNTY_OFFICER, village.parent.parent)
    client = client_for(officer)
    page = client.get("/warnings/screening/")
    assert page.status_code == 200
    # The run is handed to the worker once the request's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/warnings/screening/",
            {"area": village.parent.parent.code, "engine": "duckdb", "income_year": INCOME_YEAR},
        )
    run = ScreeningRun.objects.exclude(pk=screened.pk).get()
    assert response.status_code == 302
    assert response.url == f"/warnings/screening/{run.pk}/"
    assert run.started_by == officer
    assert run.status == RunStatus.SUCCEEDED
    detail = client.get(response.url)
    assert detail.context["running"] is False
    assert run.households_screened > 0
    # An htmx poll of a running run returns the progress partial that keeps polling.
    running = ScreeningRun.objects.create(
        area=village, engine="duckdb", income_year=INCOME_YEAR, as_of=AS_OF, progress=40, status="running"
    )
    partial = client.get(
        f"/warnings/screening/{running.pk}/", headers={"hx-request": "true"}
    ).content.decode()
    assert 'hx-trigger="every 1s"' in partial
    assert "40%" in partial
    assert "<html" not in partial


def test_only_the_county_may_start_runs(cadre, village):
    client = client_for(cadre)
    response = client.post(
        "/warnings/screening/", {"area": village.code, "engine": "duckdb", "income_year": 2025}
    )
    assert response.status_code == 403
    assert not ScreeningRun.objects.exists()
    assert b"start-screening" not in client.get("/warnings/screening/").content


def test_start_form_rejects_areas_outside_the_users_and_future_years(village, other_village):
    officer = factories.user("town-officer", Role.COUNTY_OFFICER, village.parent)
    response = client_for(officer).post(
        "/warnings/screening/",
        {
            "area": other_village.parent.code,
            "engine": "duckdb",
            "income_year": datetime.date.today().year + 1,
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"area", "income_year"}
    assert not ScreeningRun.objects.exists()
