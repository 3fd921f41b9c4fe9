"""Recording the failure of a batch run (screening, import, figure refresh) in one way."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

ERROR_LENGTH = 2000


def runs_record_failure(runs: QuerySet, error: BaseException | str, **failed_state: str) -> int:
    """Mark ``runs`` failed now with the reason; ``failed_state`` names the model's failed
    state (``status=...`` or ``state=...``). Returns the number of runs marked."""
    message = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    return runs.update(error=message[:ERROR_LENGTH], finished_at=timezone.now(), **failed_state)
