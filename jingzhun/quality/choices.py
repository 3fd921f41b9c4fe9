from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    ERROR = "error", _("Error")
    WARNING = "warning", _("Warning")


class Subject(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    MEMBER = "member", _("Member")
