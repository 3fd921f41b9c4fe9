from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingzhun.accounts.choices import Department, Role
from jingzhun.accounts.roles import Capability, role_can


class User(AbstractUser):
    """A staff member bound to one role and one administrative area.

    Every read of registry data is filtered to ``area``'s subtree; a user
    without an area (only possible for a superuser created by hand) sees nothing.
    """

    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.CharField(_("department"), max_length=32, choices=Department.choices, blank=True)
    # The session of the latest log-in: the next log-in ends it (one session per account).
    session_key = models.CharField(_("current session"), max_length=40, blank=True, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        super().clean()
        if self.role == Role.DEPARTMENT_USER and not self.department:
            raise ValidationError({"department": _("A department user must name a department.")})
        if self.role != Role.DEPARTMENT_USER and self.department:
            raise ValidationError({"department": _("Only department users belong to a department.")})

    def can(self, capability: Capability | str) -> bool:
        return self.is_active and role_can(self.role, Capability(capability))
