"""Writes of assistance: measures, pairing cadres with households, visits.

A paired assistance cadre works on their own households only; the village,
departments and county on any household of their area. Every write records
the household's history in the same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.choices import Role
from jingzhun.accounts.models import User
from jingzhun.accounts.roles import Capability
from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.models import Area
from jingzhun.assistance.models import Measure, Pairing, Visit, VisitPhoto
from jingzhun.codelists.selectors import codes_with
from jingzhun.codelists.validation import coded_field_errors
from jingzhun.core.uploads import clean_image
from jingzhun.registry.choices import CodeListKey
from jingzhun.registry.models import Household, MonitoringObject
from jingzhun.registry.services import household_record_save


def _require_assistance(user: User, household: Household) -> None:
    if not user.can(Capability.RECORD_ASSISTANCE):
        raise PermissionDenied(_("Your role may not record assistance."))
    if user.area is None or not user.area.contains(household.village_id):
        raise PermissionDenied(_("This household is outside your area."))
    if (
        user.role == Role.ASSISTANCE_CADRE
        and not Pairing.objects.filter(cadre=user, household=household, ended_on__isnull=True).exists()
    ):
        raise PermissionDenied(_("You are not paired with this household."))


def measure_save(
    *, user: User, household: Household, measure: Measure | None = None, **fields: Any
) -> Measure:
    _require_assistance(user, household)
    measure = measure or Measure(household=household)
    if measure.household_id != household.pk:
        raise PermissionDenied(_("This measure belongs to another household."))
    for name, value in fields.items():
        setattr(measure, name, value)
    errors: dict[str, list[str]] = {}
    try:
        measure.full_clean(exclude=["household"])
    except ValidationError as error:
        errors.update(error.message_dict)
    for name, messages in coded_field_errors(
        measure,
        year=measure.start_date.year if measure.start_date else timezone.localdate().year,
        province=household.village_id[:2],
    ).items():
        errors.setdefault(name, []).extend(messages)
    if measure.end_date and measure.start_date and measure.end_date < measure.start_date:
        errors.setdefault("end_date", []).append(_("The end date is before the start date."))
    if measure.amount is not None and measure.amount < Decimal("0"):
        errors.setdefault("amount", []).append(_("The amount cannot be negative."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        household_record_save(user=user, instance=measure)
    return measure


def _needs_assistance_q(province: str) -> Q:
    """Households that get a cadre: monitoring objects and registered poor households."""
    poor = codes_with(CodeListKey.HOUSEHOLD_ATTRIBUTE, "registered_poor", province=province)
    monitored = Exists(MonitoringObject.objects.filter(household=OuterRef("pk"), risk_eliminated=False))
    return Q(monitored) | Q(attribute__in=poor)


def pairing_assign_village(*, user: User, cadre: User, village: Area, replace: bool = False) -> int:
    """Pair ``cadre`` with every household of the village that needs assistance and has no
    cadre yet (or, with ``replace``, with all of them, ending the previous pairings)."""
    if not user.can(Capability.ASSIGN_PAIRING):
        raise PermissionDenied(_("Your role may not pair cadres with households."))
    if user.area is None or not user.area.contains(village.code) or village.level != AreaLevel.VILLAGE:
        raise PermissionDenied(_("This village is outside your area."))
    if cadre.role != Role.ASSISTANCE_CADRE or not cadre.is_active:
        raise ValidationError({"cadre": [_("Choose an active assistance cadre.")]})
    today = timezone.localdate()
    households = Household.objects.filter(village=village, is_active=True).filter(
        _needs_assistance_q(village.code[:2])
    )
    current = Pairing.objects.filter(household__in=households, ended_on__isnull=True)
    with transaction.atomic():
        if replace:
            current.exclude(cadre=cadre).update(ended_on=today)
        unpaired = households.exclude(
            Exists(Pairing.objects.filter(household=OuterRef("pk"), ended_on__isnull=True))
        )
        pairings = [
            Pairing(cadre=cadre, household_id=pk, started_on=today, assigned_by=user)
            for pk in unpaired.values_list("pk", flat=True)
        ]
        Pairing.objects.bulk_create(pairings, batch_size=1000)
    return len(pairings)


def pairing_end(*, user: User, pairing: Pairing) -> Pairing:
    if not user.can(Capability.ASSIGN_PAIRING):
        raise PermissionDenied(_("Your role may not pair cadres with households."))
    if user.area is None or not user.area.contains(pairing.household.village_id):
        raise PermissionDenied(_("This household is outside your area."))
    pairing.ended_on = timezone.localdate()
    pairing.save(update_fields=["ended_on"])
    return pairing


def visit_record(
    *,
    user: User,
    household: Household,
    visited_on: datetime.date,
    notes: str,
    photos: Iterable[UploadedFile] = (),
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Visit:
    _require_assistance(user, household)
    errors: dict[str, list[str]] = {}
    if visited_on > timezone.localdate():
        errors["visited_on"] = [_("The date cannot be in the future.")]
    if not notes.strip():
        errors["notes"] = [_("Write what was found and done.")]
    if (latitude is None) != (longitude is None):
        errors["latitude"] = [_("Give both latitude and longitude, or neither.")]
    if latitude is not None and not Decimal("-90") <= latitude <= Decimal("90"):
        errors["latitude"] = [_("A latitude lies between -90 and 90.")]
    if longitude is not None and not Decimal("-180") <= longitude <= Decimal("180"):
        errors["longitude"] = [_("A longitude lies between -180 and 180.")]
    if errors:
        raise ValidationError(errors)
    # Each photo decoded and re-encoded before anything is written.
    checked = [clean_image(photo, field="photos") for photo in photos]
    if latitude is None and longitude is None:
        # Not entered: where the first photo with a GPS record was taken.
        latitude, longitude = next((photo.location for photo in checked if photo.location), (None, None))
    visit = Visit(
        household=household,
        visitor=user,
        visited_on=visited_on,
        notes=notes,
        latitude=latitude,
        longitude=longitude,
    )
    with transaction.atomic():
        household_record_save(user=user, instance=visit)
        for photo in checked:
            VisitPhoto.objects.create(visit=visit, file=photo.content, original_name=photo.original_name)
    return visit
