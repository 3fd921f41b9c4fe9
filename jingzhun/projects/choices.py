from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectState(models.TextChoices):
    """Each state before the library names the step the project waits for (domain.md §3:
    the village applies, the township reviews, the county approves after the feasibility
    review, with a notice at each level and the county's announcement)."""

    DRAFT = "draft", _("Being prepared by the village")
    VILLAGE_NOTICE = "village_notice", _("In notice in the village")
    TOWNSHIP_REVIEW = "township_review", _("Awaiting township review")
    TOWNSHIP_NOTICE = "township_notice", _("In notice in the township")
    COUNTY_REVIEW = "county_review", _("Awaiting the county's joint review")
    COUNTY_APPROVAL = "county_approval", _("Awaiting county approval")
    COUNTY_ANNOUNCEMENT = "county_announcement", _("Announced by the county")
    IN_LIBRARY = "in_library", _("In the project library")
    PLANNED = "planned", _("In the year's implementation plan")
    UNDER_WAY = "under_way", _("Under way")
    COMPLETED = "completed", _("Completed, awaiting acceptance")
    ACCEPTED = "accepted", _("Accepted")
    REMOVED = "removed", _("Removed from the library")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Before the library: the procedure of proposal, notices, reviews and approval.
PROPOSAL_STATES = frozenset(
    {
        ProjectState.DRAFT,
        ProjectState.VILLAGE_NOTICE,
        ProjectState.TOWNSHIP_REVIEW,
        ProjectState.TOWNSHIP_NOTICE,
        ProjectState.COUNTY_REVIEW,
        ProjectState.COUNTY_APPROVAL,
        ProjectState.COUNTY_ANNOUNCEMENT,
    }
)
# In the library or beyond: the project counts as approved.
LIBRARY_STATES = frozenset(
    {
        ProjectState.IN_LIBRARY,
        ProjectState.PLANNED,
        ProjectState.UNDER_WAY,
        ProjectState.COMPLETED,
        ProjectState.ACCEPTED,
    }
)
# Notice periods: the notice runs from the move into the state until its end date.
NOTICE_STATES = frozenset(
    {ProjectState.VILLAGE_NOTICE, ProjectState.TOWNSHIP_NOTICE, ProjectState.COUNTY_ANNOUNCEMENT}
)
# Money may be allocated and paid to a project once it is in the year's plan.
FUNDABLE_STATES = frozenset(
    {ProjectState.PLANNED, ProjectState.UNDER_WAY, ProjectState.COMPLETED, ProjectState.ACCEPTED}
)


class ProjectAction(models.TextChoices):
    SUBMIT_PROPOSAL = "submit_proposal", _("Submit the proposal and post the village notice")
    CLOSE_VILLAGE_NOTICE = "close_village_notice", _("Close the village notice")
    TOWNSHIP_APPROVE = "township_approve", _("Township review passed; post the township notice")
    CLOSE_TOWNSHIP_NOTICE = "close_township_notice", _("Close the township notice")
    RECORD_REVIEW = "record_review", _("Record the joint review (feasibility)")
    COUNTY_APPROVE = "county_approve", _("Approve and announce")
    CLOSE_ANNOUNCEMENT = "close_announcement", _("Close the announcement: into the library")
    RETURN = "return", _("Return to the village")
    SELECT_FOR_PLAN = "select_for_plan", _("Select into the year's implementation plan")
    REMOVE = "remove", _("Remove from the library")
    START = "start", _("Record the start of works")
    COMPLETE = "complete", _("Record completion and the self-evaluation")
    ACCEPT = "accept", _("Record acceptance")
    FAIL_ACCEPTANCE = "fail_acceptance", _("Acceptance failed: back to works")
    WITHDRAW = "withdraw", _("Withdraw")


class ProjectEventKind(models.TextChoices):
    """Events in a project's history that are not moves of the table."""

    CREATE = "create", _("Project entered")
    EDIT = "edit", _("Project edited")
    PROGRESS = "progress", _("Progress recorded")
    TARGETS = "targets", _("Performance targets changed")
    BENEFICIARIES = "beneficiaries", _("Beneficiary households changed")


class AttachmentKind(models.TextChoices):
    MEETING_MINUTES = "meeting_minutes", _("Minutes of the villagers' meeting")
    NOTICE_PHOTO = "notice_photo", _("Photo of the posted notice")
    FEASIBILITY = "feasibility", _("Feasibility note of the joint review")
    ACCEPTANCE_REPORT = "acceptance_report", _("Acceptance report")
    OTHER = "other", _("Other")


class TargetLevel(models.TextChoices):
    """The first level of the national performance-target structure (绩效目标)."""

    OUTPUT = "output", _("Output")
    BENEFIT = "benefit", _("Benefit")
    SATISFACTION = "satisfaction", _("Satisfaction")


class TargetDimension(models.TextChoices):
    """The second level; each belongs to one first level (``TARGET_DIMENSIONS``)."""

    QUANTITY = "quantity", _("Quantity")
    QUALITY = "quality", _("Quality")
    TIMELINESS = "timeliness", _("Timeliness")
    COST = "cost", _("Cost")
    ECONOMIC = "economic", _("Economic benefit")
    SOCIAL = "social", _("Social benefit")
    ECOLOGICAL = "ecological", _("Ecological benefit")
    SUSTAINABILITY = "sustainability", _("Sustained effect")
    BENEFICIARY_SATISFACTION = "beneficiary_satisfaction", _("Beneficiaries' satisfaction")


TARGET_DIMENSIONS: dict[str, frozenset[str]] = {
    TargetLevel.OUTPUT: frozenset(
        {
            TargetDimension.QUANTITY,
            TargetDimension.QUALITY,
            TargetDimension.TIMELINESS,
            TargetDimension.COST,
        }
    ),
    TargetLevel.BENEFIT: frozenset(
        {
            TargetDimension.ECONOMIC,
            TargetDimension.SOCIAL,
            TargetDimension.ECOLOGICAL,
            TargetDimension.SUSTAINABILITY,
        }
    ),
    TargetLevel.SATISFACTION: frozenset({TargetDimension.BENEFICIARY_SATISFACTION}),
}


class Comparison(models.TextChoices):
    """How the achieved value is compared with the planned one."""

    AT_LEAST = "at_least", "≥"
    AT_MOST = "at_most", "≤"
    EQUAL = "equal", "="


class FundLevel(models.TextChoices):
    """The government level a fund comes from (资金来源)."""

    CENTRAL = "central", _("Central")
    PROVINCIAL = "provincial", _("Provincial")
    CITY = "city", _("City")
    COUNTY = "county", _("County")


class CodeListKey(models.TextChoices):
    PROJECT_CATEGORY = "project_category", _("Project category")
    CONSTRUCTION_TYPE = "construction_type", _("Construction type")
    BENEFIT_MECHANISM = "benefit_mechanism", _("Benefit link to households")
    FUND_TYPE = "fund_type", _("Fund type")
