from django.db import models
from django.utils.translation import gettext_lazy as _


class SamplingMethod(models.TextChoices):
    PPS = "pps", _("Villages with probability proportional to size")
    STRATIFIED = "stratified", _("Villages at random within each township")


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Not drawn yet")
    DRAWN = "drawn", _("Sample drawn (frozen)")


class Stratum(models.TextChoices):
    REGISTERED = "registered", _("Registered household (lifted out or monitored)")
    UNREGISTERED = "unregistered", _("Other rural household")


class Verdict(models.TextChoices):
    CORRECT = "correct", _("Correct")
    WRONGLY_EXITED = "wrongly_exited", _("Wrongly exited (错退)")
    MISSED = "missed", _("Missed (漏评)")
    WRONGLY_IDENTIFIED = "wrongly_identified", _("Wrongly identified (错评)")
