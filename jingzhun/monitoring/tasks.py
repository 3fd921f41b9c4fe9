"""Background work of the monitoring app (run by `jingzhun db_worker`)."""

from __future__ import annotations

from django_tasks import task

from jingzhun.dashboards.choices import RefreshTrigger
from jingzhun.dashboards.services import figures_refresh_after
from jingzhun.monitoring.models import ScreeningRun
from jingzhun.monitoring.services import screening_run_execute


@task(queue_name="screening")
def screening_run_task(run_id: int) -> None:
    # The run records its own failure; the task result only repeats it.
    run = screening_run_execute(ScreeningRun.objects.select_related("area").get(pk=run_id))
    figures_refresh_after(area=run.area, trigger=RefreshTrigger.SCREENING)
