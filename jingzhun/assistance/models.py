from __future__ import annotations

from decimal import Decimal

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
