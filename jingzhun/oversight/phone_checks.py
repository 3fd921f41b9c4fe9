"""Phone spot-checks (电话抽查): each day a reproducible random share of an area's monitoring
objects and lifted-out households is drawn into the supervisors' call list; a household
called is not drawn again for a configured number of days. The same area and day always
draw the same households (the seed is the area and the day)."""

from __future__ import annotations

import datetime
import hashlib
import math

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.choices import Role
from jingzhun.accounts.models import User
from jingzhun.areas.models import Area
from jingzhun.areas.selectors import code_range_q
from jingzhun.codelists.selectors import codes_with, parameter_value
from jingzhun.oversight.choices import CallOutcome, FindingSource
from jingzhun.oversight.models import PhoneCheck
from jingzhun.oversight.rectification import finding_raise
from jingzhun.registry.choices import CodeListKey
from jingzhun.registry.models import Household
from jingzhun.registry.services import phone_reveal_for_check

CALLERS = frozenset({Role.SUPERVISOR, Role.SYSTEM_ADMIN})


def _require_caller(user: User, area: Area) -> None:
    if user.role not in CALLERS or user.area is None or not user.area.contains(area.code):
        raise PermissionDenied(_("Phone spot-checks are made by the supervisors of the area."))


def _seed(area: Area, day: datetime.date) -> int:
    return int.from_bytes(hashlib.sha256(f"{area.code}:{day.isoformat()}".encode()).digest()[:8], "big")


def phone_checks_draw(*, user: User, area: Area, day: datetime.date | None = None) -> list[PhoneCheck]:
    """The day's call list for the area, drawn once (drawing again returns the same list)."""
    _require_caller(user, area)
    day = day or timezone.localdate()
    existing = list(PhoneCheck.objects.filter(area=area, day=day).select_related("household"))
    if existing:
        return existing
    province = area.code[:2]
    share = parameter_value("phone_check_share", year=day.year, province=province)
    quiet_days = int(parameter_value("phone_check_repeat_days", year=day.year, province=province))
    lifted = codes_with(CodeListKey.HOUSEHOLD_ATTRIBUTE, "lifted_out", province=province)
    population = Household.objects.filter(code_range_q(area, "village_id"), is_active=True).filter(
        Q(monitoring_episodes__isnull=False) | Q(attribute__in=sorted(lifted))
    )
    recently = PhoneCheck.objects.filter(day__gte=day - datetime.timedelta(days=quiet_days), day__lt=day)
    eligible = sorted(
        set(population.exclude(pk__in=recently.values("household")).values_list("pk", flat=True))
    )
    count = min(len(eligible), math.ceil(float(share) * population.distinct().count()))
    if count == 0:
        return []
    rng = np.random.default_rng(_seed(area, day))
    chosen = sorted(eligible[int(i)] for i in rng.choice(len(eligible), size=count, replace=False))
    try:
        with transaction.atomic():
            PhoneCheck.objects.bulk_create(PhoneCheck(area=area, day=day, household_id=pk) for pk in chosen)
    except IntegrityError:
        pass  # another supervisor drew the same list at the same moment
    return list(PhoneCheck.objects.filter(area=area, day=day).select_related("household"))


def phone_for_call(*, user: User, check: PhoneCheck) -> str:
    """The phone number of a drawn household, for the call: recorded in its history."""
    _require_caller(user, check.area)
    if check.day != timezone.localdate():
        raise ValidationError(_("Only today's call list is called."))
    return phone_reveal_for_check(user=user, household=check.household, purpose="phone_check")


def phone_check_record(
    *, user: User, check: PhoneCheck, outcome: str, note: str = "", problem_type: str = "99"
) -> PhoneCheck:
    """The call's outcome; a problem found enters the rectification ledger."""
    _require_caller(user, check.area)
    if outcome not in CallOutcome.values or outcome == CallOutcome.PENDING:
        raise ValidationError({"outcome": [_("Choose the call's outcome.")]})
    if outcome == CallOutcome.PROBLEM and not note.strip():
        raise ValidationError({"note": [_("Describe the problem found.")]})
    with transaction.atomic():
        locked = PhoneCheck.objects.select_for_update().select_related("household__village").get(pk=check.pk)
        locked.outcome, locked.note, locked.called_by, locked.called_at = outcome, note, user, timezone.now()
        if outcome == CallOutcome.PROBLEM and locked.finding_id is None:
            locked.finding = finding_raise(
                user=user,
                area=locked.household.village,
                source=FindingSource.PHONE_CHECK,
                problem_type=problem_type,
                description=note,
                household=locked.household,
            )
        locked.save()
    return locked
