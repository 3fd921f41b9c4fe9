from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingzhun.cases.choices import (
    OPEN_STATES,
    AttachmentKind,
    CaseAction,
    CaseEventKind,
    CaseKind,
    CaseState,
    Channel,
    ComparisonResult,
    DeclarationStatus,
)
from jingzhun.codelists.fields import CodeField, CodeListField
from jingzhun.core.crypto import BlindIndexField, EncryptedCharField
from jingzhun.core.workflow import TransitionEvent
from jingzhun.registry.idnumbers import ID_NUMBER_PURPOSE


def _money(verbose_name: Any) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, null=True, blank=True)


class Declaration(models.Model):
    """A household's own report of hardship (农户自主申报), sent from the public page.

    It waits in the village's worklist until a cadre opens a case from it or
    declines it; the household can look up its status with ID number and phone.
    """

    name = models.CharField(_("name"), max_length=50)
    id_number = EncryptedCharField(_("ID number"), max_length=18, blind_index="id_number_index")
    id_number_index = BlindIndexField(source="id_number", purpose=ID_NUMBER_PURPOSE, db_index=True)
    phone = EncryptedCharField(_("phone"), max_length=20)
    village = models.ForeignKey(
        "areas.Area", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    what_happened = models.TextField(_("what happened"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    # A keyed hash of the sender's address: enough to rate-limit, not to trace a person.
    client_key = models.CharField(max_length=64, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeclarationStatus.choices, default=DeclarationStatus.RECEIVED
    )
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.SET_NULL, related_name="declarations"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handling_note = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("self-declaration")
        verbose_name_plural = _("self-declarations")

    def __str__(self) -> str:
        return f"{self.village_id} {self.name} {self.submitted_at:%Y-%m-%d}"


class PublicRequest(models.Model):
    """One request to the public pages, kept to rate-limit them per address and per ID number."""

    kind = models.CharField(max_length=20)
    client_key = models.CharField(max_length=64)
    id_key = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "client_key", "at"], name="public_request_client_idx"),
            models.Index(fields=["kind", "id_key", "at"], name="public_request_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class Case(models.Model):
    """One run of a procedure for one household: identification of a monitoring
    object, risk elimination, or poverty exit. The state says which step it waits
    for; the steps' data are kept on the case, every move in ``CaseEvent``."""

    kind = models.CharField(_("procedure"), max_length=16, choices=CaseKind.choices)
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="cases")
    state = models.CharField(_("step"), max_length=20, choices=CaseState.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True)
    declaration = models.ForeignKey(
        Declaration, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    warning = models.ForeignKey(
        "monitoring.RiskWarning", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    lead = models.TextField(_("risk lead"), blank=True)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    # The monitoring episode the case created (identification) or ends (elimination).
    episode = models.ForeignKey(
        "registry.MonitoringObject", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    opened_on = models.DateField(_("opened on"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    deadline = models.DateField(_("decide by"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    # Signed application (identification).
    proxy_signer = models.CharField(_("signed by proxy"), max_length=50, blank=True)
    fingerprint_note = models.CharField(_("fingerprint note"), max_length=200, blank=True)

    # Home visit and the monitoring information form.
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    visited_by = models.CharField(_("information collected by"), max_length=50, blank=True)
    income_last_12_months = _money(_("net income of the last 12 months"))
    per_capita_net_income = _money(_("per-capita net income"))
    eligible_out_of_pocket = _money(_("eligible out-of-pocket spending"))
    household_type = CodeField(_("monitored household type"), code_list="monitoring_household_type")
    category = CodeField(_("monitoring category"), code_list="monitoring_category")
    risk_types = CodeListField(_("risk types"), code_list="risk_type", max_items=5)
    disaster_subtype = CodeField(_("natural-disaster type"), code_list="disaster_subtype")
    risk_note = models.CharField(_("note on the risk"), max_length=200, blank=True)
    without_labour_capacity = models.BooleanField(_("fully without labour capacity (兜底)"), default=False)
    elimination_mode = CodeField(_("elimination mode"), code_list="elimination_mode")
    visit_note = models.TextField(_("visit notes"), blank=True)

    # County data comparison.
    comparison_result = models.CharField(
        _("comparison result"), max_length=10, choices=ComparisonResult.choices, blank=True
    )
    comparison_findings = models.JSONField(_("comparison findings"), default=list, blank=True)
    comparison_note = models.TextField(_("comparison note"), blank=True)

    # Village democratic appraisal and public notice.
    appraised_on = models.DateField(_("appraised on"), null=True, blank=True)
    representatives = models.PositiveSmallIntegerField(_("representatives"), null=True, blank=True)
    attendance = models.PositiveSmallIntegerField(_("present"), null=True, blank=True)
    votes_for = models.PositiveSmallIntegerField(_("votes for"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("votes against"), null=True, blank=True)
    notice_starts_on = models.DateField(_("notice from"), null=True, blank=True)
    notice_ends_on = models.DateField(_("notice until"), null=True, blank=True)
    consent_on = models.DateField(_("consent given on"), null=True, blank=True)

    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            # At most one open case of each procedure per household.
            models.UniqueConstraint(
                fields=["household", "kind"],
                condition=models.Q(state__in=sorted(OPEN_STATES)),
                name="case_one_open_per_kind",
            )
        ]
        indexes = [models.Index(fields=["state", "deadline"], name="case_state_deadline_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.household_id} {self.state}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.deadline is not None and self.deadline < timezone.localdate()


class CaseEvent(TransitionEvent):
    """The audit trail of a case: one row per transition, written in its transaction."""

    ACTION_CHOICES = (CaseAction, CaseEventKind)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(_("from"), max_length=20, choices=CaseState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=CaseState.choices)

    class Meta:
        ordering = ["case", "at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_state} → {self.to_state}"


def _attachment_path(instance: CaseAttachment, filename: str) -> str:
    return f"cases/{instance.case_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class CaseAttachment(models.Model):
    """A file kept as evidence of a step (signed form, minutes, photo of the notice)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        CaseEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=_attachment_path)
    original_name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["case", "uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class Objection(models.Model):
    """An objection raised during the public notice; the notice cannot close while one is open."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="objections")
    raised_on = models.DateField(_("raised on"))
    raised_by = models.CharField(_("raised by"), max_length=50, blank=True)
    content = models.TextField(_("objection"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["case", "raised_on", "id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return f"{self.case_id} {self.raised_on}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None
