from django.db import models
from django.utils.translation import gettext_lazy as _


class Engine(models.TextChoices):
    DUCKDB = "duckdb", "DuckDB"
    POSTGRES = "postgres", "PostgreSQL"
    SPARK = "spark", "Spark"


class Severity(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class WarningStatus(models.TextChoices):
    NEW = "new", _("New")
    VERIFYING = "verifying", _("Verifying")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


OPEN_STATUSES = (WarningStatus.NEW, WarningStatus.VERIFYING)
