"""Schemathesis over the whole OpenAPI schema: no server errors, every response as documented.

In ``make test`` the examples are derandomised: the same requests every run, so the
suite cannot fail by luck. ``make fuzz`` sets FUZZ_EXAMPLES to draw many more at
random (a failure there prints the seed that reproduces it).

Closed sets (case actions, kinds, states, statuses) are enums in the schema, so a
request the schema allows is accepted or answered 409 when the record's state does
not allow it now. Coded fields are checked against the province's code lists, which
are data and not part of the schema: random text in them is refused with 422 by
rule, so the random run leaves out the check that schema-valid data is accepted.
"""

import datetime
import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.wsgi import application
from jingzhun.api.services import token_create
from jingzhun.assistance.models import Measure
from jingzhun.cases.services import identification_open
from tests import factories

# The schema is served by the application itself (no database needed to describe it).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # As Django's test client does: a finished request must not close the test's
    # connection (and with it the transaction the test runs in).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(village, cadre):
    """A village with a household, a case and a measure, and its cadre's token."""
    household = factories.household(village, "150124100201001")
    factories.member(household, relation="01", name="本村人")
    identification_open(user=cadre, household=household, lead="突发大病")
    Measure.objects.create(household=household, measure_type="01", start_date=datetime.date(2026, 1, 5))
    return {"Authorization": f"Bearer {token_create(actor=cadre, owner=cadre, name='fuzz')[1]}"}


FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0"))


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES or 12,
    derandomize=not FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_every_operation_conforms_to_the_schema(case, bearer):
    excluded = [positive_data_acceptance] if FUZZ_EXAMPLES else []
    case.call_and_validate(headers=bearer, excluded_checks=excluded)
