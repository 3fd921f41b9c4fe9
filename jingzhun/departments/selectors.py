from __future__ import annotations

from django.db.models import QuerySet

from jingzhun.accounts.choices import Role
from jingzhun.accounts.models import User
from jingzhun.departments.models import DepartmentBatch
from jingzhun.departments.services import OWNER


def batch_list(*, user: User, dataset_type: str = "") -> QuerySet[DepartmentBatch]:
    """Imported batches (counts only, no personal data): the county office, supervisors and
    the administrator see all of them; a department sees its own datasets; others none."""
    batches = DepartmentBatch.objects.all()
    if dataset_type:
        batches = batches.filter(dataset_type=dataset_type)
    if user.role in (Role.COUNTY_OFFICER, Role.SUPERVISOR, Role.SYSTEM_ADMIN):
        return batches
    if user.role == Role.DEPARTMENT_USER:
        return batches.filter(
            dataset_type__in=[kind for kind, owner in OWNER.items() if owner == user.department]
        )
    return batches.none()
