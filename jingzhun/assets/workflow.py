"""Disposal of an asset (scrap, sale, transfer) as a transition table (core.workflow):
the village proposes, the township reviews, the county approves; either may return
the proposal with a reason. A disposed asset stays in the ledger with its history."""

from __future__ import annotations

from jingzhun.accounts.choices import Role
from jingzhun.areas.choices import AreaLevel
from jingzhun.assets.choices import AssetAction, AssetState
from jingzhun.core.workflow import TransitionTable, move

A = AssetAction
S = AssetState
VILLAGE = (frozenset({Role.VILLAGE_CADRE}), AreaLevel.VILLAGE)
TOWNSHIP = (frozenset({Role.TOWNSHIP_REVIEWER}), AreaLevel.TOWNSHIP)
COUNTY = (frozenset({Role.COUNTY_OFFICER}), AreaLevel.COUNTY)

TRANSITIONS = TransitionTable(
    (
        move(A.PROPOSE_DISPOSAL, S.IN_USE, S.DISPOSAL_PROPOSED, VILLAGE),
        move(A.WITHDRAW, S.DISPOSAL_PROPOSED, S.IN_USE, VILLAGE, needs_comment=True),
        move(A.TOWNSHIP_APPROVE, S.DISPOSAL_PROPOSED, S.DISPOSAL_REVIEWED, TOWNSHIP),
        move(A.RETURN, S.DISPOSAL_PROPOSED, S.IN_USE, TOWNSHIP, needs_comment=True),
        move(A.COUNTY_APPROVE, S.DISPOSAL_REVIEWED, S.DISPOSED, COUNTY),
        move(A.RETURN, S.DISPOSAL_REVIEWED, S.IN_USE, COUNTY, needs_comment=True),
    ),
    action_labels=AssetAction,
)
