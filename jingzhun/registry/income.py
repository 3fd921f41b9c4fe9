"""Per-capita net income: the one place the formula of domain.md §3 lives.

    per-capita net income = (wage + business + property + transfer − production costs)
                            ÷ resident members

Property income includes what project assets distributed to the household (kept by
the asset ledger, ``asset_income``) besides what the household declares.

Money is Decimal throughout; the per-capita figure is rounded half-up to the fen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

FEN = Decimal("0.01")
ZERO = Decimal("0")

TRANSFER_FIELDS = (
    "family_planning_subsidy",
    "minimum_allowance_income",
    "ecological_compensation",
    "extreme_poverty_support_income",
    "pension_income",
    "other_transfer_income",
)
# Every amount an income record is given; the figures are derived from them.
AMOUNT_FIELDS = ("wage_income", "business_income", "property_income", *TRANSFER_FIELDS, "production_costs")
# Amounts kept by a ledger elsewhere and never entered on a form or a sheet: the income
# distributed to the household from project assets (a property income). A writer that
# recomputes an existing record carries them over.
LEDGER_FIELDS = ("asset_income",)
RECORD_AMOUNT_FIELDS = (*AMOUNT_FIELDS, *LEDGER_FIELDS)


@dataclass(frozen=True)
class IncomeFigures:
    transfer_income: Decimal
    annual_income: Decimal
    net_income: Decimal
    per_capita_net_income: Decimal | None


def compute_income(
    *,
    wage_income: Decimal,
    business_income: Decimal,
    property_income: Decimal,
    transfers: dict[str, Decimal],
    production_costs: Decimal,
    resident_members: int,
    asset_income: Decimal = ZERO,
) -> IncomeFigures:
    transfer_income = sum((transfers.get(name) or ZERO for name in TRANSFER_FIELDS), ZERO)
    annual_income = wage_income + business_income + property_income + asset_income + transfer_income
    net_income = annual_income - production_costs
    per_capita = (
        (net_income / resident_members).quantize(FEN, rounding=ROUND_HALF_UP)
        if resident_members > 0
        else None
    )
    return IncomeFigures(transfer_income, annual_income, net_income, per_capita)


def income_record_values(amounts: Mapping[str, Any], resident_members: int) -> dict[str, Any]:
    """An income record's amounts (missing ones as zero) with every figure derived from
    them: what a form, an import and the demo all write, computed the one way."""
    given = {name: amounts.get(name) or ZERO for name in RECORD_AMOUNT_FIELDS}
    figures = compute_income(
        wage_income=given["wage_income"],
        business_income=given["business_income"],
        property_income=given["property_income"],
        asset_income=given["asset_income"],
        transfers={name: given[name] for name in TRANSFER_FIELDS},
        production_costs=given["production_costs"],
        resident_members=resident_members,
    )
    return {
        **given,
        "resident_members": resident_members,
        "transfer_income": figures.transfer_income,
        "annual_income": figures.annual_income,
        "net_income": figures.net_income,
        "per_capita_net_income": figures.per_capita_net_income,
    }
