from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jingzhun.core.runs import RecordedRun, RunStatus
from jingzhun.imports.choices import ImportPhase, ImportState


class ImportRun(RecordedRun):
    """A household file uploaded from the web (core.runs): checked (a dry run) in the
    background, shown to the user with its report, then — once the user confirms —
    queued again and written. ``started_by`` is the person who uploaded it."""

    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=200)
    file_sha256 = models.CharField(max_length=64)
    area = models.ForeignKey("areas.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    partial = models.BooleanField(_("write the households without errors"), default=False)
    phase = models.CharField(_("job"), max_length=10, choices=ImportPhase.choices, default=ImportPhase.CHECK)
    # Set when the check succeeds: whether confirming would write anything.
    writable = models.BooleanField(default=False)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    report = models.JSONField(_("report"), default=dict, blank=True)

    class Meta(RecordedRun.Meta):
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name} {self.state}"

    @property
    def state(self) -> str:
        """Where the upload stands, as its page says it (ImportState)."""
        if self.status == RunStatus.FAILED:
            return ImportState.FAILED
        if self.is_unfinished:
            return ImportState.CHECKING if self.phase == ImportPhase.CHECK else ImportState.WRITING
        if self.phase == ImportPhase.WRITE:
            return ImportState.DONE if self.report.get("written") else ImportState.REJECTED
        if self.cancelled_at is not None:
            return ImportState.CANCELLED
        return ImportState.CHECKED if self.writable else ImportState.REJECTED

    def get_state_display(self) -> str:
        return str(ImportState(self.state).label)
