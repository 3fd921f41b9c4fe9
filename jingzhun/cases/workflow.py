"""The procedures as one table: every allowed move, who may make it and at which level.

The table follows ``core.workflow``: a move not in it does not exist. The
services resolve each move through it, pages offer only the moves it allows
the user, and the worklists read who a case waits for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jingzhun.accounts.choices import Role
from jingzhun.areas.choices import AreaLevel
from jingzhun.cases.choices import OPEN_STATES, CaseAction, CaseKind, CaseState
from jingzhun.core.workflow import Transition, TransitionTable, move

if TYPE_CHECKING:
    from jingzhun.accounts.models import User

A = CaseAction
S = CaseState
VILLAGE = (frozenset({Role.VILLAGE_CADRE}), AreaLevel.VILLAGE)
TOWNSHIP = (frozenset({Role.TOWNSHIP_REVIEWER}), AreaLevel.TOWNSHIP)
COUNTY = (frozenset({Role.COUNTY_OFFICER}), AreaLevel.COUNTY)


def _t(
    kind: CaseKind,
    action: CaseAction,
    source: CaseState | frozenset[CaseState],
    target: CaseState,
    who: tuple[frozenset[Role], AreaLevel],
    *,
    needs_comment: bool = False,
) -> Transition:
    return move(action, source, target, who, kind=kind, needs_comment=needs_comment)


ID, ELIM, EXIT = CaseKind.IDENTIFICATION, CaseKind.ELIMINATION, CaseKind.EXIT

TRANSITIONS = TransitionTable(
    (
        # Identification of a monitoring object (domain.md §5, 2021-).
        _t(ID, A.SUBMIT_APPLICATION, S.APPLICATION, S.HOME_VISIT, VILLAGE),
        _t(ID, A.RECORD_VISIT, S.HOME_VISIT, S.DATA_COMPARISON, VILLAGE),
        _t(ID, A.RECORD_COMPARISON, S.DATA_COMPARISON, S.APPRAISAL, COUNTY),
        _t(ID, A.COUNTY_REJECT, S.DATA_COMPARISON, S.REJECTED, COUNTY, needs_comment=True),
        _t(ID, A.RECORD_APPRAISAL, S.APPRAISAL, S.PUBLIC_NOTICE, VILLAGE),
        _t(ID, A.CLOSE_NOTICE, S.PUBLIC_NOTICE, S.TOWNSHIP_REVIEW, VILLAGE),
        _t(ID, A.TOWNSHIP_APPROVE, S.TOWNSHIP_REVIEW, S.COUNTY_APPROVAL, TOWNSHIP),
        _t(ID, A.TOWNSHIP_RETURN, S.TOWNSHIP_REVIEW, S.HOME_VISIT, TOWNSHIP, needs_comment=True),
        _t(ID, A.COUNTY_APPROVE, S.COUNTY_APPROVAL, S.APPROVED, COUNTY),
        _t(ID, A.COUNTY_REJECT, S.COUNTY_APPROVAL, S.REJECTED, COUNTY, needs_comment=True),
        _t(ID, A.WITHDRAW, OPEN_STATES, S.WITHDRAWN, VILLAGE, needs_comment=True),
        # Risk elimination: the conditions are checked before the case opens.
        _t(ELIM, A.RECORD_VISIT, S.HOME_VISIT, S.APPRAISAL, VILLAGE),
        _t(ELIM, A.RECORD_APPRAISAL, S.APPRAISAL, S.PUBLIC_NOTICE, VILLAGE),
        _t(ELIM, A.CLOSE_NOTICE, S.PUBLIC_NOTICE, S.TOWNSHIP_REVIEW, VILLAGE),
        _t(ELIM, A.TOWNSHIP_APPROVE, S.TOWNSHIP_REVIEW, S.COUNTY_APPROVAL, TOWNSHIP),
        _t(ELIM, A.TOWNSHIP_RETURN, S.TOWNSHIP_REVIEW, S.HOME_VISIT, TOWNSHIP, needs_comment=True),
        _t(ELIM, A.COUNTY_APPROVE, S.COUNTY_APPROVAL, S.APPROVED, COUNTY),
        _t(ELIM, A.COUNTY_REJECT, S.COUNTY_APPROVAL, S.REJECTED, COUNTY, needs_comment=True),
        _t(ELIM, A.WITHDRAW, OPEN_STATES, S.WITHDRAWN, VILLAGE, needs_comment=True),
        # Poverty exit of a registered poor household (2016-2020): appraisal → verification
        # → the household's consent → notice without objection → announcement.
        _t(EXIT, A.RECORD_APPRAISAL, S.APPRAISAL, S.HOME_VISIT, VILLAGE),
        _t(EXIT, A.RECORD_VISIT, S.HOME_VISIT, S.CONSENT, VILLAGE),
        _t(EXIT, A.RECORD_CONSENT, S.CONSENT, S.PUBLIC_NOTICE, VILLAGE),
        _t(EXIT, A.CLOSE_NOTICE, S.PUBLIC_NOTICE, S.COUNTY_APPROVAL, VILLAGE),
        _t(EXIT, A.COUNTY_APPROVE, S.COUNTY_APPROVAL, S.APPROVED, COUNTY),
        _t(EXIT, A.COUNTY_REJECT, S.COUNTY_APPROVAL, S.REJECTED, COUNTY, needs_comment=True),
        _t(EXIT, A.WITHDRAW, OPEN_STATES, S.WITHDRAWN, VILLAGE, needs_comment=True),
    ),
    action_labels=CaseAction,
)

# The state a new case starts in.
FIRST_STATE = {ID: S.APPLICATION, ELIM: S.HOME_VISIT, EXIT: S.APPRAISAL}


def is_village_cadre(user: User) -> bool:
    """Opening cases, objections and self-declarations are the village's own work."""
    return (
        user.is_active
        and user.role == Role.VILLAGE_CADRE
        and user.area is not None
        and user.area.level == AreaLevel.VILLAGE
    )
