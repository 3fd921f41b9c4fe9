"""Background work of the imports app (run by `jingzhun db_worker`)."""

from __future__ import annotations

from django_tasks import task

from jingzhun.core.signals import counted_data_changed
from jingzhun.imports.choices import ImportState
from jingzhun.imports.models import ImportRun
from jingzhun.imports.runs import import_run_execute


@task(queue_name="imports")
def import_run_task(run_id: int) -> None:
    # The run records its own outcome (report or failure); the task result only repeats it.
    run = import_run_execute(ImportRun.objects.select_related("started_by__area", "area").get(pk=run_id))
    area = run.area or (run.started_by.area if run.started_by else None)
    if run.state == ImportState.DONE and area is not None:
        counted_data_changed.send(sender=ImportRun, area=area, reason="import")
