import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jingzhun.accounts.choices import Role
from jingzhun.accounts.models import User
from jingzhun.areas.models import Area
from jingzhun.assets.models import Distribution
from jingzhun.demo.generator import CountyGenerator
from jingzhun.funds.models import FundFinding
from jingzhun.oversight.models import Finding, SamplingPlan
from jingzhun.projects.models import Project
from jingzhun.quality.selectors import quality_issues_for_area
from jingzhun.registry.idnumbers import check_id_number
from jingzhun.registry.models import Household, IncomeRecord, LivingConditions, Member

pytestmark = pytest.mark.django_db
REFERENCE = datetime.date(2026, 1, 1)


def _fingerprint():
    return (
        list(
            Household.objects.order_by("household_number").values_list(
                "household_number", "attribute", "phone"
            )
        ),
        # Ordered here: the numbers are encrypted, the database orders ciphertext.
        sorted(Member.objects.values_list("id_number", "name", "labour_skill")),
        list(
            IncomeRecord.objects.order_by("household__household_number", "year").values_list(
                "per_capita_net_income", flat=True
            )
        ),
    )


def test_same_seed_gives_same_county(capsys):
    call_command("demo_data", households=150, seed=7, reference_date=REFERENCE, no_progress=True)
    first = _fingerprint()
    call_command(
        "demo_data", households=150, seed=7, reference_date=REFERENCE, no_progress=True, replace=True
    )
    assert _fingerprint() == first
    call_command(
        "demo_data", households=150, seed=8, reference_date=REFERENCE, no_progress=True, replace=True
    )
    assert _fingerprint() != first
    output = capsys.readouterr().out
    assert "150 households" in output
    assert "7 projects, 2 funds" in output
    # A year of projects at every step, money at various stages, what the fund rules find.
    states = set(Project.objects.values_list("state", flat=True))
    assert {"draft", "village_notice", "in_library", "planned", "under_way", "accepted"} <= states
    rules = set(FundFinding.objects.values_list("rule_id", flat=True))
    assert {"FUND_IDLE", "PROJECT_NOT_STARTED", "ACCEPTED_WITHOUT_ASSETS"} <= rules
    assert "questionnaires" in output
    assert Finding.objects.filter(state="signed_off").exists()
    assert Finding.objects.filter(state="returned").exists()
    assert SamplingPlan.objects.get().state == "drawn"
    paid = Distribution.objects.values("household").distinct().count()
    assert paid >= 1
    assert IncomeRecord.objects.filter(asset_income__gt=0).count() == paid
    assert "Jingzhun2026" in output


def test_demo_county_is_realistic_and_has_one_user_per_role():
    county = Area.objects.get(code="150124000000")
    report = CountyGenerator(county=county, households=400, seed=3, reference=REFERENCE).generate()
    assert report.households == 400
    assert Household.objects.count() == 400
    assert LivingConditions.objects.count() == 400
    assert 2.3 < Member.objects.count() / 400 < 4.0
    assert Household.objects.exclude(village__parent__parent=county).count() == 0
    assert {user.role for user in User.objects.all()} == set(Role.values)
    # Nearly every ID number is valid; the generator plants a few wrong check digits.
    invalid = 0
    for number in Member.objects.values_list("id_number", flat=True):
        try:
            check_id_number(number, today=REFERENCE)
        except ValueError:
            invalid += 1
    assert 1 <= invalid <= 5
    codes = {issue.rule for issue in quality_issues_for_area(area=county)}
    assert {"ID_CHECKSUM", "MEDICAL_INSURANCE", "LAND_AREA", "SPOUSE_SEX"} <= codes
    assert IncomeRecord.objects.filter(per_capita_net_income__lt=7500).exists()
    assert LivingConditions.objects.filter(house_grade__in=["C", "D"]).exists()


def test_existing_county_needs_replace():
    call_command("demo_data", households=20, seed=1, no_progress=True)
    with pytest.raises(CommandError, match="--replace"):
        call_command("demo_data", households=20, seed=1, no_progress=True)
    with pytest.raises(CommandError, match="not a known county"):
        call_command("demo_data", county="999999", households=20, no_progress=True)
