"""Background work of the monitoring app (run by `jingzhun db_worker`)."""

from __future__ import annotations

from django_tasks import task

from jingzhun.core.runs import RunStatus
from jingzhun.core.signals import counted_data_changed
from jingzhun.monitoring.models import ScreeningRun
from jingzhun.monitoring.services import screening_run_execute


@task(queue_name="screening")
def screening_run_task(run_id: int) -> None:
    # The run records its own failure; the task result only repeats it.
    run = screening_run_execute(ScreeningRun.objects.select_related("area").get(pk=run_id))
    if run.status == RunStatus.SUCCEEDED:
        counted_data_changed.send(sender=ScreeningRun, area=run.area, reason="screening")
