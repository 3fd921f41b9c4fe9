from __future__ import annotations

from django.db.models import QuerySet

from jingzhun.accounts.models import User
from jingzhun.imports.models import ImportRun


def import_run_list(*, user: User) -> QuerySet[ImportRun]:
    """A user's own uploads: a file may hold data of people outside the user's area."""
    return ImportRun.objects.filter(started_by=user).select_related("area")
