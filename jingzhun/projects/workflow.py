"""The project library's procedure as one table (core.workflow): a village proposes
after the villagers' meeting and posts a notice, the township reviews and posts its
notice, the county holds the joint review (论证), approves and announces, and the
project enters the library; from there the county plans, starts, completes and
accepts it. Each review may return the project to the village with a reason."""

from __future__ import annotations

from jingzhun.accounts.choices import Role
from jingzhun.areas.choices import AreaLevel
from jingzhun.core.workflow import TransitionTable, move
from jingzhun.projects.choices import ProjectAction, ProjectState

A = ProjectAction
S = ProjectState
VILLAGE = (frozenset({Role.VILLAGE_CADRE}), AreaLevel.VILLAGE)
TOWNSHIP = (frozenset({Role.TOWNSHIP_REVIEWER}), AreaLevel.TOWNSHIP)
COUNTY = (frozenset({Role.COUNTY_OFFICER}), AreaLevel.COUNTY)

TRANSITIONS = TransitionTable(
    (
        move(A.SUBMIT_PROPOSAL, S.DRAFT, S.VILLAGE_NOTICE, VILLAGE),
        move(A.CLOSE_VILLAGE_NOTICE, S.VILLAGE_NOTICE, S.TOWNSHIP_REVIEW, VILLAGE),
        move(A.TOWNSHIP_APPROVE, S.TOWNSHIP_REVIEW, S.TOWNSHIP_NOTICE, TOWNSHIP),
        move(A.RETURN, S.TOWNSHIP_REVIEW, S.DRAFT, TOWNSHIP, needs_comment=True),
        move(A.CLOSE_TOWNSHIP_NOTICE, S.TOWNSHIP_NOTICE, S.COUNTY_REVIEW, TOWNSHIP),
        move(A.RECORD_REVIEW, S.COUNTY_REVIEW, S.COUNTY_APPROVAL, COUNTY),
        move(A.RETURN, {S.COUNTY_REVIEW, S.COUNTY_APPROVAL}, S.DRAFT, COUNTY, needs_comment=True),
        move(A.COUNTY_APPROVE, S.COUNTY_APPROVAL, S.COUNTY_ANNOUNCEMENT, COUNTY),
        move(A.CLOSE_ANNOUNCEMENT, S.COUNTY_ANNOUNCEMENT, S.IN_LIBRARY, COUNTY),
        # The library is revised every year: a project is selected into the year's
        # plan, or removed from the library with a reason.
        move(A.SELECT_FOR_PLAN, S.IN_LIBRARY, S.PLANNED, COUNTY),
        move(A.REMOVE, S.IN_LIBRARY, S.REMOVED, COUNTY, needs_comment=True),
        move(A.START, S.PLANNED, S.UNDER_WAY, COUNTY),
        move(A.COMPLETE, S.UNDER_WAY, S.COMPLETED, COUNTY),
        move(A.ACCEPT, S.COMPLETED, S.ACCEPTED, COUNTY),
        move(A.FAIL_ACCEPTANCE, S.COMPLETED, S.UNDER_WAY, COUNTY, needs_comment=True),
        move(A.WITHDRAW, {S.DRAFT, S.VILLAGE_NOTICE}, S.WITHDRAWN, VILLAGE, needs_comment=True),
    ),
    action_labels=ProjectAction,
)
