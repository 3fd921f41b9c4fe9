import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from jingzhun.accounts.choices import Role
from jingzhun.core.runs import RunStatus
from jingzhun.monitoring import services
from jingzhun.monitoring.choices import WarningStatus
from jingzhun.monitoring.engine.rules import RULE_FUNCTIONS
from jingzhun.monitoring.models import RiskWarning, ScreeningRule, ScreeningRun, WarningEvent
from jingzhun.registry.models import Household, IncomeRecord
from tests import factories, screening_scenario
from tests.screening_scenario import AS_OF, INCOME_YEAR

pytestmark = pytest.mark.django_db


def run(area, **options):
    started = services.screening_run_start(area=area, as_of=AS_OF, income_year=INCOME_YEAR, **options)
    return services.screening_run_execute(started)


def found(run_obj=None):
    warnings = RiskWarning.objects.select_related("household")
    if run_obj is not None:
        warnings = warnings.filter(last_run=run_obj)
    result = {}
    for warning in warnings:
        result.setdefault(warning.rule_id, set()).add(
            (warning.household.household_number, warning.member_key)
        )
    return result


def test_catalogue_ships_every_rule_with_data():
    assert set(ScreeningRule.objects.values_list("code", flat=True)) == set(RULE_FUNCTIONS)
    assert len(RULE_FUNCTIONS) >= 15


def test_every_rule_fires_exactly_where_expected(village):
    expected = screening_scenario.build(village)
    assert set(expected) == set(RULE_FUNCTIONS)
    result = run(village.parent.parent)
    assert result.status == RunStatus.SUCCEEDED
    assert found(result) == expected
    assert result.warnings_created == sum(len(v) for v in expected.values())


def test_evidence_and_message_and_deadline(village):
    screening_scenario.build(village)
    run(village)
    warning = RiskWarning.objects.get(rule_id="INCOME_BELOW_LINE", household__household_number="S-low-income")
    assert warning.evidence == {"value": "6210.00", "threshold": "7500.00"}
    assert warning.risk_type == "99"
    assert warning.deadline == AS_OF + datetime.timedelta(days=15)
    assert warning.message == "Per-capita net income 6,210 yuan, not above the line of 7,500 yuan"
    fall = RiskWarning.objects.get(rule_id="INCOME_FALL")
    assert fall.evidence == {"value": "8399.99", "threshold": "12000.00", "detail": "30%"}


def test_thresholds_come_from_the_province_and_year(village):
    from decimal import Decimal

    from jingzhun.codelists.services import parameter_set

    screening_scenario.build(village)
    parameter_set(key="monitoring_income_line", province="15", year=2026, value=Decimal("8500"))
    run(village)
    below = {w.household.household_number for w in RiskWarning.objects.filter(rule_id="INCOME_BELOW_LINE")}
    assert "S-just-above-line" in below
    assert "S-income-fall" in below  # 8399.99 < 8500


def test_repeated_run_does_not_duplicate_open_warnings(village):
    screening_scenario.build(village)
    first = run(village)
    count = RiskWarning.objects.count()
    second = run(village)
    assert RiskWarning.objects.count() == count
    assert second.warnings_created == 0
    assert second.warnings_refreshed == count
    assert set(RiskWarning.objects.values_list("last_run", flat=True)) == {second.pk}
    assert set(RiskWarning.objects.values_list("first_run", flat=True)) == {first.pk}


def test_dismissed_warning_is_raised_again_as_new_by_a_later_run(village, cadre):
    screening_scenario.build(village)
    run(village)
    warning = RiskWarning.objects.get(rule_id="DISASTER_LOSS")
    services.warning_transition(
        user=cadre, warning=warning, to=WarningStatus.DISMISSED, note="已核实，损失已赔付"
    )
    run(village)
    assert RiskWarning.objects.filter(rule_id="DISASTER_LOSS").count() == 2
    assert RiskWarning.objects.filter(rule_id="DISASTER_LOSS", status=WarningStatus.NEW).count() == 1


def test_the_writer_checks_the_references_the_database_does_not(village):
    """Warnings carry no database foreign keys (a night's millions of per-row checks); the
    writer joins every finding to its household and rule, so a household gone since the
    snapshot, or a rule not in the catalogue, gets no warning."""
    import pyarrow as pa

    from jingzhun.monitoring.warning_writer import write_warnings

    household = factories.household(village)
    gone = Household.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    started = services.screening_run_start(area=village, as_of=AS_OF, income_year=INCOME_YEAR)
    batch = pa.record_batch(
        {
            "rule": ["INCOME_BELOW_LINE", "INCOME_BELOW_LINE", "NOT_A_RULE"],
            "household_id": pa.array([household.pk, gone, household.pk], pa.int64()),
            "member_id": pa.array([0, 0, 0], pa.int64()),
            "value": pa.array([Decimal("6000.00")] * 3, pa.decimal128(14, 2)),
            "threshold": pa.array([Decimal("7500.00")] * 3, pa.decimal128(14, 2)),
            "detail": ["", "", ""],
        }
    )
    counts = write_warnings(started, [batch], deadline=AS_OF)
    assert (counts.findings, counts.created) == (3, 1)
    assert list(RiskWarning.objects.values_list("household_id", "rule_id")) == [
        (household.pk, "INCOME_BELOW_LINE")
    ]
    # And deleting a household through the ORM still takes its warnings with it.
    household.delete()
    assert not RiskWarning.objects.exists()


def test_failed_run_leaves_no_warnings_and_can_be_rerun(village, monkeypatch):
    screening_scenario.build(village)
    original = services.write_warnings

    def write_then_fail(*args, **kwargs):
        original(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "write_warnings", write_then_fail)
    with pytest.raises(RuntimeError):
        run(village)
    failed = ScreeningRun.objects.get()
    assert failed.status == RunStatus.FAILED
    assert "disk full" in failed.error
    assert RiskWarning.objects.count() == 0
    monkeypatch.setattr(services, "write_warnings", original)
    assert run(village).status == RunStatus.SUCCEEDED
    assert RiskWarning.objects.count() > 0


def test_interrupted_run_is_marked_failed_by_the_next(village):
    screening_scenario.build(village)
    stale = services.screening_run_start(area=village, as_of=AS_OF)
    run(village)
    stale.refresh_from_db()
    assert stale.status == RunStatus.FAILED
    assert "Interrupted" in stale.error


def test_incremental_run_screens_only_changed_households(village):
    screening_scenario.build(village)
    run(village)
    changed = Household.objects.get(household_number="S-clean")
    IncomeRecord.objects.filter(household=changed, year=INCOME_YEAR).update(per_capita_net_income=5000)
    Household.objects.filter(pk=changed.pk).update(updated_at=datetime.datetime.now(datetime.UTC))
    result = run(village, incremental=True)
    assert result.households_screened == 1
    subject = {(changed.household_number, 0)}
    assert found(result) == {"INCOME_BELOW_LINE": subject, "INCOME_FALL": subject}


def _open_warnings():
    return sorted(
        (w.household_id, w.rule_id, w.member_key, json.dumps(w.evidence, sort_keys=True), w.status)
        for w in RiskWarning.objects.filter(status__in=["new", "verifying"])
    )


def test_an_incremental_run_equals_a_full_run_and_costs_what_changed(village):
    from jingzhun.departments.models import DepartmentBatch

    screening_scenario.build(village)
    run(village)
    # Three kinds of change: a household edited, a new department batch touching another
    # household, and nothing at all for the rest.
    edited = Household.objects.get(household_number="S-clean")
    IncomeRecord.objects.filter(household=edited, year=INCOME_YEAR).update(per_capita_net_income=5000)
    Household.objects.filter(pk=edited.pk).update(updated_at=datetime.datetime.now(datetime.UTC))
    touched = Household.objects.get(household_number="S-hospital-ordinary-below")
    DepartmentBatch.objects.filter(dataset_type="medical").update(
        uploaded_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    batch = DepartmentBatch.objects.create(
        dataset_type="medical", period=AS_OF.replace(day=1), file_name="m2.csv", file_sha256="m2"
    )
    screening_scenario.record(
        "medical",
        touched,
        touched.members.get(),
        kind="inpatient",
        amount_total=Decimal("40000"),
        amount_out_of_pocket=Decimal("8000.00"),
    ).__class__.objects.filter(household=touched, amount_out_of_pocket=Decimal("8000.00")).update(batch=batch)
    incremental = run(village, incremental=True)
    assert incremental.households_screened == 2
    after_incremental = _open_warnings()
    full = run(village)
    assert full.warnings_created == 0  # the incremental run missed nothing
    assert _open_warnings() == after_incremental  # and left no stale evidence
    # Nothing changed since: nothing screened, nothing written.
    quiet = run(village, incremental=True)
    assert (quiet.households_screened, quiet.findings, quiet.warnings_created) == (0, 0, 0)


def test_an_incremental_run_days_later_equals_a_full_run(village):
    """The days between two runs change findings with no record changing: a child reaches
    school age, a hospital stay leaves the look-back window (the evidence of a warning still
    found changes), another dated after the first run's day enters it."""
    from jingzhun.monitoring.engine.runner import months_before
    from jingzhun.registry.conditions import condition_terms

    later = AS_OF + datetime.timedelta(days=20)
    school_age = condition_terms(province="15", as_of=AS_OF).school_min_age
    screening_scenario.build(village)
    h, _ = screening_scenario.family(village, "turning-school-age")
    child = factories.member(
        h,
        relation="03",
        birth=datetime.date(AS_OF.year - school_age, 7, 10),
        school_status="00",
        labour_skill="5",
    )
    twice, member = screening_scenario.family(village, "hospital-twice")
    leaving = months_before(AS_OF, 12) + datetime.timedelta(days=5)
    for day, paid in ((leaving, "30000.00"), (AS_OF - datetime.timedelta(days=40), "25000.00")):
        screening_scenario.record(
            "medical",
            twice,
            member,
            kind="inpatient",
            event_date=day,
            amount_total=Decimal("60000"),
            amount_out_of_pocket=Decimal(paid),
        )
    coming, member = screening_scenario.family(village, "hospital-later")
    screening_scenario.record(
        "medical",
        coming,
        member,
        kind="inpatient",
        event_date=AS_OF + datetime.timedelta(days=10),
        amount_total=Decimal("60000"),
        amount_out_of_pocket=Decimal("30000.00"),
    )

    def screen(as_of, **options):
        started = services.screening_run_start(area=village, as_of=as_of, income_year=INCOME_YEAR, **options)
        return services.screening_run_execute(started)

    screen(AS_OF)
    hospital = RiskWarning.objects.get(household=twice, rule_id="HOSPITAL_OUT_OF_POCKET")
    assert hospital.evidence["value"] == "55000.00"
    assert not RiskWarning.objects.filter(household__in=[h, coming]).exists()
    incremental = screen(later, incremental=True)
    assert 3 <= incremental.households_screened < Household.objects.count()
    hospital.refresh_from_db()
    assert hospital.evidence["value"] == "25000.00"
    assert RiskWarning.objects.filter(household=h, member=child, rule_id="CHILD_NOT_ENROLLED").exists()
    assert RiskWarning.objects.filter(household=coming, rule_id="HOSPITAL_OUT_OF_POCKET").exists()
    after_incremental = _open_warnings()
    full = screen(later)
    assert full.warnings_created == 0
    assert _open_warnings() == after_incremental


def test_an_incremental_run_on_another_basis_screens_everything(village):
    screening_scenario.build(village)
    run(village)
    # Another income year: every finding may differ, whatever changed.

    def other_year():
        started = services.screening_run_start(
            area=village, as_of=AS_OF, income_year=INCOME_YEAR - 1, incremental=True
        )
        return services.screening_run_execute(started)

    assert other_year().households_screened == Household.objects.filter(is_active=True).count()
    assert other_year().households_screened == 0  # and continued on that basis


def test_screen_command_json(village, capsys):
    screening_scenario.build(village)
    call_command("screen", area=village.code, format="json", year=INCOME_YEAR)
    rows = json.loads(capsys.readouterr().out)
    assert rows
    assert all(set(row) >= {"household", "rule", "risk_type", "evidence"} for row in rows)


def test_warning_transitions(village, cadre, other_cadre):
    screening_scenario.build(village)
    run(village)
    warning = RiskWarning.objects.get(rule_id="DISASTER_LOSS")
    with pytest.raises(PermissionDenied):
        services.warning_transition(user=other_cadre, warning=warning, to=WarningStatus.VERIFYING)
    with pytest.raises(ValidationError):
        services.warning_transition(user=cadre, warning=warning, to=WarningStatus.DISMISSED, note=" ")
    warning.refresh_from_db()
    assert warning.status == WarningStatus.NEW
    assert WarningEvent.objects.count() == 0
    services.warning_transition(user=cadre, warning=warning, to=WarningStatus.VERIFYING)
    services.warning_transition(user=cadre, warning=warning, to=WarningStatus.CONFIRMED, note="入户核实属实")
    with pytest.raises(ValidationError):
        services.warning_transition(user=cadre, warning=warning, to=WarningStatus.NEW)
    warning.refresh_from_db()
    assert (warning.status, warning.decided_by, warning.decision_note) == ("confirmed", cadre, "入户核实属实")
    assert list(WarningEvent.objects.values_list("from_status", "to_status")) == [
        ("new", "verifying"),
        ("verifying", "confirmed"),
    ]


def test_only_the_county_may_start_a_screening(village, cadre):
    county_officer = factories.user("county", Role.COUNTY_OFFICER, village.parent.parent)
    with pytest.raises(PermissionDenied):
        services.screening_run_start(area=village, user=cadre)
    assert services.screening_run_start(area=village, user=county_officer).status == RunStatus.QUEUED


def _warnings_as_rows():
    return sorted(
        RiskWarning.objects.values_list(
            "household_id", "rule_id", "member_key", "member_id", "risk_type", "status", "deadline"
        )
    ), sorted(
        (w.household_id, w.rule_id, w.member_key, json.dumps(w.evidence, sort_keys=True))
        for w in RiskWarning.objects.all()
    )


def test_findings_over_many_batches_write_what_one_batch_writes(village, settings):
    """Streamed one finding per batch or all in one: the same warnings, created and then
    refreshed by the next run, equal to the engine's findings."""
    screening_scenario.build(village)
    results = {}
    for batch_rows in (1, 1_000_000):
        RiskWarning.objects.all().delete()
        settings.SCREENING_BATCH_ROWS = batch_rows
        first = run(village)
        created = _warnings_as_rows()
        dismissed = RiskWarning.objects.order_by("pk").first()
        RiskWarning.objects.filter(pk=dismissed.pk).update(status=WarningStatus.DISMISSED)
        second = run(village)
        results[batch_rows] = (
            created,
            _warnings_as_rows(),
            (first.findings, first.warnings_created, first.warnings_refreshed),
            (second.findings, second.warnings_created, second.warnings_refreshed),
        )
    assert results[1] == results[1_000_000]
    created, _after, (findings, new, again), (findings_2, new_2, again_2) = results[1]
    assert (new, again) == (findings, 0)
    assert (findings_2, new_2, again_2) == (findings, 1, findings - 1)  # the dismissed one: anew
    assert len(created[1]) == findings


def test_an_interrupted_write_leaves_the_previous_warnings(village, monkeypatch):
    screening_scenario.build(village)
    run(village)
    before = _warnings_as_rows(), sorted(RiskWarning.objects.values_list("pk", "last_run_id"))
    original = services.runner.evaluate_batches

    def fail_midway(*args, **kwargs):
        for number, batch in enumerate(original(*args, **kwargs)):
            if number == 1:
                raise RuntimeError("connection lost")
            yield batch

    monkeypatch.setattr(services.runner, "evaluate_batches", fail_midway)
    monkeypatch.setattr(services.settings, "SCREENING_BATCH_ROWS", 2)
    with pytest.raises(RuntimeError):
        run(village)
    assert (_warnings_as_rows(), sorted(RiskWarning.objects.values_list("pk", "last_run_id"))) == before
