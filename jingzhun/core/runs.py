"""The one life cycle of every recorded batch run (screening, import, figure refresh, and
the runs to come).

A run is a row written before the work starts, so that a person can see what is
queued, follow its progress and read why it failed. Every run model inherits
``RecordedRun`` and moves only through ``TRANSITIONS``:

    queued ──► running ──► succeeded ─┐
       ▲  │          │                  │ (next job of a run with several:
       │  └──────────┴──► failed        │  an import checked, then written
       └────────────────────────────────┘  once a person confirms)

``run_enqueue`` hands a run to the background worker once the caller's transaction
commits (a worker never sees a run that is not in the database yet);
``run_begin`` / ``run_progress`` / ``run_succeed`` / ``runs_record_failure`` are the
only writers of the life-cycle fields, and ``core/_run_progress.html`` the one
progress display. What a run produced (counts, a report) stays on its own model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingzhun.core.errors import StateConflict

ERROR_LENGTH = 2000
# A step's report to whoever follows the run: (percent, stage).
Progress = Callable[[int, str], None]


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Done")
    FAILED = "failed", _("Failed")


UNFINISHED = (RunStatus.QUEUED, RunStatus.RUNNING)
TRANSITIONS: dict[str, frozenset[str]] = {
    RunStatus.QUEUED: frozenset({RunStatus.RUNNING, RunStatus.FAILED}),
    RunStatus.RUNNING: frozenset({RunStatus.SUCCEEDED, RunStatus.FAILED}),
    RunStatus.SUCCEEDED: frozenset({RunStatus.QUEUED}),
    RunStatus.FAILED: frozenset(),
}


class RecordedRun(models.Model):
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        abstract = True
        ordering = ["-started_at", "-id"]

    @property
    def is_unfinished(self) -> bool:
        return self.status in UNFINISHED


def _move(run: RecordedRun, to: str, only_if: dict[str, Any] | None = None, **fields: Any) -> None:
    """Move ``run`` to ``to`` if the table allows it from the state stored now (another
    worker or a supersession may have moved it meanwhile) and the stored row matches
    ``only_if``; set ``fields`` with it, in the same statement."""
    allowed_from = [state for state, targets in TRANSITIONS.items() if to in targets]
    stored = type(run)._base_manager.filter(pk=run.pk, status__in=allowed_from, **(only_if or {}))
    moved = stored.update(status=to, **fields)
    if not moved:
        current = type(run)._base_manager.filter(pk=run.pk).values_list("status", flat=True).first()
        raise StateConflict(f"{type(run).__name__} #{run.pk} cannot become {to} from {current}")
    run.status = to
    for name, value in fields.items():
        setattr(run, name, value)


def run_enqueue(run: RecordedRun, task: Any) -> None:
    """Hand the run to the background worker when the caller's transaction commits."""
    transaction.on_commit(lambda: task.enqueue(run.pk))


def run_queue_next_job(run: RecordedRun, *, only_if: dict[str, Any], **fields: Any) -> bool:
    """succeeded → queued for the run's next job (``fields`` say which), if the stored row
    still matches ``only_if`` (what the model requires of a run waiting for it). False if
    not (another request confirmed or cancelled it first)."""
    try:
        _move(run, RunStatus.QUEUED, only_if, progress=0, stage="", finished_at=None, **fields)
    except StateConflict:
        return False
    return True


def run_begin(run: RecordedRun, stage: str = "") -> bool:
    """queued → running. False (and nothing done) if the run was failed or taken meanwhile:
    the worker then leaves it."""
    try:
        _move(run, RunStatus.RUNNING, progress=0, stage=stage)
    except StateConflict:
        return False
    return True


def run_progress(run: RecordedRun, percent: int, stage: str = "") -> None:
    """Progress of a running run, visible to others at once (outside any transaction)."""
    type(run)._base_manager.filter(pk=run.pk).update(progress=percent, stage=stage[:100])
    run.progress, run.stage = percent, stage[:100]


def progress_reporter(run: RecordedRun, also: Progress | None = None) -> Progress:
    """A ``report(percent, stage)`` for a run's steps: recorded on the run, and passed on to
    ``also`` (a command's progress bar)."""

    def report(percent: int, stage: str) -> None:
        run_progress(run, percent, stage)
        if also:
            also(percent, stage)

    return report


def run_succeed(run: RecordedRun, **results: Any) -> None:
    """running → succeeded with the run's own results (counts), inside the caller's
    transaction so that the results and the status land together."""
    _move(run, RunStatus.SUCCEEDED, progress=100, stage="", finished_at=timezone.now(), **results)


def runs_record_failure(runs: models.QuerySet, error: BaseException | str) -> int:
    """Mark the unfinished ``runs`` failed now with the reason. Returns how many."""
    message = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    return runs.filter(status__in=UNFINISHED).update(
        status=RunStatus.FAILED, error=message[:ERROR_LENGTH], finished_at=timezone.now()
    )


def run_failed(run: RecordedRun, error: BaseException | str) -> None:
    runs_record_failure(type(run)._base_manager.filter(pk=run.pk), error)
    run.refresh_from_db()
