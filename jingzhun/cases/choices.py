from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    """The three procedures of domain.md §5 that end in a county decision."""

    IDENTIFICATION = "identification", _("Identification of a monitoring object")
    ELIMINATION = "elimination", _("Risk elimination")
    EXIT = "exit", _("Poverty exit")


class Channel(models.TextChoices):
    """How a risk lead reached the village (domain.md §5, step 1)."""

    SELF_DECLARATION = "self_declaration", _("Household self-declaration")
    CADRE_SCREENING = "cadre_screening", _("Cadre screening")
    DEPARTMENT_WARNING = "department_warning", _("Department data warning")


class CaseState(models.TextChoices):
    """Each open state names the step the case is waiting for."""

    APPLICATION = "application", _("Awaiting the signed application")
    HOME_VISIT = "home_visit", _("Awaiting the home visit")
    DATA_COMPARISON = "data_comparison", _("Awaiting the county data comparison")
    APPRAISAL = "appraisal", _("Awaiting the village appraisal")
    CONSENT = "consent", _("Awaiting the household's consent")
    PUBLIC_NOTICE = "public_notice", _("In public notice")
    TOWNSHIP_REVIEW = "township_review", _("Awaiting township review")
    COUNTY_APPROVAL = "county_approval", _("Awaiting county approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


CLOSED_STATES = frozenset({CaseState.APPROVED, CaseState.REJECTED, CaseState.WITHDRAWN})
OPEN_STATES = frozenset(set(CaseState) - CLOSED_STATES)


class CaseAction(models.TextChoices):
    SUBMIT_APPLICATION = "submit_application", _("Record the signed application")
    RECORD_VISIT = "record_visit", _("Record the home visit")
    RECORD_COMPARISON = "record_comparison", _("Record the data comparison")
    RECORD_APPRAISAL = "record_appraisal", _("Record the village appraisal and start the notice")
    RECORD_CONSENT = "record_consent", _("Record the household's consent")
    CLOSE_NOTICE = "close_notice", _("Close the public notice")
    TOWNSHIP_APPROVE = "township_approve", _("Approve at township review")
    TOWNSHIP_RETURN = "township_return", _("Return to the village for another visit")
    COUNTY_APPROVE = "county_approve", _("Approve and announce")
    COUNTY_REJECT = "county_reject", _("Reject")
    WITHDRAW = "withdraw", _("Withdraw the case")


class CaseEventKind(models.TextChoices):
    """Events recorded on a case that do not move it (the moves are ``CaseAction``)."""

    OPEN = "open", _("Case opened")
    OBJECTION = "objection", _("Objection recorded")
    OBJECTION_RESOLVED = "objection_resolved", _("Objection resolved")
    ATTACHMENT = "attachment", _("File attached")
    WARNING = "warning", _("Another warning confirmed")


class ComparisonResult(models.TextChoices):
    CLEAR = "clear", _("No exclusion found")
    EXPLAINED = "explained", _("Findings explained")


class DeclarationStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted: a case was opened")
    DECLINED = "declined", _("Declined")


class AttachmentKind(models.TextChoices):
    SIGNED_APPLICATION = "signed_application", _("Signed application and authorisation")
    VISIT_FORM = "visit_form", _("Monitoring information form")
    APPRAISAL_MINUTES = "appraisal_minutes", _("Appraisal minutes")
    NOTICE_PHOTO = "notice_photo", _("Photo of the posted notice")
    CONSENT = "consent", _("Household's signed consent")
    OTHER = "other", _("Other")
