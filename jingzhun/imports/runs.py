"""Imports from the web as recorded runs (core.runs): the file uploaded and checked (a dry
run) in the background, its report shown, then — once the uploader confirms — written."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.models import User
from jingzhun.areas.models import Area
from jingzhun.core.errors import StateConflict
from jingzhun.core.runs import (
    RunStatus,
    run_begin,
    run_enqueue,
    run_failed,
    run_progress,
    run_queue_next_job,
    run_succeed,
)
from jingzhun.imports.batch import Progress
from jingzhun.imports.choices import ImportPhase
from jingzhun.imports.models import ImportRun
from jingzhun.imports.services import file_fingerprint, household_import, require_import


def import_run_upload(
    *, user: User, file_name: str, data: bytes, area: Area | None, partial: bool
) -> ImportRun:
    """Store the file, record the run and hand the check (a dry run) to the worker."""
    from jingzhun.imports.tasks import import_run_task  # the task module imports this one

    require_import(user, area)
    run = ImportRun(
        file_name=Path(file_name).name[:200],
        file_sha256=file_fingerprint(data),
        area=area,
        partial=partial,
        started_by=user,
    )
    run.file.save(Path(file_name).name, ContentFile(data), save=False)
    run.save()
    run_enqueue(run, import_run_task)
    return run


def _run_progress(run: ImportRun, start: int, end: int) -> Progress:
    def progress(phase: str, done: int, total: int) -> None:
        run_progress(run, min(start + (end - start) * done // max(total, 1), end), phase)

    return progress


def import_run_execute(run: ImportRun) -> ImportRun:
    """Do the run's queued job: the check, or the write once confirmed; a crash marks it
    failed (the transaction has rolled back: nothing written)."""
    writing = run.phase == ImportPhase.WRITE
    if not run_begin(run, _("Writing") if writing else _("Checking")):
        return run
    try:
        with run.file.open("rb") as handle:
            data = handle.read()
        report = household_import(
            user=run.started_by,
            file_name=run.file_name,
            data=data,
            area=run.area,
            dry_run=not writing,
            partial=run.partial,
            progress=_run_progress(run, 0, 90),
        )
    except Exception as error:
        run_failed(run, error)
        raise
    writable = report.households - report.households_skipped
    run_succeed(
        run,
        report=report.as_dict(),
        writable=bool(report.ok or (run.partial and writable)) if not writing else run.writable,
    )
    return run


def _require_uploader(user: User, run: ImportRun, message: str) -> None:
    if run.started_by_id != user.pk:
        raise PermissionDenied(message)


def import_run_confirm(*, user: User, run: ImportRun) -> ImportRun:
    """Queue the write of a checked run."""
    from jingzhun.imports.tasks import import_run_task

    _require_uploader(user, run, _("Only the person who uploaded the file may confirm it."))
    if not run_queue_next_job(run, only_if=_WAITING_FOR_CONFIRMATION, phase=ImportPhase.WRITE):
        raise StateConflict(_("This import is not waiting for confirmation."))
    run_enqueue(run, import_run_task)
    return run


# A run in state CHECKED as the database holds it (ImportRun.state), for the one
# statement that confirms or cancels it: two requests cannot both succeed.
_WAITING_FOR_CONFIRMATION = {"phase": ImportPhase.CHECK, "writable": True, "cancelled_at__isnull": True}


def import_run_cancel(*, user: User, run: ImportRun) -> None:
    _require_uploader(user, run, _("Only the person who uploaded the file may cancel it."))
    ImportRun.objects.filter(pk=run.pk, status=RunStatus.SUCCEEDED, **_WAITING_FOR_CONFIRMATION).update(
        cancelled_at=timezone.now()
    )
