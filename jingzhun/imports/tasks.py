"""Background work of the imports app (run by `jingzhun db_worker`)."""

from __future__ import annotations

from django_tasks import task

from jingzhun.imports.models import ImportRun
from jingzhun.imports.services import import_run_execute


@task(queue_name="imports")
def import_run_task(run_id: int) -> None:
    # The run records its own outcome (report or failure); the task result only repeats it.
    import_run_execute(ImportRun.objects.select_related("uploaded_by__area", "area").get(pk=run_id))
