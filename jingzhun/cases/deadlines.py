"""The deadline of an identification: lead to county decision (domain.md §5)."""

from __future__ import annotations

import datetime

from jingzhun.codelists.calendar import days_after
from jingzhun.codelists.selectors import parameter_value


def decision_deadline(opened_on: datetime.date, *, province: str) -> datetime.date:
    """Lead to county decision: N calendar days, or N working days where the province counts so."""
    days = int(parameter_value("case_decision_days", year=opened_on.year, province=province))
    working = bool(parameter_value("case_deadline_working_days", year=opened_on.year, province=province))
    return days_after(opened_on, days, working_days=working, province=province)
