"""The rectification of a finding as a transition table (core.workflow): the responsible
area submits its measures, the level that issued the finding signs them off or returns
them with a reason. The moves are open to the roles at any level; the services check the
area: the responsible area's own staff submit, the issuing area's staff sign off."""

from __future__ import annotations

from jingzhun.accounts.choices import Role
from jingzhun.core.workflow import TransitionTable, move
from jingzhun.oversight.choices import RectificationAction, RectificationState

A = RectificationAction
S = RectificationState
RESPONSIBLE = (frozenset({Role.VILLAGE_CADRE, Role.TOWNSHIP_REVIEWER, Role.COUNTY_OFFICER}), None)
ISSUER = (frozenset({Role.SUPERVISOR, Role.COUNTY_OFFICER, Role.TOWNSHIP_REVIEWER}), None)

TRANSITIONS = TransitionTable(
    (
        move(A.SUBMIT, {S.OPEN, S.RETURNED}, S.SUBMITTED, RESPONSIBLE),
        move(A.SIGN_OFF, S.SUBMITTED, S.SIGNED_OFF, ISSUER),
        move(A.RETURN, S.SUBMITTED, S.RETURNED, ISSUER, needs_comment=True),
        move(A.WITHDRAW, {S.OPEN, S.RETURNED}, S.WITHDRAWN, ISSUER, needs_comment=True),
    ),
    action_labels=RectificationAction,
)
