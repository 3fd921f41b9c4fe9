"""The dashboard's oversight panel: the rectification ledger's progress (open, overdue,
awaiting sign-off, signed off this year) in the area and by child area, the outcomes of
the last 30 days' phone spot-checks, the evaluation's rates with their intervals, and
the last assessment's scores. Counted live from the ledgers (findings and calls number in
the thousands, not millions); every number opens its list."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.areas.models import Area
from jingzhun.areas.selectors import areas_by_prefix, child_prefix, code_range_q
from jingzhun.dashboards.assessment import AreaScore, assessment_latest
from jingzhun.dashboards.models import AssessmentRun
from jingzhun.oversight.choices import OPEN_RECTIFICATION_STATES, CallOutcome, RectificationState
from jingzhun.oversight.models import Finding, PhoneCheck, SamplingPlan
from jingzhun.oversight.selectors import EvaluationResult, evaluations_covering

CALL_DAYS = 30


@dataclass(frozen=True)
class ChildFindings:
    area: Area
    open: int
    overdue: int
    url: str


@dataclass
class OversightSummary:
    open: int = 0
    overdue: int = 0
    submitted: int = 0
    signed_off: int = 0
    urls: dict[str, str] = field(default_factory=dict)
    children: list[ChildFindings] = field(default_factory=list)
    calls: list[tuple[str, int]] = field(default_factory=list)
    evaluation: tuple[SamplingPlan, list[EvaluationResult]] | None = None
    assessment: AssessmentRun | None = None
    scores: list[AreaScore] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        nothing = not (self.open or self.submitted or self.signed_off or self.calls)
        return nothing and self.evaluation is None and self.assessment is None


def _ledger_url(area: Area, **query: str) -> str:
    return f"{reverse('oversight:ledger')}?{urlencode({'area': area.code, **query})}"


def oversight_summary(*, area: Area) -> OversightSummary:
    """The panel of ``area`` (which the caller found in the user's scope)."""
    today = timezone.localdate()
    findings = Finding.objects.filter(code_range_q(area, "area_id")).order_by()
    is_open = Q(state__in=sorted(OPEN_RECTIFICATION_STATES))
    late = is_open & Q(deadline__lt=today)
    counts = findings.aggregate(
        open=Count("pk", filter=is_open),
        overdue=Count("pk", filter=late),
        submitted=Count("pk", filter=Q(state=RectificationState.SUBMITTED)),
        signed_off=Count("pk", filter=Q(state=RectificationState.SIGNED_OFF, signed_off_on__year=today.year)),
    )
    summary = OversightSummary(**counts)
    summary.urls = {
        "open": _ledger_url(area),
        "overdue": _ledger_url(area, overdue="1"),
        "submitted": _ledger_url(area, state=RectificationState.SUBMITTED),
        "signed_off": _ledger_url(area, state=RectificationState.SIGNED_OFF),
    }
    rows = sorted(
        findings.filter(is_open)
        .values(prefix=child_prefix(area, "area_id"))
        .annotate(total=Count("pk"), late=Count("pk", filter=late))
        .values_list("prefix", "total", "late")
    )
    areas = areas_by_prefix(prefix for prefix, _total, _late in rows)
    summary.children = [
        ChildFindings(areas[prefix], total, overdue, _ledger_url(areas[prefix]))
        for prefix, total, overdue in rows
        if prefix in areas and prefix != area.code
    ]
    since = today - datetime.timedelta(days=CALL_DAYS)
    calls = dict(
        PhoneCheck.objects.filter(code_range_q(area, "household__village_id"), day__gte=since)
        .order_by()
        .values("outcome")
        .annotate(n=Count("pk"))
        .values_list("outcome", "n")
    )
    summary.calls = [(str(label), calls[value]) for value, label in CallOutcome.choices if calls.get(value)]
    evaluations = evaluations_covering(area=area, limit=1)
    summary.evaluation = evaluations[0] if evaluations else None
    summary.assessment, summary.scores = assessment_latest(area)
    return summary


def findings_chart(summary: OversightSummary) -> dict[str, Any]:
    """Open and overdue findings by child area, side by side; a bar opens that area's ledger."""
    urls = [row.url for row in summary.children]
    return {
        "id": "chart-findings",
        "type": "grouped",
        "title": "",
        "labels": [row.area.name for row in summary.children],
        "series": [
            {"name": _("Open findings"), "values": [row.open for row in summary.children], "urls": urls},
            {"name": _("Overdue"), "values": [row.overdue for row in summary.children], "urls": urls},
        ],
    }
