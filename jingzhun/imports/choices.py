from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportPhase(models.TextChoices):
    """The jobs of an import run (core.runs): the check, then, once confirmed, the write."""

    CHECK = "check", _("Check")
    WRITE = "write", _("Write")


class ImportState(models.TextChoices):
    """What the person who uploaded sees: derived from the run's status and phase
    (``ImportRun.state``), never stored."""

    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked, waiting for confirmation")
    WRITING = "writing", _("Writing")
    DONE = "done", _("Written")
    REJECTED = "rejected", _("Not written (errors)")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Failed")
