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


class FindingSource(models.TextChoices):
    INSPECTION = "inspection", _("Inspection")
    EVALUATION = "evaluation", _("Third-party evaluation")
    PHONE_CHECK = "phone_check", _("Phone spot-check")
    DATA_QUALITY = "data_quality", _("Data-quality catalogue")
    FUND_MONITORING = "fund_monitoring", _("Fund monitoring")
    AUDIT = "audit", _("Audit")


class Severity(models.TextChoices):
    HIGH = "high", _("Serious")
    MEDIUM = "medium", _("Ordinary")
    LOW = "low", _("Minor")


class RectificationState(models.TextChoices):
    OPEN = "open", _("To rectify")
    SUBMITTED = "submitted", _("Rectification submitted, awaiting sign-off")
    RETURNED = "returned", _("Returned for further rectification")
    SIGNED_OFF = "signed_off", _("Rectified and signed off")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_RECTIFICATION_STATES = frozenset(
    {RectificationState.OPEN, RectificationState.SUBMITTED, RectificationState.RETURNED}
)


class RectificationAction(models.TextChoices):
    SUBMIT = "submit", _("Submit the rectification")
    SIGN_OFF = "sign_off", _("Sign off")
    RETURN = "return", _("Return with a reason")
    WITHDRAW = "withdraw", _("Withdraw the finding")


class RectificationEventKind(models.TextChoices):
    RAISE = "raise", _("Finding recorded")


class PhotoStage(models.TextChoices):
    PROBLEM = "problem", _("The problem")
    RECTIFIED = "rectified", _("The rectification")


class CallOutcome(models.TextChoices):
    PENDING = "pending", _("Not called yet")
    CONFIRMED = "confirmed", _("Reached: facts confirmed")
    PROBLEM = "problem", _("Reached: problem found")
    NOT_REACHED = "not_reached", _("Not reached")
