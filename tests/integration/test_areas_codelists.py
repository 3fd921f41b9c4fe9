from decimal import Decimal

import pytest

from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.models import Area
from jingzhun.areas.services import areas_import_csv, areas_load_national
from jingzhun.codelists.models import CodeItem
from jingzhun.codelists.selectors import UnknownParameter, code_label, code_map, parameter_value
from jingzhun.codelists.services import parameter_set

pytestmark = pytest.mark.django_db


def test_national_divisions_loaded_from_stdnum():
    county = Area.objects.get(code="150124000000")
    assert county.name == "清水河县"
    assert county.level == AreaLevel.COUNTY
    assert county.parent.code == "150100000000"
    assert county.parent.parent.name == "内蒙古自治区"
    assert Area.objects.filter(level=AreaLevel.PROVINCE).count() >= 31
    # A code withdrawn in 1995 is kept, marked as no longer in use.
    assert Area.objects.get(code="152623000000").is_valid is False
    before = Area.objects.count()
    assert areas_load_national() == before  # idempotent


def test_csv_import_all_or_nothing():
    report = areas_import_csv(text="code,name\n150124100,城关镇\n150124100201,榆树营村\n150124999201,孤村\n")
    assert report.errors == ["line 4: parent area 150124999000 of 150124999201 does not exist"]
    assert not Area.objects.filter(code="150124100000").exists()
    report = areas_import_csv(text="150124100,城关镇\n150124100201,榆树营村\n")
    assert (report.created, report.updated, report.errors) == (2, 0, [])
    village = Area.objects.get(code="150124100201")
    assert village.parent_id == "150124100000"
    assert village.level == AreaLevel.VILLAGE


def test_csv_import_names_bad_rows():
    report = areas_import_csv(text="15012410,坏\n150124,县\n150124100\n")
    assert report.errors == [
        "line 1: area code '15012410' must have 2, 4, 6, 9 or 12 digits",
        "line 2: 150124000000 is not a township or village code",
        "line 3: expected code,name",
    ]


def test_code_lists_seeded_with_labels_in_both_languages():
    causes = code_map("cause_of_poverty")
    assert causes["01"].label_zh == "因病"
    assert causes["01"].label_en == "Illness"
    assert len(code_map("household_attribute")) == 9
    assert len(code_map("ethnicity")) == 58


def test_province_override_and_year_validity():
    CodeItem.objects.create(
        code_list_id="risk_type",
        code="99",
        province="15",
        label_zh="其他（须说明）",
        label_en="Other (explain)",
        valid_from_year=2024,
    )
    CodeItem.objects.create(
        code_list_id="risk_type",
        code="12",
        province="36",
        label_zh="江西特有",
        label_en="Jiangxi",
        valid_from_year=2023,
    )
    CodeItem.objects.create(
        code_list_id="risk_type",
        code="05",
        province="15",
        label_zh="x",
        label_en="x",
        valid_from_year=2024,
        is_active=False,
    )
    assert code_label("risk_type", "99", year=2024, province="15") == "Other (explain)"
    assert code_label("risk_type", "99", year=2023, province="15") == "Other"
    assert code_label("risk_type", "99", year=2024, province="36") == "Other"
    assert "12" in code_map("risk_type", year=2024, province="36")
    assert "12" not in code_map("risk_type", year=2024, province="15")
    assert "05" not in code_map("risk_type", year=2024, province="15")
    assert "05" in code_map("risk_type", year=2023, province="15")


def test_parameters_by_province_and_year():
    assert parameter_value("monitoring_income_line", year=2024, province="36") == Decimal("7500")
    assert parameter_value("monitoring_income_line", year=2020, province="15") == Decimal("5000")
    parameter_set(key="monitoring_income_line", province="36", year=2024, value=Decimal("8500"))
    assert parameter_value("monitoring_income_line", year=2025, province="36") == Decimal("8500")
    assert parameter_value("monitoring_income_line", year=2025, province="52") == Decimal("7500")
    with pytest.raises(UnknownParameter):
        parameter_value("no_such_threshold", year=2025, province="15")


def test_import_areas_command(tmp_path, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    good = tmp_path / "areas.csv"
    good.write_text("\ufeffcode,name\n150124100,城关镇\n150124100201,榆树营村\n", encoding="utf-8")
    call_command("import_areas", str(good))
    assert "2 areas created, 0 updated" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("150124100202,新村\n150124777201,无乡村\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_areas", str(bad))
    assert "parent area 150124777000" in capsys.readouterr().err
    assert not Area.objects.filter(code="150124100202").exists()
