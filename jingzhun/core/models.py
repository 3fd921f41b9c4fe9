from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAnchor(models.Model):
    """Where an audit table's chain starts: the last entry purged (or nothing yet).
    Its row is also the lock that lets one sealer at a time extend the chain."""

    table = models.CharField(_("table"), max_length=100, unique=True)
    last_seq = models.BigIntegerField(_("last purged entry"), default=0)
    last_hash = models.CharField(_("its hash"), max_length=64, default="0" * 64)
    purged_at = models.DateTimeField(_("purged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit chain anchor")
        verbose_name_plural = _("audit chain anchors")

    def __str__(self) -> str:
        return f"{self.table} @ {self.last_seq}"
