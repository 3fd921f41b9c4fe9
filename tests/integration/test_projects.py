"""The project library: entry conditions, the procedure's table by role and area,
notices, targets and their self-evaluation, beneficiaries, and scoped reads."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jingzhun.accounts.choices import Role
from jingzhun.projects import selectors, services
from jingzhun.projects.choices import ProjectAction, ProjectState, TargetLevel
from jingzhun.projects.models import PerformanceTarget, Project
from jingzhun.projects.workflow import TRANSITIONS
from tests import factories
from tests.case_steps import People, people
from tests.project_steps import MAIN_LINE, act, actor_for, end_notice, proposal, step_input, walk_to

A = ProjectAction
S = ProjectState

pytestmark = pytest.mark.usefixtures("reference_data")


@pytest.fixture
def staff(village, other_village) -> People:
    return people(village, other_village)


def _snapshot(project: Project) -> tuple:
    project = Project.objects.get(pk=project.pk)
    return project.state, project.events.count(), project.attachments.count(), project.notice_ends_on


def test_the_whole_line_from_proposal_to_acceptance(staff):
    project = walk_to(staff, proposal(staff.village), S.ACCEPTED)
    assert project.entered_library_on is not None
    assert project.approved_on is not None
    assert project.self_evaluation_score == Decimal("100.00")
    assert [e.action for e in project.events.all()][-len(MAIN_LINE) :] == list(MAIN_LINE)
    assert {a.kind for a in project.attachments.all()} == {"meeting_minutes", "acceptance_report"}


def _representative_source(transition) -> str:
    return min(transition.sources, key=lambda s: list(S).index(S(s)))


@pytest.mark.parametrize(
    "transition",
    TRANSITIONS.transitions,
    ids=[f"{t.action}-{'+'.join(sorted(t.sources))}" for t in TRANSITIONS.transitions],
)
def test_each_move_is_refused_to_everyone_else_and_allowed_to_its_role(staff, transition):
    project = walk_to(staff, proposal(staff.village), _representative_source(transition))
    if project.in_notice and transition.action != A.WITHDRAW:
        end_notice(project)
    allowed = actor_for(staff, transition.level)
    for user in staff.everyone():
        if user == allowed:
            continue
        before = _snapshot(project)
        with pytest.raises(PermissionDenied):
            services.project_transition(
                user=user, project=project, action=transition.action, **step_input(transition.action, project)
            )
        assert _snapshot(project) == before, user.username
    moved = services.project_transition(
        user=allowed, project=project, action=transition.action, **step_input(transition.action, project)
    )
    assert moved.state == transition.target


def test_a_move_not_in_the_table_changes_nothing(staff):
    project = proposal(staff.village)
    before = _snapshot(project)
    with pytest.raises(ValidationError, match="cannot be done now"):
        services.project_transition(user=staff.county, project=project, action=A.COUNTY_APPROVE)
    assert _snapshot(project) == before


def test_a_project_without_targets_or_benefit_link_cannot_be_submitted(staff):
    project = proposal(staff.village, targets=[], benefit_mechanisms=[])
    with pytest.raises(ValidationError) as refused:
        act(staff, project, A.SUBMIT_PROPOSAL)
    text = " ".join(refused.value.messages)
    assert "No Output target" in text
    assert "No Benefit target" in text
    assert "No benefit link" in text
    assert Project.objects.get(pk=project.pk).state == S.DRAFT
    assert project.attachments.count() == 0


def test_every_proposal_gets_the_satisfaction_target_from_configuration(staff):
    project = proposal(staff.village)
    satisfaction = project.targets.get(level=TargetLevel.SATISFACTION)
    assert satisfaction.planned_value == Decimal("90")
    assert satisfaction.unit == "%"


def test_a_notice_cannot_close_before_its_period_ends(staff):
    project = walk_to(staff, proposal(staff.village), S.VILLAGE_NOTICE)
    assert project.notice_ends_on == project.notice_starts_on + datetime.timedelta(days=10)
    with pytest.raises(ValidationError, match="runs until"):
        services.project_transition(user=staff.village, project=project, action=A.CLOSE_VILLAGE_NOTICE)
    assert Project.objects.get(pk=project.pk).state == S.VILLAGE_NOTICE


def test_notice_in_working_days_where_the_province_counts_so(staff):
    from jingzhun.codelists.services import parameter_set

    parameter_set(key="project_notice_days", province="15", year=2014, value=Decimal("7"))
    parameter_set(key="project_notice_working_days", province="15", year=2014, value=Decimal("1"))
    project = walk_to(staff, proposal(staff.village), S.VILLAGE_NOTICE)
    days = (project.notice_ends_on - project.notice_starts_on).days
    assert days >= 9  # seven working days span at least one weekend


def test_a_return_needs_a_reason_and_sends_the_proposal_back(staff):
    project = walk_to(staff, proposal(staff.village), S.TOWNSHIP_REVIEW)
    with pytest.raises(ValidationError):
        services.project_transition(user=staff.township, project=project, action=A.RETURN, comment=" ")
    project = services.project_transition(
        user=staff.township, project=project, action=A.RETURN, comment="预算不实"
    )
    assert project.state == S.DRAFT
    assert project.notice_ends_on is None
    services.project_update(user=staff.village, project=project, name="榆树营村肉牛养殖小区（调整）")


def test_the_self_evaluation_scores_the_targets_by_weight():
    def target(comparison, planned, achieved, weight="10"):
        return PerformanceTarget(
            comparison=comparison,
            planned_value=Decimal(planned),
            achieved_value=Decimal(achieved),
            weight=Decimal(weight),
        )

    targets = [
        target("at_least", "100", "80", "50"),  # 80 % of 50 points
        target("at_most", "10", "10", "30"),  # met
        target("equal", "1", "0", "20"),  # missed
    ]
    assert services.self_evaluation_score(targets) == Decimal("70.00")


def test_completion_needs_every_achieved_value(staff):
    project = walk_to(staff, proposal(staff.village), S.UNDER_WAY)
    with pytest.raises(ValidationError, match="achieved value"):
        services.project_transition(
            user=staff.county, project=project, action=A.COMPLETE, data={"completed_on": timezone.localdate()}
        )
    assert Project.objects.get(pk=project.pk).state == S.UNDER_WAY


def test_only_the_village_edits_its_draft(staff):
    project = proposal(staff.village)
    for user in (staff.other_village, staff.township, staff.county):
        with pytest.raises(PermissionDenied):
            services.project_update(user=user, project=project, name="改名")
    project = walk_to(staff, project, S.VILLAGE_NOTICE)
    with pytest.raises(ValidationError):
        services.project_update(user=staff.village, project=project, name="改名")


def test_beneficiaries_come_from_the_covered_villages(staff, village, other_village):
    project = proposal(staff.village)
    household = factories.household(village)
    stranger = factories.household(other_village)
    services.beneficiary_add(
        user=staff.village,
        project=project,
        household=household,
        benefit_type="01",
        expected_amount=Decimal("3000"),
    )
    with pytest.raises(PermissionDenied):
        services.beneficiary_add(user=staff.village, project=project, household=stranger, benefit_type="01")
    with pytest.raises(ValidationError, match="does not cover"):
        services.beneficiary_add(
            user=staff.other_village, project=project, household=stranger, benefit_type="01"
        )
    with pytest.raises(ValidationError, match="benefit link"):
        services.beneficiary_add(user=staff.village, project=project, household=household, benefit_type="03")
    assert [
        b.household for b in selectors.household_projects(user=staff.village, household_id=household.pk)
    ] == [household]


def test_reads_are_scoped_to_the_area_and_the_covered_villages(staff, other_village):
    own = proposal(staff.village)
    assert list(selectors.project_list(user=staff.other_village)) == []
    assert list(selectors.project_list(user=staff.other_township)) == []
    for user in (staff.village, staff.township, staff.county, staff.supervisor):
        assert [p.pk for p in selectors.project_list(user=user)] == [own.pk]
    with pytest.raises(Project.DoesNotExist):
        selectors.project_get(user=staff.other_village, pk=own.pk)


def test_a_project_across_villages_is_seen_by_each_village_it_covers(staff, village):
    neighbour = factories.area(village.code[:9] + "203", "邻村")
    neighbour_cadre = factories.user("n-cadre", Role.VILLAGE_CADRE, neighbour)
    project = proposal(staff.village, villages=[neighbour.code])
    assert [p.pk for p in selectors.project_list(user=neighbour_cadre)] == [project.pk]
    with pytest.raises(ValidationError):
        proposal(staff.village, villages=["150124101202"])  # another township's village
