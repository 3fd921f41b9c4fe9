"""Each rule of the catalogue: a household that breaks it and one that does not."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from jingzhun.assistance.models import Measure
from jingzhun.quality.registry import RULES
from jingzhun.quality.selectors import find_issues
from jingzhun.registry.models import Household, LivingConditions, MonitoringObject
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def flagged(household, rule):
    issues = find_issues(Household.objects.filter(pk=household.pk), province="15", codes=[rule])
    return [issue.member or issue.household for issue in issues]


def family(village, **head_fields):
    household = factories.household(village)
    factories.member(household, relation="01", age=45, sex="1", **head_fields)
    return household


def test_every_rule_has_a_test_below():
    tested = {
        name.removeprefix("test_").split("__")[0].upper() for name in globals() if name.startswith("test_")
    }
    assert set(RULES) <= tested


def test_id_checksum__fails_and_passes(village):
    good = family(village)
    bad = factories.household(village)
    number = factories.id_number(datetime.date(1980, 3, 3))
    factories.member(
        bad, relation="01", id_number=number[:-1] + ("1" if number[-1] != "1" else "2"), name="错号"
    )
    malformed = factories.household(village)
    factories.member(malformed, relation="01", id_number="15012419800303ABC", name="乱码")
    assert flagged(bad, "ID_CHECKSUM") == ["错号"]
    assert flagged(malformed, "ID_CHECKSUM") == ["乱码"]
    assert flagged(good, "ID_CHECKSUM") == []


def test_one_head__fails_and_passes(village):
    good = family(village)
    no_head = factories.household(village)
    factories.member(no_head, relation="02")
    two_heads = family(village)
    factories.member(two_heads, relation="01", age=50)
    assert flagged(no_head, "ONE_HEAD") == [no_head.household_number]
    assert flagged(two_heads, "ONE_HEAD") == [two_heads.household_number]
    assert flagged(good, "ONE_HEAD") == []


def test_spouse_sex__fails_and_passes(village):
    bad = family(village)
    factories.member(bad, relation="02", sex="1", name="同性配偶")
    good = family(village)
    factories.member(good, relation="02", sex="2")
    assert flagged(bad, "SPOUSE_SEX") == ["同性配偶"]
    assert flagged(good, "SPOUSE_SEX") == []


def test_medical_insurance__fails_and_passes(village):
    both = family(village, resident_medical_insurance=True, employee_medical_insurance=True)
    neither = family(village, resident_medical_insurance=False, employee_medical_insurance=False)
    good = family(village, resident_medical_insurance=False, employee_medical_insurance=True)
    assert len(flagged(both, "MEDICAL_INSURANCE")) == 1
    assert len(flagged(neither, "MEDICAL_INSURANCE")) == 1
    assert flagged(good, "MEDICAL_INSURANCE") == []


def test_under_16_labour__fails_and_passes(village):
    bad = family(village)
    factories.member(bad, relation="03", age=12, labour_skill="2", school_status="21", name="童工")
    good = family(village)
    factories.member(good, relation="03", age=12, labour_skill="5", school_status="21")
    assert flagged(bad, "UNDER_16_LABOUR") == ["童工"]
    assert flagged(good, "UNDER_16_LABOUR") == []


def test_over_60_labour__fails_and_passes(village):
    bad = factories.household(village)
    factories.member(bad, relation="01", age=70, labour_skill="1", name="老技工")
    good = factories.household(village)
    factories.member(good, relation="01", age=70, labour_skill="3")
    assert flagged(bad, "OVER_60_LABOUR") == ["老技工"]
    assert flagged(good, "OVER_60_LABOUR") == []


def test_healthy_adult_labour__fails_and_passes(village):
    bad = family(village, labour_skill="5", name="健康无劳")
    ill = family(village, labour_skill="5", health=["3"])
    student = factories.household(village)
    factories.member(student, relation="01", age=19, labour_skill="5", school_status="61")
    good = family(village, labour_skill="2")
    assert flagged(bad, "HEALTHY_ADULT_LABOUR") == ["健康无劳"]
    assert flagged(ill, "HEALTHY_ADULT_LABOUR") == []
    assert flagged(student, "HEALTHY_ADULT_LABOUR") == []
    assert flagged(good, "HEALTHY_ADULT_LABOUR") == []


def test_grade_age__fails_and_passes(village):
    bad = family(village)
    factories.member(bad, relation="03", age=15, school_status="11", labour_skill="5", name="超龄一年级")
    good = family(village)
    factories.member(good, relation="03", age=8, school_status="13", labour_skill="5")
    assert flagged(bad, "GRADE_AGE") == ["超龄一年级"]
    assert flagged(good, "GRADE_AGE") == []


def test_compulsory_schooling__fails_and_passes(village):
    bad = family(village)
    factories.member(bad, relation="03", age=10, school_status="00", labour_skill="5", name="失学")
    with_reason = family(village)
    factories.member(
        with_reason,
        relation="03",
        age=10,
        school_status="00",
        labour_skill="5",
        dropout_reason="重度残疾送教上门",
    )
    good = family(village)
    factories.member(good, relation="03", age=10, school_status="15", labour_skill="5")
    assert flagged(bad, "COMPULSORY_SCHOOLING") == ["失学"]
    assert flagged(with_reason, "COMPULSORY_SCHOOLING") == []
    assert flagged(good, "COMPULSORY_SCHOOLING") == []


def test_land_area__fails_and_passes(village):
    bad = family(village)
    LivingConditions.objects.filter(household=bad).update(pasture_mu=Decimal("900"))
    irrigated = family(village)
    LivingConditions.objects.filter(household=irrigated).update(cultivated_land_mu=5, irrigated_land_mu=8)
    good = family(village)
    LivingConditions.objects.filter(household=good).update(cultivated_land_mu=12, irrigated_land_mu=4)
    assert flagged(bad, "LAND_AREA") == [bad.household_number]
    assert flagged(irrigated, "LAND_AREA") == [irrigated.household_number]
    assert flagged(good, "LAND_AREA") == []


def test_migrant_income__fails_and_passes(village):
    bad = family(village, migrant_work_months=6, migrant_monthly_income=Decimal("50"), name="低收入")
    too_high = family(village, migrant_work_months=6, migrant_monthly_income=Decimal("45000"))
    good = family(village, migrant_work_months=6, migrant_monthly_income=Decimal("3500"))
    assert flagged(bad, "MIGRANT_INCOME") == ["低收入"]
    assert len(flagged(too_high, "MIGRANT_INCOME")) == 1
    assert flagged(good, "MIGRANT_INCOME") == []


def _episode(household, **fields):
    defaults = {
        "identified_on": TODAY - datetime.timedelta(days=60),
        "category": "2",
        "household_type": "2",
        "risk_types": ["01"],
        "per_capita_net_income": Decimal("5000"),
    }
    defaults.update(fields)
    return MonitoringObject.objects.create(household=household, **defaults)


def test_identification_income__fails_and_passes(village):
    bad = family(village)
    _episode(bad, per_capita_net_income=Decimal("25000"))
    good = family(village)
    _episode(good, per_capita_net_income=Decimal("6000"))
    assert flagged(bad, "IDENTIFICATION_INCOME") == [bad.household_number]
    assert flagged(good, "IDENTIFICATION_INCOME") == []


def test_elimination_too_soon__fails_and_passes(village):
    bad = family(village)
    _episode(
        bad,
        identified_on=datetime.date(2025, 3, 20),
        risk_eliminated=True,
        eliminated_on=datetime.date(2025, 9, 19),
        elimination_mode="1",
    )
    good = family(village)
    _episode(
        good,
        identified_on=datetime.date(2025, 3, 20),
        risk_eliminated=True,
        eliminated_on=datetime.date(2025, 9, 20),
        elimination_mode="1",
    )
    assert flagged(bad, "ELIMINATION_TOO_SOON") == [bad.household_number]
    assert flagged(good, "ELIMINATION_TOO_SOON") == []


def test_risk_without_measure__fails_and_passes(village):
    bad = family(village)
    _episode(bad, risk_types=["01", "03"])
    Measure.objects.create(household=bad, measure_type="07", start_date=TODAY)  # answers illness only
    good = family(village)
    _episode(good, risk_types=["01", "03"])
    Measure.objects.create(household=good, measure_type="07", start_date=TODAY)
    Measure.objects.create(household=good, measure_type="08", start_date=TODAY)
    eliminated = family(village)
    _episode(eliminated, risk_types=["03"], risk_eliminated=True, eliminated_on=TODAY)
    assert flagged(bad, "RISK_WITHOUT_MEASURE") == [bad.household_number]
    assert flagged(good, "RISK_WITHOUT_MEASURE") == []
    assert flagged(eliminated, "RISK_WITHOUT_MEASURE") == []


def test_lack_of_labour_cause__fails_and_passes(village):
    bad = factories.household(village, main_cause="10")
    factories.member(bad, relation="01", labour_skill="2")
    factories.member(bad, relation="02", sex="2", labour_skill="2")
    factories.member(bad, relation="11", age=75, labour_skill="5")
    other_cause = factories.household(village, other_causes=["01", "10"])
    factories.member(other_cause, relation="01", labour_skill="1")
    good = factories.household(village, main_cause="10")
    factories.member(good, relation="01", labour_skill="2")
    for _ in range(3):
        factories.member(good, relation="11", age=75, labour_skill="5")
    assert flagged(bad, "LACK_OF_LABOUR_CAUSE") == [bad.household_number]
    assert flagged(other_cause, "LACK_OF_LABOUR_CAUSE") == [other_cause.household_number]
    assert flagged(good, "LACK_OF_LABOUR_CAUSE") == []


def test_no_development_measure__fails_and_passes(village):
    bad = family(village, labour_skill="2")
    _episode(bad)
    Measure.objects.create(household=bad, measure_type="07", start_date=TODAY)
    good = family(village, labour_skill="2")
    _episode(good)
    Measure.objects.create(household=good, measure_type="05", start_date=TODAY)
    no_labour = family(village, labour_skill="4")
    _episode(no_labour)
    assert flagged(bad, "NO_DEVELOPMENT_MEASURE") == [bad.household_number]
    assert flagged(good, "NO_DEVELOPMENT_MEASURE") == []
    assert flagged(no_labour, "NO_DEVELOPMENT_MEASURE") == []


def test_late_first_measure__fails_and_passes(village):
    # The default allows 15 days from identification to the first measure.
    late = family(village)
    MonitoringObject.objects.create(household=late, identified_on=TODAY - datetime.timedelta(days=40))
    Measure.objects.create(household=late, measure_type="07", start_date=TODAY - datetime.timedelta(days=20))
    in_time = family(village)
    MonitoringObject.objects.create(household=in_time, identified_on=TODAY - datetime.timedelta(days=40))
    Measure.objects.create(
        household=in_time, measure_type="07", start_date=TODAY - datetime.timedelta(days=26)
    )
    cancelled = family(village)
    MonitoringObject.objects.create(household=cancelled, identified_on=TODAY - datetime.timedelta(days=40))
    Measure.objects.create(
        household=cancelled,
        measure_type="07",
        start_date=TODAY - datetime.timedelta(days=30),
        status="cancelled",
    )
    still_in_time = family(village)
    MonitoringObject.objects.create(
        household=still_in_time, identified_on=TODAY - datetime.timedelta(days=10)
    )
    assert flagged(late, "LATE_FIRST_MEASURE") == [late.household_number]
    assert flagged(in_time, "LATE_FIRST_MEASURE") == []
    assert flagged(cancelled, "LATE_FIRST_MEASURE") == [cancelled.household_number]
    assert flagged(still_in_time, "LATE_FIRST_MEASURE") == []


def test_quality_command_json_output(village, capsys):
    household = factories.household(village)
    factories.member(household, relation="02", name="无户主")
    call_command("quality", area="150124100", format="json")
    rows = json.loads(capsys.readouterr().out)
    assert {"household": household.household_number, "member": None, "rule": "ONE_HEAD"}.items() <= next(
        row for row in rows if row["rule"] == "ONE_HEAD"
    ).items()
    assert all({"household", "member", "rule", "message"} <= set(row) for row in rows)


def test_quality_command_table_and_unknown_area(village, capsys):
    from django.core.management.base import CommandError

    call_command("quality", area="150124")
    assert "issues in" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("quality", area="990000")
