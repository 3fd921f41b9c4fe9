from decimal import Decimal

from jingzhun.registry.income import compute_income


def d(value: str) -> Decimal:
    return Decimal(value)


def test_per_capita_net_income_worked_example():
    # wage 18,000 + business 6,500 + property 300 + transfer (1,200 + 2,400 + 800) − costs 3,100 = 26,100
    # over 4 resident members = 6,525.00
    figures = compute_income(
        wage_income=d("18000"),
        business_income=d("6500"),
        property_income=d("300"),
        transfers={
            "family_planning_subsidy": d("1200"),
            "minimum_allowance_income": d("2400"),
            "pension_income": d("800"),
        },
        production_costs=d("3100"),
        resident_members=4,
    )
    assert figures.transfer_income == d("4400")
    assert figures.annual_income == d("29200")
    assert figures.net_income == d("26100")
    assert figures.per_capita_net_income == d("6525.00")


def test_per_capita_rounds_half_up_to_the_fen():
    figures = compute_income(
        wage_income=d("10000.01"),
        business_income=d("0"),
        property_income=d("0"),
        transfers={},
        production_costs=d("0"),
        resident_members=2,
    )
    assert figures.per_capita_net_income == d("5000.01")  # 5000.005 rounds up
    figures = compute_income(
        wage_income=d("10000"),
        business_income=d("0"),
        property_income=d("0"),
        transfers={},
        production_costs=d("0"),
        resident_members=3,
    )
    assert figures.per_capita_net_income == d("3333.33")


def test_costs_above_income_give_negative_net_income():
    figures = compute_income(
        wage_income=d("1000"),
        business_income=d("2000"),
        property_income=d("0"),
        transfers={},
        production_costs=d("5000"),
        resident_members=2,
    )
    assert figures.net_income == d("-2000")
    assert figures.per_capita_net_income == d("-1000.00")


def test_no_resident_members_gives_no_per_capita_figure():
    figures = compute_income(
        wage_income=d("1000"),
        business_income=d("0"),
        property_income=d("0"),
        transfers={},
        production_costs=d("0"),
        resident_members=0,
    )
    assert figures.per_capita_net_income is None


def test_one_function_gives_every_income_figure_from_the_amounts():
    from jingzhun.registry.income import income_record_values

    values = income_record_values(
        {
            "wage_income": Decimal("12000"),
            "pension_income": Decimal("1200"),
            "production_costs": Decimal("900"),
        },
        3,
    )
    assert values["business_income"] == Decimal("0")  # missing amounts are zero
    assert (values["transfer_income"], values["annual_income"], values["net_income"]) == (
        Decimal("1200"),
        Decimal("13200"),
        Decimal("12300"),
    )
    assert (values["resident_members"], values["per_capita_net_income"]) == (3, Decimal("4100.00"))
    assert income_record_values({}, 0)["per_capita_net_income"] is None
