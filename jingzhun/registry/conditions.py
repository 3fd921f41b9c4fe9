"""The household conditions of domain.md §3 (two assurances, three guarantees, safe water,
income), each defined once.

A condition is a small expression over the columns of one register table — a member,
a household's living conditions, an income record — that compiles three ways:

- ``ibis(table, terms)``: a boolean column, set-wise on any engine (the screening rules,
  the dashboard facts);
- ``q(terms, prefix)``: a Django ``Q`` (the data-quality rules, selectors);
- ``holds(record, terms)``: a test of one loaded record (pages, the risk-elimination check).

The thresholds and code sets a condition refers to are resolved once for a province and
a day into ``ConditionTerms``, so the three forms cannot drift apart: the same names of
the same lists. Where the data-quality check deliberately differs from the risk, both
are here under their own names (``UNINSURED`` is a risk: neither basic medical insurance;
``INSURANCE_NOT_EXACTLY_ONE`` is a data error: both or neither, as the national form
demands exactly one).

This module imports no model: the engine uses it without the ORM.
"""

from __future__ import annotations

import calendar
import datetime
import operator
from abc import ABC, abstractmethod
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from typing import Any

from django.db.models import Q


@dataclass(frozen=True)
class ConditionTerms:
    """What the conditions compare with, for one province on one day."""

    as_of: datetime.date
    income_line: Decimal = Decimal("0")
    school_min_age: int = 6
    school_max_age: int = 16
    in_school_statuses: tuple[str, ...] = ()
    safe_house_grades: tuple[str, ...] = ("A", "B")


def condition_terms(*, province: str, as_of: datetime.date) -> ConditionTerms:
    """The terms in force: parameters and code-list attributes of the year of ``as_of``."""
    from jingzhun.codelists.selectors import codes_with, parameter_value
    from jingzhun.registry.choices import CodeListKey

    year = as_of.year
    return ConditionTerms(
        as_of=as_of,
        income_line=Decimal(str(parameter_value("monitoring_income_line", year=year, province=province))),
        school_min_age=int(parameter_value("compulsory_school_min_age", year=year, province=province)),
        school_max_age=int(parameter_value("compulsory_school_max_age", year=year, province=province)),
        in_school_statuses=tuple(
            sorted(codes_with(CodeListKey.SCHOOL_STATUS, "in_school", year=year, province=province))
        ),
        safe_house_grades=tuple(
            sorted(codes_with(CodeListKey.HOUSE_GRADE, "safe", year=year, province=province))
        ),
    )


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The date ``years`` before ``day`` (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_on(birth_date: Any, day: datetime.date) -> Any:
    """Whole years between an Ibis date column and ``day``, in SQL every engine shares."""
    import ibis

    before_birthday = (birth_date.month() > day.month) | (
        (birth_date.month() == day.month) & (birth_date.day() > day.day)
    )
    return (day.year - birth_date.year()) - ibis.ifelse(before_birthday, 1, 0)


def age_in_years(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def birthday_between(after: datetime.date, until: datetime.date, field: str = "birth_date") -> Q:
    """People whose age in whole years (``age_on``, ``years_before``) differs on ``until`` from
    on ``after``, a later day of the same year: those whose birthday falls after the one and
    on or before the other. Every age test here changes only on a birthday, so a day's
    passing changes an age-dependent condition only for them (someone born on 29 February
    turns a year older on 1 March in a common year: inside the window that holds it)."""
    if after.year != until.year or after >= until:
        raise ValueError("a window of later days of one year")
    # The (month, day) pairs after the one and up to the other, 29 February among them, as
    # one test per month: a month whole, or the range of its days (which an index on month
    # and day answers for a few days' window, where comparisons of pairs read every row).
    first = datetime.date(_LEAP_YEAR, after.month, after.day) + datetime.timedelta(days=1)
    last = datetime.date(_LEAP_YEAR, until.month, until.day)
    month, day = f"{field}__month", f"{field}__day"
    tests = []
    for number in range(first.month, last.month + 1):
        low = first.day if number == first.month else 1
        high = last.day if number == last.month else calendar.monthrange(_LEAP_YEAR, number)[1]
        if low == 1 and high == calendar.monthrange(_LEAP_YEAR, number)[1]:
            tests.append(Q(**{month: number}))
        else:
            tests.append(Q(**{month: number, f"{day}__gte": low, f"{day}__lte": high}))
    return reduce(operator.or_, tests)


# A year with every (month, day) a birthday can fall on.
_LEAP_YEAR = 2024


# --- the expression language -------------------------------------------------------


class Expr(ABC):
    """A condition's expression; every node gives its three forms."""

    @abstractmethod
    def ibis(self, table: Any, terms: ConditionTerms) -> Any:
        """A boolean column over ``table``."""

    @abstractmethod
    def q(self, terms: ConditionTerms, prefix: str = "") -> Q:
        """The same test as a Django filter (fields behind ``prefix``)."""

    @abstractmethod
    def holds(self, record: Any, terms: ConditionTerms) -> bool:
        """The same test on one loaded record."""

    def __and__(self, other: Expr) -> Expr:
        return _All((self, other))

    def __or__(self, other: Expr) -> Expr:
        return _Any((self, other))

    def __invert__(self) -> Expr:
        return _Not(self)


@dataclass(frozen=True)
class Flag(Expr):
    """A yes/no column is yes."""

    column: str

    def ibis(self, table: Any, terms: ConditionTerms) -> Any:
        return table[self.column].fill_null(False)

    def q(self, terms: ConditionTerms, prefix: str = "") -> Q:
        return Q(**{prefix + self.column: True})

    def holds(self, record: Any, terms: ConditionTerms) -> bool:
        return bool(getattr(record, self.column))


@dataclass(frozen=True)
class Blank(Expr):
    """A text column is empty."""

    column: str

    def ibis(self, table: Any, terms: ConditionTerms) -> Any:
        return table[self.column].fill_null("") == ""

    def q(self, terms: ConditionTerms, prefix: str = "") -> Q:
        return Q(**{prefix + self.column: ""}) | Q(**{f"{prefix}{self.column}__isnull": True})

    def holds(self, record: Any, terms: ConditionTerms) -> bool:
        return not getattr(record, self.column)


@dataclass(frozen=True)
class Same(Expr):
    """Two columns hold the same value."""

    column: str
    other: str

    def ibis(self, table: Any, terms: ConditionTerms) -> Any:
        return table[self.column] == table[self.other]

    def q(self, terms: ConditionTerms, prefix: str = "") -> Q:
        from django.db.models import F

        return Q(**{prefix + self.column: F(prefix + self.other)})

    def holds(self, record: Any, terms: ConditionTerms) -> bool:
        return bool(getattr(record, self.column) == getattr(record, self.other))


@dataclass(frozen=True)
class OneOf(Expr):
    """A coded column holds one of the codes of a term (a code set of ``ConditionTerms``)."""

    column: str
    term: str

    def ibis(self, table: Any, terms: ConditionTerms) -> Any:
        codes = getattr(terms, self.term)
        import ibis

        return table[self.column].isin(codes) if codes else ibis.literal(False)

    def q(self, terms: ConditionTerms, prefix: str = "") -> Q:
        return Q(**{f"{prefix}{self.column}__in": getattr(terms, self.term)})

    def holds(self, record: Any, terms: ConditionTerms) -> bool:
        return getattr(record, self.column) in getattr(terms, self.term)


@dataclass(frozen=True)
class AgedBetween(Expr):
    """A member's age on the terms' day lies between two terms, both included."""

    youngest: str
    oldest: str
    column: str = "birth_date"

    def _bounds(self, terms: ConditionTerms) -> tuple[int, int]:
        return int(getattr(terms, self.youngest)), int(getattr(terms, self.oldest))

    def ibis(self, table: Any, terms: ConditionTerms) -> Any:
        low, high = self._bounds(terms)
        return age_on(table[self.column], terms.as_of).between(low, high)

    def q(self, terms: ConditionTerms, prefix: str = "") -> Q:
        low, high = self._bounds(terms)
        return Q(
            **{
                f"{prefix}{self.column}__lte": years_before(terms.as_of, low),
                f"{prefix}{self.column}__gt": years_before(terms.as_of, high + 1),
            }
        )

    def holds(self, record: Any, terms: ConditionTerms) -> bool:
        low, high = self._bounds(terms)
        born = getattr(record, self.column)
        return born is not None and low <= age_in_years(born, terms.as_of) <= high


@dataclass(frozen=True)
class AtMost(Expr):
    """A recorded amount is at or below a term (an amount not recorded is not)."""

    column: str
    term: str

    def ibis(self, table: Any, terms: ConditionTerms) -> Any:
        import ibis

        limit = ibis.literal(getattr(terms, self.term), type="decimal(14, 2)")
        return table[self.column].notnull() & (table[self.column] <= limit)

    def q(self, terms: ConditionTerms, prefix: str = "") -> Q:
        return Q(**{f"{prefix}{self.column}__lte": getattr(terms, self.term)})

    def holds(self, record: Any, terms: ConditionTerms) -> bool:
        value = getattr(record, self.column)
        return value is not None and Decimal(str(value)) <= getattr(terms, self.term)


@dataclass(frozen=True)
class _All(Expr):
    parts: tuple[Expr, ...]

    def ibis(self, table: Any, terms: ConditionTerms) -> Any:
        return reduce(operator.and_, (part.ibis(table, terms) for part in self.parts))

    def q(self, terms: ConditionTerms, prefix: str = "") -> Q:
        return reduce(operator.and_, (part.q(terms, prefix) for part in self.parts))

    def holds(self, record: Any, terms: ConditionTerms) -> bool:
        return all(part.holds(record, terms) for part in self.parts)


@dataclass(frozen=True)
class _Any(Expr):
    parts: tuple[Expr, ...]

    def ibis(self, table: Any, terms: ConditionTerms) -> Any:
        return reduce(operator.or_, (part.ibis(table, terms) for part in self.parts))

    def q(self, terms: ConditionTerms, prefix: str = "") -> Q:
        return reduce(operator.or_, (part.q(terms, prefix) for part in self.parts))

    def holds(self, record: Any, terms: ConditionTerms) -> bool:
        return any(part.holds(record, terms) for part in self.parts)


@dataclass(frozen=True)
class _Not(Expr):
    part: Expr

    def ibis(self, table: Any, terms: ConditionTerms) -> Any:
        return ~self.part.ibis(table, terms)

    def q(self, terms: ConditionTerms, prefix: str = "") -> Q:
        return ~self.part.q(terms, prefix)

    def holds(self, record: Any, terms: ConditionTerms) -> bool:
        return not self.part.holds(record, terms)


# --- the conditions ----------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """A named condition of one kind of record: ``member``, ``conditions`` (living
    conditions) or ``income`` (an income record)."""

    code: str
    record: str
    expression: Expr

    def ibis(self, table: Any, terms: ConditionTerms) -> Any:
        return self.expression.ibis(table, terms)

    def q(self, terms: ConditionTerms, prefix: str = "") -> Q:
        return self.expression.q(terms, prefix)

    def holds(self, record: Any, terms: ConditionTerms) -> bool:
        return self.expression.holds(record, terms)


_RESIDENT, _EMPLOYEE = Flag("resident_medical_insurance"), Flag("employee_medical_insurance")

# Basic medical: a risk when a member has neither insurance.
UNINSURED = Condition("uninsured", "member", ~(_RESIDENT | _EMPLOYEE))
# The national form asks for exactly one: both (or neither) is a data error, not a risk.
INSURANCE_NOT_EXACTLY_ONE = Condition(
    "insurance_not_exactly_one", "member", Same("resident_medical_insurance", "employee_medical_insurance")
)
# Compulsory education: a child of school age not in school (by the code list's
# "in_school" attribute) with no reason recorded (severe illness, home schooling).
SCHOOL_AGE = Condition("school_age", "member", AgedBetween("school_min_age", "school_max_age"))
OUT_OF_SCHOOL = Condition(
    "out_of_school",
    "member",
    SCHOOL_AGE.expression & ~OneOf("school_status", "in_school_statuses") & Blank("dropout_reason"),
)
# Safe housing: a recorded grade that the code list does not mark "safe" (C and D).
# An empty grade is "not appraised", not unsafe.
UNSAFE_HOUSE = Condition(
    "unsafe_house", "conditions", ~Blank("house_grade") & ~OneOf("house_grade", "safe_house_grades")
)
# Safe water: all four national criteria.
SAFE_WATER = Condition(
    "safe_water",
    "conditions",
    Flag("water_quantity_ok")
    & Flag("water_quality_ok")
    & Flag("water_convenience_ok")
    & Flag("water_reliability_ok"),
)
UNSAFE_WATER = Condition("unsafe_water", "conditions", ~SAFE_WATER.expression)
# Income: per-capita net income at or below the monitoring line. The screening warns
# from it and risk elimination asks for its opposite ("above the line"): one boundary.
INCOME_AT_OR_BELOW_LINE = Condition(
    "income_at_or_below_line", "income", AtMost("per_capita_net_income", "income_line")
)

CONDITIONS: dict[str, Condition] = {
    condition.code: condition
    for condition in (
        UNINSURED,
        INSURANCE_NOT_EXACTLY_ONE,
        SCHOOL_AGE,
        OUT_OF_SCHOOL,
        UNSAFE_HOUSE,
        SAFE_WATER,
        UNSAFE_WATER,
        INCOME_AT_OR_BELOW_LINE,
    )
}
