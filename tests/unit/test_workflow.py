"""The transition-table mechanism every procedure uses (core.workflow)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jingzhun.core.errors import StateConflict
from jingzhun.core.workflow import TransitionTable, move


@dataclass
class _Area:
    level: int


@dataclass
class _User:
    role: str
    area: Any
    is_active: bool = True


CLERK = ({"clerk"}, 5)
CHIEF = ({"chief"}, 3)
TABLE = TransitionTable(
    (
        move("submit", "draft", "review", CLERK),
        move("approve", "review", "done", CHIEF),
        move("return", "review", "draft", CHIEF, needs_comment=True),
        move("withdraw", {"draft", "review"}, "withdrawn", CLERK, needs_comment=True),
    )
)


def test_resolve_names_the_one_transition():
    clerk = _User("clerk", _Area(5))
    assert TABLE.resolve(user=clerk, action="submit", state="draft", state_label="draft").target == "review"


def test_a_move_not_in_the_table_is_a_state_conflict():
    with pytest.raises(StateConflict, match="cannot be done now"):
        TABLE.resolve(user=_User("chief", _Area(3)), action="approve", state="draft", state_label="draft")


@pytest.mark.parametrize(
    "user",
    [
        _User("clerk", _Area(5)),  # wrong role
        _User("chief", _Area(4)),  # right role, wrong level
        _User("chief", None),  # no area
        _User("chief", _Area(3), is_active=False),
    ],
)
def test_only_the_role_at_its_level_may_move(user):
    with pytest.raises(PermissionDenied):
        TABLE.resolve(user=user, action="approve", state="review", state_label="review")


def test_a_return_needs_a_reason():
    chief = _User("chief", _Area(3))
    with pytest.raises(ValidationError):
        TABLE.resolve(user=chief, action="return", state="review", state_label="review", comment="  ")
    assert TABLE.resolve(user=chief, action="return", state="review", state_label="r", comment="why").target


def test_pages_and_worklists_read_the_same_table():
    clerk, chief = _User("clerk", _Area(5)), _User("chief", _Area(3))
    assert {t.action for t in TABLE.available(clerk, "review")} == {"withdraw"}
    assert {t.action for t in TABLE.available(chief, "review")} == {"approve", "return"}
    assert {t.action for t in TABLE.for_user(clerk, excluding={"withdraw"})} == {"submit"}
    assert TABLE.waiting_on("review", excluding={"withdraw"}) == {("chief", 3)}


def test_two_rows_for_the_same_move_are_refused():
    with pytest.raises(ValueError, match="two transitions"):
        TransitionTable((move("a", "s", "t", CLERK), move("a", {"s", "u"}, "v", CLERK)))
