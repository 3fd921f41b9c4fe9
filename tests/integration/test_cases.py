"""The procedures' state machine: every move allowed and refused by role, level and area,
preconditions, deadlines and the audit trail."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone, translation

from jingzhun.assistance.models import Measure
from jingzhun.cases import services
from jingzhun.cases.choices import CaseAction, CaseKind, CaseState, Channel
from jingzhun.cases.models import Case, CaseEvent
from jingzhun.cases.workflow import FIRST_STATE, TRANSITIONS, Transition
from jingzhun.codelists.calendar import add_working_days
from jingzhun.codelists.services import parameter_set
from jingzhun.monitoring.choices import WarningStatus
from jingzhun.monitoring.models import RiskWarning, ScreeningRule
from jingzhun.monitoring.services import screening_run_execute, screening_run_start, warning_transition
from jingzhun.registry.models import MonitoringObject, StatusChange
from jingzhun.registry.services import income_record_save
from tests import factories, screening_scenario
from tests.case_steps import People, act, people, step_input
from tests.screening_scenario import AS_OF, INCOME_YEAR

pytestmark = pytest.mark.django_db

# The main line of each procedure, in order.
MAIN_LINE = {
    CaseKind.IDENTIFICATION: [
        CaseAction.SUBMIT_APPLICATION,
        CaseAction.RECORD_VISIT,
        CaseAction.RECORD_COMPARISON,
        CaseAction.RECORD_APPRAISAL,
        CaseAction.CLOSE_NOTICE,
        CaseAction.TOWNSHIP_APPROVE,
        CaseAction.COUNTY_APPROVE,
    ],
    CaseKind.ELIMINATION: [
        CaseAction.RECORD_VISIT,
        CaseAction.RECORD_APPRAISAL,
        CaseAction.CLOSE_NOTICE,
        CaseAction.TOWNSHIP_APPROVE,
        CaseAction.COUNTY_APPROVE,
    ],
    CaseKind.EXIT: [
        CaseAction.RECORD_APPRAISAL,
        CaseAction.RECORD_VISIT,
        CaseAction.RECORD_CONSENT,
        CaseAction.CLOSE_NOTICE,
        CaseAction.COUNTY_APPROVE,
    ],
}


@pytest.fixture
def staff(village, other_village) -> People:
    return people(village, other_village)


def _actor(staff: People, transition: Transition):
    return {5: staff.village, 4: staff.township, 3: staff.county}[transition.level]


def _move(staff: People, case: Case, action: str) -> Case:
    transition = next(t for t in TRANSITIONS.leaving(case.state, kind=case.kind) if t.action == action)
    return act(_actor(staff, transition), case, action)


@pytest.fixture
def plain_household(village):
    household = factories.household(village, attribute="09", poverty_status="")
    factories.member(household)
    return household


@pytest.fixture
def monitored_household(village, staff):
    """A monitoring object identified 8 months ago that meets every elimination condition."""
    household = factories.household(village, attribute="09")
    factories.member(household)
    today = timezone.localdate()
    MonitoringObject.objects.create(
        household=household,
        household_type="2",
        category="2",
        identified_on=today - datetime.timedelta(days=245),
        risk_types=["01"],
    )
    Measure.objects.create(
        household=household, measure_type="07", start_date=today - datetime.timedelta(days=240)
    )
    for year in (today.year - 1, today.year):
        income_record_save(user=staff.village, household=household, year=year, wage_income=Decimal("12000"))
    return household


@pytest.fixture
def poor_household(village):
    household = factories.household(village, attribute="01", poverty_status="1")
    factories.member(household)
    return household


def _open(kind: str, staff: People, households: dict) -> Case:
    household = households[kind]
    if kind == CaseKind.IDENTIFICATION:
        return services.identification_open(user=staff.village, household=household, lead="住院花费大")
    if kind == CaseKind.ELIMINATION:
        return services.elimination_open(user=staff.village, household=household)
    return services.exit_open(user=staff.village, household=household)


@pytest.fixture
def households(plain_household, monitored_household, poor_household):
    return {
        CaseKind.IDENTIFICATION: plain_household,
        CaseKind.ELIMINATION: monitored_household,
        CaseKind.EXIT: poor_household,
    }


def _walk_to(staff: People, case: Case, state: str) -> Case:
    for action in MAIN_LINE[CaseKind(case.kind)]:
        if case.state == state:
            return case
        case = _move(staff, case, action)
    assert case.state == state
    return case


def _state_of(case: Case) -> tuple:
    case = Case.objects.get(pk=case.pk)
    return case.state, case.events.count(), case.attachments.count(), case.decided_on


def _representative_source(transition: Transition) -> CaseState:
    first = FIRST_STATE[transition.kind]
    return first if first in transition.sources else sorted(transition.sources)[0]


@pytest.mark.parametrize(
    "transition",
    TRANSITIONS.transitions,
    ids=[f"{t.kind}-{t.action}-{'+'.join(sorted(t.sources))[:40]}" for t in TRANSITIONS],
)
def test_each_transition_is_refused_to_everyone_else_and_allowed_to_its_role(staff, households, transition):
    case = _walk_to(staff, _open(transition.kind, staff, households), _representative_source(transition))
    allowed = _actor(staff, transition)
    for user in staff.everyone():
        if user == allowed:
            continue
        before = _state_of(case)
        given = step_input(transition.action, transition.kind)
        with pytest.raises(PermissionDenied):
            services.case_transition(
                user=user,
                case=case,
                action=transition.action,
                comment=given.get("comment", ""),
                data=given.get("data"),
                uploads=given.get("uploads", ()),
            )
        assert _state_of(case) == before, user.username
    moved = act(allowed, case, transition.action)
    assert moved.state == transition.target
    event = moved.events.last()
    assert (event.action, event.from_state, event.to_state, event.actor) == (
        transition.action,
        _representative_source(transition),
        transition.target,
        allowed,
    )


@pytest.mark.parametrize("kind", list(CaseKind))
def test_moves_not_in_the_table_are_refused_and_change_nothing(staff, households, kind):
    case = _open(kind, staff, households)
    for action in CaseAction:
        if any(t.kind == kind and t.action == action and case.state in t.sources for t in TRANSITIONS):
            continue
        before = _state_of(case)
        with pytest.raises(ValidationError, match="cannot be done now"):
            services.case_transition(user=staff.county, case=case, action=action, comment="x")
        assert _state_of(case) == before


def test_identification_walks_through_every_step_and_tags_the_household(staff, plain_household):
    case = services.identification_open(user=staff.village, household=plain_household, lead="住院花费大")
    assert case.channel == Channel.CADRE_SCREENING
    assert case.deadline == case.opened_on + datetime.timedelta(days=15)
    case = _walk_to(staff, case, CaseState.APPROVED)
    episode = MonitoringObject.objects.get(household=plain_household)
    assert (episode.category, episode.risk_types, episode.household_type) == ("2", ["01"], "2")
    assert episode.per_capita_net_income == Decimal("5200.00")
    assert case.episode == episode
    assert case.closed_on == timezone.localdate()
    trail = list(case.events.values_list("action", "actor__username"))
    assert trail == [
        ("open", "v-cadre"),
        ("submit_application", "v-cadre"),
        ("record_visit", "v-cadre"),
        ("record_comparison", "c-officer"),
        ("record_appraisal", "v-cadre"),
        ("close_notice", "v-cadre"),
        ("township_approve", "t-review"),
        ("county_approve", "c-officer"),
    ]
    assert case.attachments.get().kind == "signed_application"
    with pytest.raises(ValidationError, match="already a monitoring object"):
        services.identification_open(user=staff.village, household=plain_household, lead="again")


def test_elimination_ends_the_episode_and_the_household_can_be_identified_again(staff, monitored_household):
    case = _walk_to(
        staff, services.elimination_open(user=staff.village, household=monitored_household), "approved"
    )
    episode = MonitoringObject.objects.get(household=monitored_household)
    assert episode.risk_eliminated
    assert episode.eliminated_on == timezone.localdate()
    assert episode.elimination_mode == "1"
    assert case.episode == episode
    again = services.identification_open(user=staff.village, household=monitored_household, lead="又遭灾")
    _walk_to(staff, again, "approved")
    assert MonitoringObject.objects.filter(household=monitored_household).count() == 2


def test_exit_marks_the_household_lifted_out_with_its_status_history(staff, poor_household):
    _walk_to(staff, services.exit_open(user=staff.village, household=poor_household), "approved")
    poor_household.refresh_from_db()
    assert (poor_household.attribute, poor_household.poverty_status) == ("05", "2")
    changes = set(
        StatusChange.objects.filter(household=poor_household).values_list("field", "old_value", "new_value")
    )
    assert changes == {("attribute", "01", "05"), ("poverty_status", "1", "2")}


def test_elimination_names_each_failing_condition(staff, monitored_household):
    episode = MonitoringObject.objects.get(household=monitored_household)
    episode.identified_on = timezone.localdate() - datetime.timedelta(days=60)
    episode.without_labour_capacity = True
    episode.save()
    Measure.objects.filter(household=monitored_household).update(measure_type="12")
    with pytest.raises(ValidationError) as refused:
        services.elimination_open(user=staff.village, household=monitored_household)
    text = " ".join(refused.value.messages)
    assert "At least 6 months since identification" in text
    assert "supported only by social assistance" in text
    assert "income" not in text.lower().split("cannot start")[1][:30]
    assert not Case.objects.exists()


def test_refusals_need_a_reason(staff, plain_household):
    case = _walk_to(
        staff,
        services.identification_open(user=staff.village, household=plain_household, lead="x"),
        CaseState.TOWNSHIP_REVIEW,
    )
    before = _state_of(case)
    with pytest.raises(ValidationError, match="reason"):
        services.case_transition(
            user=staff.township, case=case, action=CaseAction.TOWNSHIP_RETURN, comment=" "
        )
    assert _state_of(case) == before
    case = services.case_transition(
        user=staff.township, case=case, action=CaseAction.TOWNSHIP_RETURN, comment="收入核实不清"
    )
    assert case.state == CaseState.HOME_VISIT


def test_notice_cannot_close_early_or_with_an_open_objection(staff, plain_household):
    case = services.identification_open(user=staff.village, household=plain_household, lead="x")
    case = _walk_to(staff, case, CaseState.APPRAISAL)
    today = timezone.localdate()
    appraisal = step_input(CaseAction.RECORD_APPRAISAL, case.kind)["data"] | {
        "appraised_on": today,
        "notice_starts_on": today,
    }
    case = services.case_transition(user=staff.village, case=case, action="record_appraisal", data=appraisal)
    assert case.notice_ends_on == today + datetime.timedelta(days=4)
    with pytest.raises(ValidationError, match="runs until"):
        services.case_transition(user=staff.village, case=case, action="close_notice")
    Case.objects.filter(pk=case.pk).update(notice_ends_on=today - datetime.timedelta(days=1))
    objection = services.objection_record(
        user=staff.village, case=case, raised_on=today, raised_by="村民李四", content="他家有车"
    )
    with pytest.raises(ValidationError, match="not resolved"):
        services.case_transition(user=staff.village, case=case, action="close_notice")
    with pytest.raises(PermissionDenied):
        services.objection_resolve(user=staff.other_village, objection=objection, resolution="x")
    services.objection_resolve(
        user=staff.village, objection=objection, resolution="车辆已于2023年出售，核实无误"
    )
    case = services.case_transition(user=staff.village, case=case, action="close_notice")
    assert case.state == CaseState.TOWNSHIP_REVIEW
    assert [e.action for e in case.events.all()][-3:] == ["objection", "objection_resolved", "close_notice"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"attendance": 9}, "Too few representatives"),
        ({"attendance": 16}, "More present"),
        ({"votes_for": 6, "votes_against": 6}, "did not pass"),
        ({"votes_for": 12, "votes_against": 1}, "More votes"),
    ],
)
def test_appraisal_needs_a_quorum_and_a_majority(staff, plain_household, change, message):
    case = _walk_to(
        staff,
        services.identification_open(user=staff.village, household=plain_household, lead="x"),
        CaseState.APPRAISAL,
    )
    data = step_input(CaseAction.RECORD_APPRAISAL, case.kind)["data"] | change
    before = _state_of(case)
    with pytest.raises(ValidationError, match=message):
        services.case_transition(user=staff.village, case=case, action="record_appraisal", data=data)
    assert _state_of(case) == before


def test_application_needs_the_signed_form_and_a_proxy_needs_the_fingerprint_note(staff, plain_household):
    case = services.identification_open(user=staff.village, household=plain_household, lead="x")
    with pytest.raises(ValidationError, match="signed application"):
        services.case_transition(user=staff.village, case=case, action="submit_application")
    uploads = step_input(CaseAction.SUBMIT_APPLICATION, case.kind)["uploads"]
    with pytest.raises(ValidationError, match="fingerprint"):
        services.case_transition(
            user=staff.village,
            case=case,
            action="submit_application",
            data={"proxy_signer": "王五"},
            uploads=uploads,
        )
    assert _state_of(case)[0:3] == (CaseState.APPLICATION, 1, 0)
    case = services.case_transition(
        user=staff.village,
        case=case,
        action="submit_application",
        data={"proxy_signer": "王五", "fingerprint_note": "户主不识字，按手印"},
        uploads=step_input(CaseAction.SUBMIT_APPLICATION, case.kind)["uploads"],
    )
    assert (case.state, case.proxy_signer) == (CaseState.HOME_VISIT, "王五")


def test_comparison_findings_must_be_explained(staff, plain_household):
    from jingzhun.departments.models import DepartmentBatch, DepartmentRecord

    case = _walk_to(
        staff,
        services.identification_open(user=staff.village, household=plain_household, lead="x"),
        CaseState.DATA_COMPARISON,
    )
    batch = DepartmentBatch.objects.create(
        dataset_type="exclusion", period=datetime.date(2026, 1, 1), file_name="cars.csv", file_sha256="0" * 64
    )
    member = plain_household.members.get()
    DepartmentRecord.objects.create(
        batch=batch,
        dataset_type="exclusion",
        row_number=2,
        id_number=member.id_number,
        match_status="matched",
        member=member,
        household=plain_household,
        event_date=datetime.date(2025, 5, 1),
        kind="vehicle",
        text="小型轿车",
    )
    page = Client(headers={"accept-language": "en"})
    page.force_login(staff.county)
    assert "小型轿车" in page.get(f"/cases/{case.pk}/").content.decode()
    with pytest.raises(ValidationError, match="found 1 records"):
        services.case_transition(user=staff.county, case=case, action="record_comparison")
    case = services.case_transition(
        user=staff.county,
        case=case,
        action="record_comparison",
        data={"comparison_note": "农用车，不影响识别"},
    )
    assert case.comparison_result == "explained"
    assert case.comparison_findings[0]["kind"] == "vehicle"


def test_a_user_outside_the_area_is_refused_even_with_the_right_role(staff, plain_household, other_village):
    case = services.identification_open(user=staff.village, household=plain_household, lead="x")
    with pytest.raises(PermissionDenied, match="outside your area"):
        act(staff.other_village, case, "submit_application")
    with pytest.raises(PermissionDenied):
        services.identification_open(user=staff.other_village, household=plain_household, lead="x")


def test_working_day_deadlines_skip_weekends_and_holidays(db):
    friday = datetime.date(2026, 11, 20)
    assert add_working_days(friday, 1, province="15") == datetime.date(2026, 11, 23)
    assert add_working_days(friday, 20, province="15") == datetime.date(2026, 12, 18)
    # National Day 2026: 1-7 October off, Saturday 10 October worked.
    assert add_working_days(datetime.date(2026, 9, 30), 5, province="15") == datetime.date(2026, 10, 13)
    # A working Sunday before the holiday (20 September) counts.
    assert add_working_days(datetime.date(2026, 9, 18), 1, province="15") == datetime.date(2026, 9, 20)


def test_a_province_counting_working_days_gets_its_deadline(staff, plain_household, monkeypatch):
    parameter_set(key="case_decision_days", province="15", year=2020, value=Decimal("20"))
    parameter_set(key="case_deadline_working_days", province="15", year=2020, value=Decimal("1"))
    monkeypatch.setattr(services, "local_today", lambda: datetime.date(2026, 11, 20))
    case = services.identification_open(user=staff.village, household=plain_household, lead="x")
    assert (case.opened_on, case.deadline) == (datetime.date(2026, 11, 20), datetime.date(2026, 12, 18))
    Case.objects.filter(pk=case.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=1))
    assert Case.objects.get(pk=case.pk).is_overdue


def test_confirming_a_warning_opens_a_case_with_its_evidence(staff, village):
    screening_scenario.build(village)
    run = screening_run_start(area=village.parent.parent, as_of=AS_OF, income_year=INCOME_YEAR)
    screening_run_execute(run)
    first = RiskWarning.objects.filter(household__village=village).order_by("pk").first()
    household_id = first.household_id
    # A second warning for the same household, from another rule.
    second = RiskWarning.objects.create(
        household_id=household_id,
        rule=ScreeningRule.objects.exclude(pk=first.rule_id).first(),
        risk_type="07",
        first_run=run,
        last_run=run,
        deadline=first.deadline,
    )
    warning_transition(user=staff.village, warning=first, to=WarningStatus.CONFIRMED, note="入户核实属实")
    case = Case.objects.get(warning=first)
    assert (case.channel, case.state, case.household_id) == (
        Channel.DEPARTMENT_WARNING,
        "application",
        household_id,
    )
    assert case.evidence["rule"] == first.rule_id
    assert case.lead == first.message
    assert case.risk_types == [first.risk_type]
    warning_transition(user=staff.village, warning=second, to=WarningStatus.CONFIRMED)
    assert Case.objects.filter(household_id=household_id).count() == 1
    assert case.events.filter(action="warning").get().data["warning"] == second.pk


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_at_once_exactly_one_succeeds(reference_data, village, other_village):
    staff = people(village, other_village)
    second_reviewer = factories.user("t-review-2", "township_reviewer", village.parent)
    household = factories.household(village, attribute="09")
    factories.member(household)
    case = _walk_to(
        staff,
        services.identification_open(user=staff.village, household=household, lead="x"),
        CaseState.TOWNSHIP_REVIEW,
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(user):
        try:
            barrier.wait()
            # The active language is per thread.
            with translation.override("en"):
                services.case_transition(user=user, case=case, action="township_approve")
            outcomes.append("ok")
        except ValidationError as error:
            with translation.override("en"):
                outcomes.append(" ".join(error.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (staff.township, second_reviewer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[1] == "ok"
    assert outcomes.count("ok") == 1
    refused = next(o for o in outcomes if o != "ok")
    assert "Awaiting county approval" in refused
    assert "cannot be done now" in refused
    assert CaseEvent.objects.filter(case=case, action="township_approve").count() == 1
    assert Case.objects.get(pk=case.pk).state == CaseState.COUNTY_APPROVAL


def test_the_countys_decision_records_its_date_and_reason(staff, plain_household):
    case = services.identification_open(user=staff.village, household=plain_household, lead="x")
    case = _walk_to(staff, case, CaseState.COUNTY_APPROVAL)
    case = services.case_transition(
        user=staff.county, case=case, action="county_reject", comment="家庭有商品房两套"
    )
    assert (case.state, case.decided_on, case.decision_note, case.closed_on) == (
        CaseState.REJECTED,
        timezone.localdate(),
        "家庭有商品房两套",
        timezone.localdate(),
    )
    assert not MonitoringObject.objects.filter(household=plain_household).exists()
