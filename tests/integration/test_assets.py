"""The asset ledger: registration on acceptance, rights, income and its distribution
(never more than the income; into the household's income), disposal by the table."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone, translation

from jingzhun.assets import selectors, services
from jingzhun.assets.choices import AssetAction, AssetState, AssetType, OwnerKind
from jingzhun.assets.models import Asset, Distribution
from jingzhun.assets.workflow import TRANSITIONS
from jingzhun.projects.choices import ProjectState
from jingzhun.projects.services import beneficiary_add
from jingzhun.registry.models import HouseholdChange, IncomeRecord
from jingzhun.registry.services import income_record_save
from tests import factories
from tests.case_steps import People, people
from tests.project_steps import actor_for, proposal, walk_to

pytestmark = pytest.mark.usefixtures("reference_data")
TODAY = timezone.localdate()


@pytest.fixture
def staff(village, other_village) -> People:
    return people(village, other_village)


def _accepted_with_beneficiary(staff: People, village):
    project = proposal(staff.village)
    household = factories.household(village)
    factories.member(household, relation="01")
    beneficiary_add(user=staff.village, project=project, household=household, benefit_type="02")
    return walk_to(staff, project, ProjectState.ACCEPTED), household


def _register(staff: People, project, **extra) -> Asset:
    fields = {
        "name": "肉牛养殖小区牛舍",
        "asset_type": AssetType.OPERATING,
        "quantity": Decimal("2"),
        "unit": "栋",
        "value": "800000.00",
        "year_formed": TODAY.year,
        "owner_kind": OwnerKind.VILLAGE_COLLECTIVE,
        "owner_name": "榆树营村股份经济合作社",
        "operator": "清水河县丰源养殖公司",
        "income_rule": "每年按投资额6%收取租金，扣除管护费后向受益户分红",
        **extra,
    }
    return services.asset_register(user=staff.county, project=project, village_code=project.area_id, **fields)


def test_assets_are_registered_once_the_project_is_accepted(staff, village):
    project = walk_to(staff, proposal(staff.village), ProjectState.COMPLETED)
    with pytest.raises(ValidationError, match="accepted"):
        _register(staff, project)
    project, _household = _accepted_with_beneficiary(staff, village)
    for user in (staff.village, staff.township, staff.supervisor):
        with pytest.raises(PermissionDenied):
            services.asset_register(user=user, project=project, village_code=project.area_id, name="x")
    asset = _register(staff, project)
    assert asset.value == Decimal("800000.00")
    assert asset.events.get().action == "register"


def test_a_household_asset_names_its_household(staff, village):
    project, household = _accepted_with_beneficiary(staff, village)
    with pytest.raises(ValidationError) as refused:
        _register(staff, project, asset_type=AssetType.HOUSEHOLD)
    assert "owner_kind" in refused.value.message_dict
    asset = _register(
        staff,
        project,
        asset_type=AssetType.HOUSEHOLD,
        owner_kind=OwnerKind.HOUSEHOLD,
        owner_household=household,
    )
    assert asset.owner_household == household


def test_income_distributed_joins_the_households_income(staff, village):
    project, household = _accepted_with_beneficiary(staff, village)
    income_record_save(user=staff.village, household=household, year=TODAY.year, wage_income=Decimal("6000"))
    asset = _register(staff, project)
    income = services.income_record(
        user=staff.village,
        asset=asset,
        year=TODAY.year,
        period="上半年",
        received_on=TODAY,
        amount="48000.00",
    )
    services.distribute(
        user=staff.village, income=income, household=household, amount="1200.00", paid_on=TODAY
    )
    record = IncomeRecord.objects.get(household=household, year=TODAY.year)
    assert record.asset_income == Decimal("1200.00")
    assert record.net_income == Decimal("7200.00")
    # A later form save keeps what the ledger paid.
    income_record_save(user=staff.village, household=household, year=TODAY.year, wage_income=Decimal("6500"))
    record.refresh_from_db()
    assert (record.asset_income, record.net_income) == (Decimal("1200.00"), Decimal("7700.00"))
    assert HouseholdChange.objects.filter(household=household, record_type="incomerecord").exists()


def test_a_distribution_never_exceeds_its_income(staff, village):
    project, household = _accepted_with_beneficiary(staff, village)
    asset = _register(staff, project)
    income = services.income_record(
        user=staff.county, asset=asset, year=TODAY.year, period="2026", received_on=TODAY, amount="100.00"
    )
    services.distribute(user=staff.village, income=income, household=household, amount="60.00", paid_on=TODAY)
    with pytest.raises(ValidationError, match=r"40\.00 yuan of this income is undistributed"):
        services.distribute(
            user=staff.village, income=income, household=household, amount="40.01", paid_on=TODAY
        )
    stranger = factories.household(village)
    with pytest.raises(ValidationError, match="does not benefit"):
        services.distribute(
            user=staff.village, income=income, household=stranger, amount="1.00", paid_on=TODAY
        )
    assert Distribution.objects.count() == 1


def test_a_public_benefit_asset_earns_no_income(staff, village):
    project, _household = _accepted_with_beneficiary(staff, village)
    asset = _register(staff, project, asset_type=AssetType.PUBLIC_BENEFIT)
    with pytest.raises(ValidationError):
        services.income_record(
            user=staff.village, asset=asset, year=TODAY.year, period="2026", received_on=TODAY, amount="1.00"
        )


@pytest.mark.parametrize(
    "transition", TRANSITIONS.transitions, ids=lambda t: f"{t.action}-{'+'.join(sorted(t.sources))}"
)
def test_disposal_moves_by_role_and_refusals_change_nothing(staff, village, transition):
    project, _household = _accepted_with_beneficiary(staff, village)
    asset = _register(staff, project)
    path = {
        AssetState.IN_USE: [],
        AssetState.DISPOSAL_PROPOSED: [AssetAction.PROPOSE_DISPOSAL],
        AssetState.DISPOSAL_REVIEWED: [AssetAction.PROPOSE_DISPOSAL, AssetAction.TOWNSHIP_APPROVE],
    }
    data = {"disposal_mode": "scrap", "disposal_reason": "牛舍损毁无法修复"}
    for action in path[AssetState(sorted(transition.sources)[0])]:
        level = TRANSITIONS.find(action, asset.state).level
        asset = services.asset_transition(user=actor_for(staff, level), asset=asset, action=action, data=data)
    allowed = actor_for(staff, transition.level)
    for user in staff.everyone():
        if user == allowed:
            continue
        before = Asset.objects.get(pk=asset.pk).state, asset.events.count()
        with pytest.raises(PermissionDenied):
            services.asset_transition(
                user=user, asset=asset, action=transition.action, comment="理由", data=data
            )
        assert (Asset.objects.get(pk=asset.pk).state, asset.events.count()) == before
    moved = services.asset_transition(
        user=allowed, asset=asset, action=transition.action, comment="理由", data=data
    )
    assert moved.state == transition.target
    if moved.state == AssetState.DISPOSED:
        assert moved.disposed_on == TODAY
        assert list(selectors.asset_list(user=staff.county)) == [moved]  # stays in the ledger


def test_the_ledger_is_scoped_to_the_village(staff, village):
    project, _household = _accepted_with_beneficiary(staff, village)
    asset = _register(staff, project)
    assert list(selectors.asset_list(user=staff.village)) == [asset]
    assert list(selectors.asset_list(user=staff.other_village)) == []
    assert list(selectors.asset_list(user=staff.other_township)) == []
    totals = selectors.ledger_totals(selectors.assets_in_scope(user=staff.county))
    assert [(t.asset_type, t.count, t.value) for t in totals] == [
        (AssetType.OPERATING, 1, Decimal("800000.00"))
    ]


@pytest.mark.django_db(transaction=True)
def test_two_distributions_that_together_exceed_the_income_exactly_one_succeeds(
    reference_data, village, other_village
):
    staff = people(village, other_village)
    project, household = _accepted_with_beneficiary(staff, village)
    asset = _register(staff, project)
    income = services.income_record(
        user=staff.county, asset=asset, year=TODAY.year, period="2026", received_on=TODAY, amount="100.00"
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def pay(user):
        try:
            barrier.wait()
            with translation.override("en"):
                services.distribute(
                    user=user, income=income, household=household, amount="60.00", paid_on=TODAY
                )
            outcomes.append("ok")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(user,)) for user in (staff.village, staff.county)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[1] == "ok"
    assert services.distributed(income) == Decimal("60.00")
    assert IncomeRecord.objects.get(household=household, year=TODAY.year).asset_income == Decimal("60.00")
