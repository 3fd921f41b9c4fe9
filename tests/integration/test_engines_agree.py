"""The same rules on DuckDB, Spark and PostgreSQL over the same data give the same warnings."""

import pyarrow as pa
import pytest

from jingzhun.areas.models import Area
from jingzhun.demo.generator import CountyGenerator
from jingzhun.monitoring import services
from jingzhun.monitoring.engine import runner
from jingzhun.monitoring.engine.rules import RULE_FUNCTIONS
from jingzhun.monitoring.snapshot import export_snapshot
from tests import factories, screening_scenario
from tests.screening_scenario import AS_OF, INCOME_YEAR

CODES = sorted(RULE_FUNCTIONS)


def _county_with_data():
    village = factories.area("150124100201", "榆树营村")
    expected = screening_scenario.build(village)
    county = Area.objects.get(code="150124000000")
    CountyGenerator(county=county, households=250, seed=11, reference=AS_OF).generate()
    return county, expected


def _evaluate(tables, county):
    low, high = county.subtree_bounds
    snapshot = runner.scoped_snapshot(
        tables, village_low=low, village_high=high, as_of=AS_OF, income_year=INCOME_YEAR, lookback_months=12
    )
    parameters = services.screening_parameters(province="15", as_of=AS_OF, codes=CODES)
    return runner.evaluate(snapshot, parameters, CODES)


def _check_expected(table: pa.Table, expected):
    from jingzhun.registry.models import Household

    numbers = dict(Household.objects.values_list("pk", "household_number"))
    found = {}
    for row in table.to_pylist():
        number = numbers[row["household_id"]]
        if number.startswith("S-"):
            found.setdefault(row["rule"], set()).add((number, row["member_id"]))
    assert found == expected


@pytest.mark.spark
@pytest.mark.django_db
def test_duckdb_and_spark_give_identical_warnings(tmp_path):
    county, expected = _county_with_data()
    paths = export_snapshot(tmp_path, area=county)
    connection, tables = runner.duckdb_tables(paths)
    on_duckdb = _evaluate(tables, county)
    connection.disconnect()
    _check_expected(on_duckdb, expected)
    assert on_duckdb.num_rows > 100  # the generated county gives every engine real work
    _connection, spark_tables = runner.spark_tables(paths, services.spark_session())
    on_spark = _evaluate(spark_tables, county)
    assert on_spark.to_pylist() == on_duckdb.to_pylist()


@pytest.mark.postgres_only
def test_postgres_in_database_gives_identical_warnings(reference_data, tmp_path):
    county, expected = _county_with_data()
    paths = export_snapshot(tmp_path, area=county)
    connection, tables = runner.duckdb_tables(paths)
    on_duckdb = _evaluate(tables, county)
    connection.disconnect()
    backend = services.postgres_connection()
    try:
        in_database = _evaluate(runner.postgres_tables(backend), county)
    finally:
        backend.disconnect()
    assert in_database.to_pylist() == on_duckdb.to_pylist()
    _check_expected(in_database, expected)


@pytest.mark.postgres_only
def test_screening_run_on_the_postgres_engine(reference_data):
    county, _expected = _county_with_data()
    started = services.screening_run_start(
        area=county, engine="postgres", as_of=AS_OF, income_year=INCOME_YEAR
    )
    run = services.screening_run_execute(started)
    assert run.status == "succeeded"
    assert run.findings == run.warnings_created > 0


@pytest.mark.postgres_only
def test_the_two_extraction_paths_give_the_same_snapshot(reference_data, tmp_path):
    """A nightly job reads through ADBC (outside any transaction); inside one, the rows come by
    COPY through Arrow's CSV reader. Both give the same files, value for value."""
    import pyarrow.parquet as pq
    from django.db import connection, transaction

    county, _expected = _county_with_data()
    assert not connection.in_atomic_block
    by_adbc = export_snapshot(tmp_path / "adbc", area=county)
    with transaction.atomic():
        by_copy = export_snapshot(tmp_path / "copy", area=county)
    for name, path in by_adbc.items():
        order = [(column, "ascending") for column in pq.read_schema(path).names]
        adbc_table = pq.read_table(path).sort_by(order)
        copy_table = pq.read_table(by_copy[name]).sort_by(order)
        assert adbc_table.num_rows > 0
        assert adbc_table.equals(copy_table), name


@pytest.mark.postgres_only
def test_a_figure_refresh_counts_the_same_through_both_extraction_paths(reference_data):
    """Outside a transaction the refresh's thirty-odd extraction queries run several at once,
    each on its own ADBC connection; inside one, one after the other by COPY on Django's.
    The facts and figures are the same."""
    from django.db import connection, transaction

    from jingzhun.dashboards.services import aggregate_refresh

    county, _expected = _county_with_data()
    assert not connection.in_atomic_block
    assert aggregate_refresh(area=county, as_of=AS_OF).status == "succeeded"
    in_parallel = _counted()
    with transaction.atomic():
        assert aggregate_refresh(area=county, as_of=AS_OF).status == "succeeded"
    assert len(in_parallel[0]) > 250
    assert any(fact[_fact_columns().index("has_quality_issue")] for fact in in_parallel[0])
    assert _counted() == in_parallel


def _fact_columns() -> list[str]:
    from jingzhun.dashboards.models import HouseholdFact

    return [f.attname for f in HouseholdFact._meta.concrete_fields if f.name not in ("id", "run")]


def _counted() -> tuple[list, list]:
    """Every stored fact (without its run) and figure."""
    from jingzhun.dashboards.models import AreaFigure, HouseholdFact

    facts = sorted(HouseholdFact.objects.values_list(*_fact_columns()).order_by())
    figures = sorted(AreaFigure.objects.values_list("area_code", "figure", "key", "value").order_by())
    return facts, figures


@pytest.mark.spark
@pytest.mark.spark_cluster
@pytest.mark.postgres_only  # once per suite: the cluster takes a while to start
def test_a_standalone_spark_cluster_writes_what_duckdb_writes(reference_data, monkeypatch):
    """The night's screening and figure refresh on a Spark cluster (a master and a worker
    started from the installed pyspark, reached as JINGZHUN_SPARK_MASTER) write exactly
    DuckDB's warnings, facts and figures."""
    import json

    from jingzhun.dashboards.services import aggregate_refresh
    from jingzhun.monitoring.models import RiskWarning
    from tests.spark_cluster import standalone_cluster

    county, _expected = _county_with_data()

    def night(engine):
        RiskWarning.objects.all().delete()
        run = services.screening_run_execute(
            services.screening_run_start(area=county, engine=engine, as_of=AS_OF, income_year=INCOME_YEAR)
        )
        assert run.status == "succeeded"
        return sorted(
            (w.household_id, w.rule_id, w.member_key, json.dumps(w.evidence, sort_keys=True), w.risk_type)
            for w in RiskWarning.objects.all()
        )

    def figures(engine):
        run = aggregate_refresh(area=county, as_of=AS_OF, engine=engine)
        assert (run.status, run.engine) == ("succeeded", engine)
        return _counted()

    on_duckdb = night("duckdb")
    assert len(on_duckdb) > 100
    counted_on_duckdb = figures("duckdb")
    if services._spark_session is not None:  # a local session of another test in this process
        services._spark_session.stop()
        services._spark_session = None
    with standalone_cluster(workers=1, cores=1, memory="2g") as master:
        monkeypatch.setenv("JINGZHUN_SPARK_MASTER", master)
        try:
            session = services.spark_session()
            assert session.sparkContext.master == master
            assert night("spark") == on_duckdb
            assert figures("spark") == counted_on_duckdb
        finally:
            # Stopped and forgotten: the next test in this process starts its local session.
            services.spark_session().stop()
            services._spark_session = None
