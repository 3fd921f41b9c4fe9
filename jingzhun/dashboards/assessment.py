"""Assessment (考核): a score per area, ranked among its siblings, from what the system
already counts — the figures of the last refresh (the figures engine) and the
rectification ledger and the fund ledger. Each indicator's definition, data, as-of time
and weight is published beside the ranking, and each area's raw value beside its points:
the method is open, nothing is a black box.

An indicator an area has nothing to measure on (no monitoring objects, no funds) is left
out of its score, whose weights are then re-based to 100.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jingzhun.accounts.choices import Role
from jingzhun.accounts.models import User
from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.models import Area
from jingzhun.areas.selectors import child_prefix, code_range_q
from jingzhun.codelists.selectors import parameter_value
from jingzhun.core.runs import RunStatus, run_begin, run_failed, run_succeed, runs_record_failure
from jingzhun.dashboards.models import AreaFigure, AssessmentRun, AssessmentScore
from jingzhun.dashboards.selectors import last_run
from jingzhun.funds.choices import MovementKind
from jingzhun.funds.engine.rules import spending_target
from jingzhun.funds.models import Fund, FundMovement
from jingzhun.funds.monitoring import fund_parameters
from jingzhun.funds.services import signed_sum
from jingzhun.oversight.choices import OPEN_RECTIFICATION_STATES, RectificationState
from jingzhun.oversight.models import Finding

Figures = dict[str, int]


@dataclass(frozen=True)
class Indicator:
    key: str
    label: object
    definition: object
    # From an area's figures (and its extra counts): the raw value, or None when not measurable.
    raw: Callable[[Figures], float | None]
    # Raw value to a share of the points (0..1).
    share: Callable[[float, dict[str, Decimal]], float]
    unit: str = "%"


def _ratio(
    numerator: str, denominator: str, *, complement: bool = False
) -> Callable[[Figures], float | None]:
    def raw(f: Figures) -> float | None:
        total = f.get(denominator, 0)
        if not total:
            return None
        value = f.get(numerator, 0) / total
        return 1 - value if complement else value

    return raw


def _straight(value: float, limits: dict[str, Decimal]) -> float:
    return max(0.0, min(1.0, value))


def _quality(value: float, limits: dict[str, Decimal]) -> float:
    limit = float(limits["assessment_quality_limit_per_1000"])
    return max(0.0, 1 - value / limit) if limit else 0.0


def _per_thousand(f: Figures) -> float | None:
    households = f.get("households", 0)
    return f.get("with_quality_issue", 0) * 1000 / households if households else None


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "identification",
        _("Procedures within the deadline"),
        _("Open identification, elimination and exit cases not past their deadline, of all open cases"),
        _ratio("in_procedure_overdue", "in_procedure", complement=True),
        _straight,
    ),
    Indicator(
        "coverage",
        _("Assistance coverage"),
        _("Monitoring objects with risk not eliminated whose every risk has a measure meant for it"),
        _ratio("covered_by_measure", "monitored_open"),
        _straight,
    ),
    Indicator(
        "visits",
        _("Visits on time"),
        _("Monitoring objects with risk not eliminated visited within the visit interval"),
        _ratio("visited_recently", "monitored_open"),
        _straight,
    ),
    Indicator(
        "quality",
        _("Data-quality issues per 1,000 households"),
        _("Households with a data-quality issue, per 1,000: full points at none, no points at the limit"),
        _per_thousand,
        _quality,
        unit="‰",
    ),
    Indicator(
        "warnings",
        _("Warnings handled in time"),
        _("Open warnings not past their verification deadline, of all open warnings"),
        _ratio("warned_overdue", "warned", complement=True),
        _straight,
    ),
    Indicator(
        "rectification",
        _("Rectification on time"),
        _("Findings of the rectification ledger not overdue, of all findings not withdrawn"),
        _ratio("findings_overdue", "findings", complement=True),
        _straight,
    ),
    Indicator(
        "spending",
        _("Fund spending against the target"),
        _("This year's funds given to the area: share paid, against the target for the date"),
        lambda f: (f["paid_fen"] / f["amount_fen"]) if f.get("amount_fen") else None,
        lambda value, limits: (
            max(0.0, min(1.0, value / float(limits["spending_target"]))) if limits["spending_target"] else 1.0
        ),
    ),
)


@dataclass(frozen=True)
class IndicatorValue:
    indicator: Indicator
    raw: float | None
    points: float | None
    weight: Decimal


@dataclass(frozen=True)
class AreaScore:
    area: Area
    values: list[IndicatorValue]
    score: float | None
    rank: int = 0


def weights(year: int, province: str) -> dict[str, Decimal]:
    return {
        i.key: Decimal(str(parameter_value(f"assessment_weight_{i.key}", year=year, province=province)))
        for i in INDICATORS
    }


def _child_figures(area: Area) -> dict[str, Figures]:
    level = AreaLevel(min(area.level + 1, AreaLevel.VILLAGE))
    rows = AreaFigure.objects.filter(code_range_q(area, "area_code"), level=level, key="").values_list(
        "area_code", "figure", "value"
    )
    figures: dict[str, Figures] = {}
    for code, figure, value in rows:
        figures.setdefault(code, {})[figure] = value
    return figures


def _add_ledgers(area: Area, figures: dict[str, Figures], today: datetime.date) -> None:
    """The rectification ledger's and the fund ledger's counts per child area."""
    prefix = child_prefix(area, "area_id")
    findings = (
        Finding.objects.filter(code_range_q(area, "area_id"))
        .exclude(state=RectificationState.WITHDRAWN)
        .order_by()
        .values(prefix=prefix)
        .annotate(
            total=Count("pk"),
            late=Count("pk", filter=Q(state__in=sorted(OPEN_RECTIFICATION_STATES), deadline__lt=today)),
        )
    )
    for finding_row in findings:
        counts = figures.setdefault(_code_of(finding_row["prefix"]), {})
        counts.update(findings=finding_row["total"], findings_overdue=finding_row["late"])
    # This year's funds given to each child area (or below it), and what was paid from them.
    year = timezone.localdate().year
    funds = Fund.objects.filter(code_range_q(area, "area_id"), year=year).exclude(area=area)
    for fund_row in (
        funds.order_by().values(prefix=child_prefix(area, "area_id")).annotate(total=Sum("amount"))
    ):
        figures.setdefault(_code_of(fund_row["prefix"]), {})["amount_fen"] = int(fund_row["total"] * 100)
    paid = (
        FundMovement.objects.filter(fund__in=funds)
        .order_by()
        .values(prefix=child_prefix(area, "fund__area_id"))
        .annotate(paid=signed_sum(MovementKind.PAYMENT, MovementKind.PAYMENT_REVERSAL))
    )
    for paid_row in paid:
        figures.setdefault(_code_of(paid_row["prefix"]), {})["paid_fen"] = int(paid_row["paid"] * 100)


def _code_of(prefix: str) -> str:
    return prefix.ljust(12, "0")


def ranking(*, area: Area) -> list[AreaScore]:
    """The children of ``area`` scored and ranked (ties share a rank)."""
    today = timezone.localdate()
    province = area.code[:2]
    weight = weights(today.year, province)
    limits = {
        "assessment_quality_limit_per_1000": Decimal(
            str(parameter_value("assessment_quality_limit_per_1000", year=today.year, province=province))
        ),
        "spending_target": spending_target(today, fund_parameters(province=province, as_of=today)),
    }
    figures = _child_figures(area)
    _add_ledgers(area, figures, today)
    children = {a.code: a for a in Area.objects.filter(parent=area)}
    scores = []
    for code, child in sorted(children.items()):
        f = figures.get(code, {})
        values = []
        earned, possible = 0.0, Decimal("0")
        for indicator in INDICATORS:
            raw = indicator.raw(f)
            points = None if raw is None else float(weight[indicator.key]) * indicator.share(raw, limits)
            if points is not None:
                earned += points
                possible += weight[indicator.key]
            values.append(IndicatorValue(indicator, raw, points, weight[indicator.key]))
        score = round(earned * 100 / float(possible), 2) if possible else None
        scores.append(AreaScore(child, values, score))
    ordered = sorted(scores, key=lambda s: (s.score is None, -(s.score or 0), s.area.code))
    ranked, previous, rank = [], None, 0
    for position, item in enumerate(ordered, start=1):
        if item.score != previous:
            rank, previous = position, item.score
        ranked.append(AreaScore(item.area, item.values, item.score, rank if item.score is not None else 0))
    return ranked


# --- the recorded run ------------------------------------------------------------------------

ASSESSORS = frozenset({Role.COUNTY_OFFICER, Role.SUPERVISOR, Role.TOWNSHIP_REVIEWER, Role.SYSTEM_ADMIN})


def assessment_run(*, area: Area, user: User | None = None) -> AssessmentRun:
    """Score and rank the children of ``area`` now and keep the result (``user`` None: the
    command line). The scores and the run's success are written in one transaction."""
    if user is not None and (
        user.role not in ASSESSORS or user.area is None or not user.area.contains(area.code)
    ):
        raise PermissionDenied(gettext("The assessment is computed by the county, township or supervisors."))
    runs_record_failure(
        AssessmentRun.objects.filter(area=area),
        gettext("Interrupted or superseded before it finished; the previous assessment stays."),
    )
    today = timezone.localdate()
    figures = last_run(area)
    run = AssessmentRun.objects.create(
        area=area,
        year=today.year,
        as_of=today,
        figures_as_of=figures.finished_at if figures else None,
        started_by=user,
    )
    run_begin(run, gettext("Scoring the areas"))
    try:
        scores = ranking(area=area)
        with transaction.atomic():
            AssessmentScore.objects.bulk_create(
                AssessmentScore(
                    run=run,
                    area=score.area,
                    rank=score.rank,
                    score=score.score,
                    values={v.indicator.key: [v.raw, v.points, str(v.weight)] for v in score.values},
                )
                for score in scores
            )
            run_succeed(run, areas=len(scores))
    except Exception as error:
        run_failed(run, error)
        raise
    run.refresh_from_db()
    return run


def assessment_latest(area: Area) -> tuple[AssessmentRun | None, list[AreaScore]]:
    """The last assessment of the children of ``area`` as it was computed."""
    run = AssessmentRun.objects.filter(area=area, status=RunStatus.SUCCEEDED).order_by("-finished_at").first()
    if run is None:
        return None, []
    scores = []
    for row in run.scores.select_related("area").order_by("area_id"):
        values = []
        for indicator in INDICATORS:
            raw, points, weight = row.values.get(indicator.key, [None, None, "0"])
            values.append(IndicatorValue(indicator, raw, points, Decimal(weight)))
        scores.append(AreaScore(row.area, values, row.score, row.rank))
    scores.sort(key=lambda s: (s.score is None, s.rank, s.area.code))
    return run, scores
