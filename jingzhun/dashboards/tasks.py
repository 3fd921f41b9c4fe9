"""Background work of the dashboards app (run by `jingzhun db_worker`)."""

from __future__ import annotations

from django_tasks import task

from jingzhun.dashboards.models import AggregateRun
from jingzhun.dashboards.services import aggregate_run_execute


@task(queue_name="dashboards")
def aggregate_run_task(run_id: int) -> None:
    # The run records its own failure; the task result only repeats it.
    aggregate_run_execute(AggregateRun.objects.select_related("area").get(pk=run_id))
