from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingzhun.core.audit import AuditEntry


class ExportRecord(AuditEntry):
    """Who exported which list with which filters, and whether sensitive columns were in full."""

    what = models.CharField(_("export"), max_length=40)
    parameters = models.CharField(_("filters"), max_length=500, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    sensitive_in_full = models.BooleanField(_("sensitive columns in full"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        # The table keeps its first name: its audit chain and trigger are bound to it.
        db_table = "imports_exportrecord"
        ordering = ["-at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"{self.what} {self.at:%Y-%m-%d %H:%M}"
