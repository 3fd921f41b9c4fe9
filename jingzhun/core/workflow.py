"""Procedures as transition tables: every allowed move, who may make it and at which level.

A procedure (a case, a project in the library, an asset's disposal, a finding's
rectification) is a record with a state and a table of moves. A move not in the
table does not exist. Services ask the table to ``resolve`` a move for a user:
it names the one transition that applies or raises without changing anything —
``StateConflict`` when the record is not at a step where the move exists,
``PermissionDenied`` when the user's role or area level may not make it, and
``ValidationError`` when the move needs a reason and none was given. Pages read
the same table to offer only the moves the user may make, and worklists to know
who a record waits for.

Roles and levels are the plain values of the accounts' and areas' choices, so
this module depends on no app; their labels are read when present.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingzhun.core.errors import StateConflict


class Actor(Protocol):
    is_active: bool
    role: str

    @property
    def area(self) -> Any: ...


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    # The area level the user must be at; None: any level (the service then checks which
    # area, e.g. the finding's responsible area or the level that issued it).
    level: int | None
    # Refusing or sending a record back must say why.
    needs_comment: bool = False
    # Tables that hold several procedures (the cases' kinds) tell them apart by this.
    kind: str = ""

    def allows(self, role: str, level: int) -> bool:
        return role in self.roles and (self.level is None or level == self.level)

    def allows_user(self, user: Actor) -> bool:
        return bool(user.is_active and user.area is not None and self.allows(user.role, user.area.level))


def move(
    action: str,
    source: str | Iterable[str],
    target: str,
    who: tuple[Iterable[str], int | None],
    *,
    kind: str = "",
    needs_comment: bool = False,
) -> Transition:
    """One row of a table; ``who`` is (roles, area level): ``({Role.COUNTY_OFFICER}, AreaLevel.COUNTY)``."""
    sources = frozenset({source}) if isinstance(source, str) else frozenset(source)
    roles, level = who
    return Transition(action, sources, target, frozenset(roles), level, needs_comment, kind)


def _label(value: Any) -> str:
    return str(getattr(value, "label", value))


class TransitionTable:
    """The moves of one procedure, looked up by (kind, action, current state)."""

    def __init__(self, transitions: Iterable[Transition], *, action_labels: Any = None) -> None:
        self.transitions: tuple[Transition, ...] = tuple(transitions)
        # The choices class of the actions, to name a refused action in the user's language.
        self._action_labels = action_labels
        seen: set[tuple[str, str, str]] = set()
        for transition in self.transitions:
            for source in transition.sources:
                key = (transition.kind, transition.action, source)
                if key in seen:
                    raise ValueError(f"two transitions for {key}")
                seen.add(key)

    def __iter__(self) -> Any:
        return iter(self.transitions)

    def __len__(self) -> int:
        return len(self.transitions)

    def find(self, action: str, state: str, *, kind: str = "") -> Transition | None:
        for transition in self.transitions:
            if transition.kind == kind and transition.action == action and state in transition.sources:
                return transition
        return None

    def leaving(self, state: str, *, kind: str = "") -> list[Transition]:
        """The moves out of a state, whoever may make them."""
        return [t for t in self.transitions if t.kind == kind and state in t.sources]

    def available(self, user: Actor, state: str, *, kind: str = "") -> list[Transition]:
        """The moves out of a state this user may make (what a page offers)."""
        return [t for t in self.leaving(state, kind=kind) if t.allows_user(user)]

    def for_user(self, user: Actor, *, excluding: Iterable[str] = ()) -> list[Transition]:
        """Every move the user's role and level may make, in any state (for worklists)."""
        skip = set(excluding)
        return [t for t in self.transitions if t.action not in skip and t.allows_user(user)]

    def waiting_on(
        self, state: str, *, kind: str = "", excluding: Iterable[str] = ()
    ) -> set[tuple[str, int | None]]:
        """Who (role, level) can move a record on from this state."""
        skip = set(excluding)
        return {
            (role, t.level)
            for t in self.leaving(state, kind=kind)
            if t.action not in skip
            for role in t.roles
        }

    def action_label(self, action: str) -> str:
        if self._action_labels is not None and action in self._action_labels.values:
            return str(self._action_labels(action).label)
        return action

    def resolve(
        self, *, user: Actor, action: str, state: str, state_label: str, kind: str = "", comment: str = ""
    ) -> Transition:
        """The transition this user makes, or an error that says why not; nothing is changed here."""
        transition = self.find(action, state, kind=kind)
        if transition is None:
            raise StateConflict(
                _("It is at the step “%(step)s”; “%(action)s” cannot be done now.")
                % {"step": state_label, "action": self.action_label(action)}
            )
        if not transition.allows_user(user):
            roles = ", ".join(_label(role) for role in sorted(transition.roles))
            if transition.level is None:
                raise PermissionDenied(_("Only %(roles)s may do this.") % {"roles": roles})
            raise PermissionDenied(
                _("Only %(roles)s at %(level)s level may do this.")
                % {"roles": roles, "level": _label(transition.level)}
            )
        if transition.needs_comment and not comment.strip():
            raise ValidationError({"comment": [_("Give the reason.")]})
        return transition


class TransitionEvent(models.Model):
    """The trail of a record under a procedure: one row per move of its table (and per other
    change the procedure records), written in the move's transaction. Each procedure adds
    the record it belongs to and its states' choices."""

    action = models.CharField(gettext_lazy("action"), max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(gettext_lazy("at"), auto_now_add=True)
    comment = models.TextField(gettext_lazy("comment"), blank=True)
    data = models.JSONField(gettext_lazy("recorded data"), default=dict, blank=True)

    # Where an action's label is found: the procedure's moves, then its other events.
    ACTION_CHOICES: ClassVar[tuple[Any, ...]] = ()

    class Meta:
        abstract = True

    @property
    def action_label(self) -> str:
        for choices in self.ACTION_CHOICES:
            if self.action in choices.values:
                return str(choices(self.action).label)
        return self.action
