from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingzhun.core.crypto import BlindIndexField, EncryptedCharField
from jingzhun.departments.choices import DatasetType, MatchStatus
from jingzhun.registry.idnumbers import ID_NUMBER_PURPOSE


class DepartmentBatch(models.Model):
    """One imported file of a department dataset: who, when, from where, for which period.

    The file's SHA-256 makes re-importing the same file return this batch
    instead of creating a second one.
    """

    dataset_type = models.CharField(_("dataset"), max_length=20, choices=DatasetType.choices)
    period = models.DateField(_("period (month)"))
    source = models.CharField(_("source"), max_length=100, blank=True)
    file_name = models.CharField(_("file"), max_length=200)
    file_sha256 = models.CharField(_("file fingerprint"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    matched_count = models.PositiveIntegerField(_("matched"), default=0)
    not_in_register_count = models.PositiveIntegerField(_("not in the register"), default=0)
    invalid_id_count = models.PositiveIntegerField(_("invalid ID numbers"), default=0)
    area_count = models.PositiveIntegerField(_("area-level rows"), default=0)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("department batch")
        verbose_name_plural = _("department batches")
        constraints = [
            models.UniqueConstraint(fields=["dataset_type", "file_sha256"], name="batch_unique_file")
        ]

    def __str__(self) -> str:
        return f"{self.get_dataset_type_display()} {self.period:%Y-%m} #{self.pk}"


class DepartmentRecord(models.Model):
    """One row of a department dataset, in the typed columns the screening rules read.

    Datasets share this table (see departments.schemas for which column holds
    what); the record is matched to a member and household by ID number, or to
    a village for area-level rows.
    """

    batch = models.ForeignKey(DepartmentBatch, on_delete=models.CASCADE, related_name="records")
    dataset_type = models.CharField(_("dataset"), max_length=20, choices=DatasetType.choices, db_index=True)
    row_number = models.PositiveIntegerField(_("row"))
    id_number = EncryptedCharField(_("ID number"), max_length=22, blank=True, blind_index="id_number_index")
    id_number_index = BlindIndexField(
        source="id_number", purpose=ID_NUMBER_PURPOSE, blank=True, db_index=True
    )
    match_status = models.CharField(_("match"), max_length=20, choices=MatchStatus.choices)
    member = models.ForeignKey(
        "registry.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="department_records"
    )
    household = models.ForeignKey(
        "registry.Household",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="department_records",
    )
    village_code = models.CharField(_("village code"), max_length=12, blank=True)
    event_date = models.DateField(_("date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=30, blank=True)
    category = models.CharField(_("category"), max_length=30, blank=True)
    grade = models.CharField(_("grade"), max_length=10, blank=True)
    text = models.CharField(_("text"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    amount_total = models.DecimalField(
        _("total cost"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    amount_fund = models.DecimalField(
        _("paid by the fund"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    amount_out_of_pocket = models.DecimalField(
        _("eligible out-of-pocket"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    flags = models.JSONField(_("flags"), default=dict, blank=True)

    class Meta:
        ordering = ["batch", "row_number"]
        verbose_name = _("department record")
        verbose_name_plural = _("department records")
        indexes = [
            models.Index(fields=["dataset_type", "event_date"], name="record_type_date_idx"),
            # An incremental screening asks which records entered or left the look-back window
            # from one day to the next: a few of a province's, found without reading them all.
            models.Index(fields=["event_date"], name="record_event_date_idx"),
            models.Index(
                fields=["end_date"], name="record_end_date_idx", condition=models.Q(end_date__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset_type} {self.id_number or self.village_code} {self.event_date}"
