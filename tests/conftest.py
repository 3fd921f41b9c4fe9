from __future__ import annotations

import pytest
from django.utils import translation

from jingzhun.codelists.selectors import clear_caches
from tests import factories


@pytest.fixture(autouse=True)
def _fresh_code_list_cache():
    # Code lists are cached per process; a test that overrides a code must not leak it.
    clear_caches()
    yield
    clear_caches()


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
