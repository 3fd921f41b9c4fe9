from django.db import models
from django.utils.translation import gettext_lazy as _


class MovementKind(models.TextChoices):
    """A row of the fund ledger. Amounts are always positive; the kind says which
    way the money moves, and a correction is a reversal of one earlier row."""

    ALLOCATION = "allocation", _("Allocation to a project")
    ALLOCATION_REVERSAL = "allocation_reversal", _("Reversal of an allocation")
    PAYMENT = "payment", _("Payment")
    PAYMENT_REVERSAL = "payment_reversal", _("Reversal of a payment")


REVERSAL_OF = {
    MovementKind.ALLOCATION: MovementKind.ALLOCATION_REVERSAL,
    MovementKind.PAYMENT: MovementKind.PAYMENT_REVERSAL,
}


class PayeeKind(models.TextChoices):
    UNIT = "unit", _("Unit or company")
    PERSON = "person", _("Person")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("To verify")
    CONFIRMED = "confirmed", _("Confirmed: to be rectified")
    DISMISSED = "dismissed", _("Dismissed")
    RESOLVED = "resolved", _("No longer found")


OPEN_FINDING_STATUSES = frozenset({FindingStatus.OPEN, FindingStatus.CONFIRMED})


class FundEngine(models.TextChoices):
    DUCKDB = "duckdb", "DuckDB"
    POSTGRES = "postgres", "PostgreSQL"
    SPARK = "spark", "Spark"
