from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingzhun.assistance.choices import MeasureStatus
from jingzhun.codelists.fields import CodeField


class Measure(models.Model):
    """An assistance measure (帮扶措施) given to a household; its type is a code
    of the ``assistance_measure`` list, whose attributes say which risk types it
    answers and whether it is development-type (开发式)."""

    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="measures")
    measure_type = CodeField(_("measure"), code_list="assistance_measure", blank=False)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=Decimal("0"))
    responsible_unit = models.CharField(_("responsible unit"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.ONGOING
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["household", "start_date"]
        verbose_name = _("assistance measure")
        verbose_name_plural = _("assistance measures")

    def __str__(self) -> str:
        return f"{self.household} {self.measure_type} {self.start_date}"


class Pairing(models.Model):
    """An assistance cadre (帮扶责任人) paired with a household; ended, never deleted."""

    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assistance cadre"),
        on_delete=models.PROTECT,
        related_name="pairings",
    )
    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="pairings")
    started_on = models.DateField(_("paired since"))
    ended_on = models.DateField(_("paired until"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["household", "-started_on"]
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=models.Q(ended_on__isnull=True), name="pairing_one_current"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cadre_id} ↔ {self.household_id}"


class Visit(models.Model):
    """A visit to a household (走访) by its cadre, with notes, photos and an optional location."""

    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="visits")
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visitor"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    visited_on = models.DateField(_("visited on"), db_index=True)
    notes = models.TextField(_("notes"))
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["household", "-visited_on", "-id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")

    def __str__(self) -> str:
        return f"{self.household_id} {self.visited_on}"


def _photo_path(instance: VisitPhoto, filename: str) -> str:
    return f"visits/{instance.visit.household_id}/{instance.visit_id}-{filename}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to=_photo_path)
    original_name = models.CharField(_("file name"), max_length=200)

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")

    def __str__(self) -> str:
        return self.original_name
