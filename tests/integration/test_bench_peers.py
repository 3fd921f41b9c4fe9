"""The benchmark's peers are written out by hand; they must find what the engine finds, rule by
rule, on the benchmark's own register, or the comparison in bench/README.md means nothing."""

import pytest

from bench.night import _spec
from bench.screening import (
    ALL_COMPARED_RULES,
    COMPARED_RULES,
    contender_jingzhun,
    contender_pandas,
    contender_polars,
    contender_sql,
)
from jingzhun.monitoring.engine.rules import RULE_FUNCTIONS


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    from bench.screening import generate_register

    return generate_register(tmp_path_factory.mktemp("register"), 3_000)


@pytest.mark.django_db
def test_every_rule_has_peers_that_find_what_the_engine_finds(register):
    assert sorted(ALL_COMPARED_RULES) == sorted(RULE_FUNCTIONS)
    spec = _spec()
    engine = contender_jingzhun(register, spec, sorted(ALL_COMPARED_RULES))
    # Every rule finds something in the generated register, so no peer agrees by finding nothing.
    assert sorted(rule for rule, count in engine.items() if count) == sorted(ALL_COMPARED_RULES)
    assert contender_sql(register, spec, ALL_COMPARED_RULES) == engine
    assert contender_polars(register, spec, ALL_COMPARED_RULES) == engine
    six = {rule: engine[rule] for rule in sorted(COMPARED_RULES)}
    assert contender_sql(register, spec) == six
    assert contender_polars(register, spec) == six
    assert contender_pandas(register, spec) == six
