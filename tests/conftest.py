from __future__ import annotations

import os

import pytest
from django.utils import translation

from jingzhun.codelists.selectors import clear_caches
from tests import factories


def _on_postgres() -> bool:
    return os.environ.get("JINGZHUN_DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def pytest_collection_modifyitems(config, items):
    """Tests of the in-database PostgreSQL engine belong to the PostgreSQL run of the suite."""
    if _on_postgres():
        return
    deselected = [item for item in items if item.get_closest_marker("postgres_only")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgres_only")]


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests empty every table afterwards, reference data included;
    put it back for each test (the loaders are idempotent)."""
    from jingzhun.areas.services import areas_load_national
    from jingzhun.cases.services import load_procedure_data
    from jingzhun.codelists.services import load_seed, national_seed
    from jingzhun.funds.monitoring import load_fund_rules
    from jingzhun.monitoring.services import load_catalogue
    from jingzhun.oversight.services import load_oversight_data
    from jingzhun.projects.services import load_project_data

    areas_load_national()
    load_seed(national_seed())
    load_catalogue()
    load_procedure_data()
    load_project_data()
    load_fund_rules()
    load_oversight_data()


@pytest.fixture(autouse=True)
def _fresh_code_list_cache():
    # Code lists are cached per process; a test that overrides a code must not leak it.
    clear_caches()
    yield
    clear_caches()


@pytest.fixture(autouse=True)
def _force_login_completes_the_second_factor(monkeypatch):
    """``Client.force_login`` stands for a finished log-in. For the roles whose log-in
    needs a code, a finished log-in includes it: the user gets a real, confirmed
    TOTP device and the session is marked verified by it, as django-otp does after
    the code is entered. The log-in steps themselves are tested in test_auth."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    original = Client.force_login

    def force_login(self, user, backend=None):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from jingzhun.accounts.services import needs_second_factor

        original(self, user, backend)
        if needs_second_factor(user):
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            device = device or TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def _english_messages():
    # Assertions on messages read the English text; pages are requested in the
    # default language (Chinese) through the middleware as users see them.
    with translation.override("en"):
        yield


@pytest.fixture
def village(db):
    return factories.area("150124100201", "榆树营村")


@pytest.fixture
def other_village(db):
    return factories.area("150124101202", "杨家营村")


@pytest.fixture
def cadre(village):
    return factories.village_cadre(village)


@pytest.fixture
def other_cadre(other_village):
    return factories.village_cadre(other_village, username="other-cadre")
