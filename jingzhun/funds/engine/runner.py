"""Evaluating the fund rules over the snapshot of an area, on any Ibis backend."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from jingzhun.funds.engine.rules import FUND_RULE_FUNCTIONS, FundParameters, FundSnapshot
from jingzhun.funds.engine.tables import EVIDENCE, RESULT_COLUMNS


def whole_snapshot(tables: dict[str, ir.Table], *, as_of: datetime.date) -> FundSnapshot:
    """The snapshot as the files hold it: an export is already the area's (DuckDB, Spark)."""
    names = ("funds", "movements", "projects", "beneficiaries", "people", "assets")
    return FundSnapshot(**{name: tables[name] for name in names}, as_of=as_of)


def scoped_snapshot(
    tables: dict[str, ir.Table], *, area_low: str, area_high: str, as_of: datetime.date
) -> FundSnapshot:
    """The funds given to areas under the area, the projects proposed there, their ledger,
    beneficiaries and assets, and the people registered there."""
    funds = tables["funds"].filter(tables["funds"].area_id.between(area_low, area_high))
    projects = tables["projects"].filter(tables["projects"].area_id.between(area_low, area_high))
    movements = tables["movements"].filter(tables["movements"].fund_id.isin(funds.select(fid=funds.id).fid))
    project_ids = projects.select(pid=projects.id).pid
    households = tables["households"].filter(tables["households"].village_id.between(area_low, area_high))
    people = tables["people"].filter(
        tables["people"].household_id.isin(households.select(hid=households.id).hid)
    )
    return FundSnapshot(
        funds=funds,
        movements=movements,
        projects=projects,
        beneficiaries=tables["beneficiaries"].filter(tables["beneficiaries"].project_id.isin(project_ids)),
        people=people,
        assets=tables["assets"].filter(tables["assets"].project_id.isin(project_ids)),
        as_of=as_of,
    )


def empty_result() -> pa.Table:
    types = {
        "rule": pa.string(),
        "area_id": pa.string(),
        "detail": pa.string(),
        "value": EVIDENCE,
        "threshold": EVIDENCE,
    }
    return pa.table({name: pa.array([], types.get(name, pa.int64())) for name in RESULT_COLUMNS})


def evaluate(snapshot: FundSnapshot, parameters: FundParameters, codes: Iterable[str]) -> pa.Table:
    """Every rule's findings, sorted by the engine so that all engines' answers compare equal."""
    codes = sorted(codes)
    if not codes:
        return empty_result()
    parts = [
        FUND_RULE_FUNCTIONS[code](snapshot, parameters).mutate(rule=ibis.literal(code)) for code in codes
    ]
    combined = ibis.union(*parts) if len(parts) > 1 else parts[0]
    ordered = combined.select(*RESULT_COLUMNS).order_by(
        ["rule", "area_id", "fund_id", "project_id", "movement_id", "household_id"]
    )
    return ordered.to_pyarrow()
