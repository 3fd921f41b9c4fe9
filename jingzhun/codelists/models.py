from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

NATIONAL = ""  # the province field of a nationally valid entry


class CodeList(models.Model):
    """A named code list of domain.md §4 (cause of poverty, risk type, labour skill...)."""

    key = models.SlugField(_("key"), max_length=50, primary_key=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        ordering = ["key"]
        verbose_name = _("code list")
        verbose_name_plural = _("code lists")

    def __str__(self) -> str:
        return self.name_zh if (get_language() or "zh").startswith("zh") else self.name_en


class CodeItem(models.Model):
    """One value of a code list, valid from a year and optionally for one province only.

    A province entry with the same code as a national one overrides it (label,
    attributes, or ``is_active=False`` to withdraw it in that province).
    """

    code_list = models.ForeignKey(CodeList, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("code"), max_length=20)
    label_zh = models.CharField(_("label (Chinese)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100)
    province = models.CharField(_("province"), max_length=2, blank=True, default=NATIONAL)
    valid_from_year = models.PositiveSmallIntegerField(_("valid from year"), default=2014)
    valid_to_year = models.PositiveSmallIntegerField(_("valid to year"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)

    class Meta:
        ordering = ["code_list", "sort_order", "code"]
        verbose_name = _("code")
        verbose_name_plural = _("codes")
        constraints = [
            models.UniqueConstraint(
                fields=["code_list", "code", "province", "valid_from_year"], name="codeitem_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label_zh}"

    @property
    def label(self) -> str:
        return self.label_zh if (get_language() or "zh").startswith("zh") else self.label_en


class Parameter(models.Model):
    """A threshold or setting that differs by province and year (domain.md §6).

    The value in force for (province, year) is the province's latest entry not
    after the year, else the national one.
    """

    key = models.SlugField(_("key"), max_length=60)
    province = models.CharField(_("province"), max_length=2, blank=True, default=NATIONAL)
    year = models.PositiveSmallIntegerField(_("from year"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        ordering = ["key", "province", "year"]
        verbose_name = _("parameter")
        verbose_name_plural = _("parameters")
        constraints = [
            models.UniqueConstraint(fields=["key", "province", "year"], name="parameter_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.province or '—'} {self.year}: {self.value}"


class CalendarDay(models.Model):
    """An exception to the Monday-Friday working week: a public holiday on a weekday
    or a working Saturday/Sunday (调休). Province-specific days add to the national ones."""

    date = models.DateField(_("date"))
    province = models.CharField(_("province"), max_length=2, blank=True, default="")
    is_working_day = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("working-day calendar")
        constraints = [models.UniqueConstraint(fields=["date", "province"], name="calendar_day_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
