from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportState(models.TextChoices):
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked, waiting for confirmation")
    WRITING = "writing", _("Writing")
    DONE = "done", _("Written")
    REJECTED = "rejected", _("Not written (errors)")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Failed")
