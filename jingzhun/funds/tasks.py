"""Background work of the funds app (run by `jingzhun db_worker`)."""

from __future__ import annotations

from django_tasks import task

from jingzhun.core.runs import RunStatus
from jingzhun.core.signals import counted_data_changed
from jingzhun.funds.models import FundMonitoringRun
from jingzhun.funds.monitoring import fund_monitoring_execute


@task(queue_name="screening")
def fund_monitoring_task(run_id: int) -> None:
    # The run records its own failure; the task result only repeats it.
    run = fund_monitoring_execute(FundMonitoringRun.objects.select_related("area").get(pk=run_id))
    if run.status == RunStatus.SUCCEEDED:
        counted_data_changed.send(sender=FundMonitoringRun, area=run.area, reason="fund monitoring")
