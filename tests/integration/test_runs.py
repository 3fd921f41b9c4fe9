"""The one life cycle of recorded runs (core.runs): every run model follows it, moves
only as its table allows, and reaches the worker only after its transaction commits."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.test import override_settings

from jingzhun.core.errors import StateConflict
from jingzhun.core.runs import (
    TRANSITIONS,
    RecordedRun,
    RunStatus,
    run_begin,
    run_enqueue,
    run_failed,
    run_succeed,
    runs_record_failure,
)
from jingzhun.dashboards.models import AggregateRun
from jingzhun.imports.choices import ImportState
from jingzhun.imports.runs import import_run_cancel, import_run_confirm, import_run_upload
from tests import factories

pytestmark = pytest.mark.django_db


def test_every_model_with_progress_is_a_recorded_run():
    """Enumerated, so that the next app's run cannot grow a life cycle of its own."""
    with_progress = [
        model
        for model in apps.get_models()
        if any(field.name == "progress" for field in model._meta.get_fields())
    ]
    assert len(with_progress) >= 3
    assert [m.__name__ for m in with_progress if not issubclass(m, RecordedRun)] == []


def test_the_table_is_the_only_way_through(village):
    run = AggregateRun.objects.create(area=village, as_of="2026-06-30", income_year=2025)
    assert run.status == RunStatus.QUEUED
    with pytest.raises(StateConflict):
        run_succeed(run, households=1)  # never ran
    assert run_begin(run, "extracting")
    assert not run_begin(run)  # a second worker leaves it alone
    run_succeed(run, households=7)
    run.refresh_from_db()
    assert (run.status, run.progress, run.households, run.stage) == (RunStatus.SUCCEEDED, 100, 7, "")
    assert run.finished_at is not None
    # A finished run cannot fail afterwards, nor run again.
    assert runs_record_failure(AggregateRun.objects.filter(pk=run.pk), "late") == 0
    assert not run_begin(run)
    assert set(TRANSITIONS) == set(RunStatus.values)


def test_a_failure_keeps_the_reason(village):
    run = AggregateRun.objects.create(area=village, as_of="2026-06-30", income_year=2025)
    run_begin(run)
    run_failed(run, RuntimeError("disk full"))
    assert run.status == RunStatus.FAILED
    assert run.error == "RuntimeError: disk full"


def test_the_worker_sees_a_run_only_after_its_transaction_commits(
    village, django_capture_on_commit_callbacks
):
    run = AggregateRun.objects.create(area=village, as_of="2026-06-30", income_year=2025)
    handed: list[int] = []

    class Task:
        @staticmethod
        def enqueue(pk: int) -> None:
            handed.append(pk)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run_enqueue(run, Task)
        assert handed == []
    assert handed == [run.pk]
    assert len(callbacks) == 1


@override_settings(FIGURES_REFRESH_AFTER_CHANGES=True)
def test_an_import_is_confirmed_or_cancelled_once(cadre, village, django_capture_on_commit_callbacks):
    head = factories.id_number(datetime.date(1970, 3, 4), "1")
    sheet = (
        f"行政村代码,户编号,姓名,证件号码,与户主关系\n{village.code},150124881,张三,{head},户主\n".encode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = import_run_upload(user=cadre, file_name="a.csv", data=sheet, area=None, partial=False)
    run.refresh_from_db()
    assert run.state == ImportState.CHECKED, run.report
    with django_capture_on_commit_callbacks(execute=True):
        import_run_confirm(user=cadre, run=run)
    run.refresh_from_db()
    assert run.state == ImportState.DONE
    # The dashboards heard of it (core.signals) without the import knowing them.
    refresh = AggregateRun.objects.get()
    assert (refresh.trigger, refresh.status, refresh.area) == ("import", RunStatus.SUCCEEDED, village)
    with pytest.raises(StateConflict):
        import_run_confirm(user=cadre, run=run)
    import_run_cancel(user=cadre, run=run)  # too late: nothing changes
    run.refresh_from_db()
    assert run.state == ImportState.DONE
    assert run.cancelled_at is None
