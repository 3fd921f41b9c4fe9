"""Reads of the evaluation. Supervisors read the plans of their area; a third-party
evaluator reads only the sampled households assigned to them — their one view of the
register (``areas.selectors.area_scope_q`` gives them nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from jingzhun.accounts.choices import Role
from jingzhun.accounts.models import User
from jingzhun.areas.models import Area
from jingzhun.areas.selectors import area_scope_q, areas_by_prefix, child_prefix, code_range_q
from jingzhun.codelists.selectors import parameter_value
from jingzhun.oversight.choices import OPEN_RECTIFICATION_STATES, PlanState, Stratum, Verdict
from jingzhun.oversight.estimation import Estimate, ratio_estimate
from jingzhun.oversight.models import EvaluationSample, Finding, Inspection, InspectionVisit, SamplingPlan
from jingzhun.registry.selectors import head_name_of


def plan_list(*, user: User) -> QuerySet[SamplingPlan]:
    if user.role == Role.EVALUATOR:
        return SamplingPlan.objects.filter(households__evaluator=user).distinct().select_related("area")
    return SamplingPlan.objects.filter(area_scope_q(user, "area_id")).select_related("area")


def plan_get(*, user: User, pk: int) -> SamplingPlan:
    return plan_list(user=user).get(pk=pk)


def sample_of(*, user: User, plan: SamplingPlan) -> QuerySet[EvaluationSample]:
    """The plan's sampled households the user may see (an evaluator: their own)."""
    rows = EvaluationSample.objects.filter(plan=plan)
    if user.role == Role.EVALUATOR:
        rows = rows.filter(evaluator=user)
    elif not SamplingPlan.objects.filter(area_scope_q(user, "area_id"), pk=plan.pk).exists():
        rows = rows.none()
    return rows.select_related("household", "village", "evaluator", "questionnaire").annotate(
        head_name=head_name_of("household")
    )


def sampled_get(*, user: User, pk: int) -> EvaluationSample:
    rows = EvaluationSample.objects.select_related("plan", "household", "village", "evaluator")
    if user.role == Role.EVALUATOR:
        return rows.get(pk=pk, evaluator=user)
    return rows.get(Q(pk=pk) & area_scope_q(user, "plan__area_id"))


@dataclass(frozen=True)
class EvaluationResult:
    key: str
    label: str
    estimate: Estimate
    limit: Decimal
    # True: the rate must stay at or below the limit (error rates); False: at or above (satisfaction).
    at_most: bool

    @property
    def meets(self) -> bool | None:
        rate = self.estimate.rate
        if rate is None:
            return None
        return rate <= float(self.limit) if self.at_most else rate >= float(self.limit)

    @property
    def limit_percent(self) -> Decimal:
        return (self.limit * 100).normalize()


def evaluations_covering(*, area: Area, limit: int = 5) -> list[tuple[SamplingPlan, list[EvaluationResult]]]:
    """The latest drawn evaluation of ``area`` itself, of the area above it that contains it,
    or of areas below it (one per evaluated area), each with its rates so far."""
    covering = [a.code for a in area.ancestors()] + [area.code]
    plans = (
        SamplingPlan.objects.filter(
            Q(area_id__in=covering) | code_range_q(area, "area_id"), state=PlanState.DRAWN
        )
        .select_related("area")
        .order_by("area_id", "-year", "-drawn_at")
    )
    latest: dict[str, SamplingPlan] = {}
    for plan in plans:
        latest.setdefault(plan.area_id, plan)
    # The widest evaluated area first (the one a county or province is judged on).
    chosen = sorted(latest.values(), key=lambda p: (p.area.level, p.area_id))[:limit]
    return [(plan, plan_results(plan=plan)) for plan in chosen]


def plan_results(*, plan: SamplingPlan) -> list[EvaluationResult]:
    """The four rates of the evaluation, from the questionnaires entered so far, each with
    its 95 % interval, against the exit criteria of the province and year."""
    from django.utils.translation import gettext as _

    rows = list(
        EvaluationSample.objects.filter(plan=plan, questionnaire__isnull=False).values_list(
            "village_id",
            "village__parent_id",
            "weight",
            "stratum",
            "questionnaire__verdict",
            "questionnaire__satisfied",
        )
    )
    villages = [row[0] for row in rows]
    strata = [row[1] or "" for row in rows] if plan.method == "stratified" else None
    weights = [row[2] for row in rows]
    registered = [row[3] == Stratum.REGISTERED for row in rows]
    others = [row[3] == Stratum.UNREGISTERED for row in rows]
    everyone = [True] * len(rows)
    province = plan.area.code[:2]

    def limit(key: str) -> Decimal:
        return Decimal(str(parameter_value(key, year=plan.year, province=province)))

    def rate(findings: list[bool], domain: list[bool]) -> Estimate:
        return ratio_estimate(villages, weights, findings, domain, strata=strata)

    verdicts = [row[4] for row in rows]
    return [
        EvaluationResult(
            "wrong_exit",
            _("Wrong-exit rate"),
            rate([v == Verdict.WRONGLY_EXITED for v in verdicts], registered),
            limit("exit_wrong_exit_rate_max"),
            True,
        ),
        EvaluationResult(
            "missed",
            _("Missed-identification rate"),
            rate([v == Verdict.MISSED for v in verdicts], others),
            limit("exit_missed_rate_max"),
            True,
        ),
        EvaluationResult(
            "wrongly_identified",
            _("Wrong-identification rate"),
            rate([v == Verdict.WRONGLY_IDENTIFIED for v in verdicts], registered),
            limit("exit_wrong_identification_rate_max"),
            True,
        ),
        EvaluationResult(
            "satisfaction",
            _("Satisfaction rate"),
            rate([bool(row[5]) for row in rows], everyone),
            limit("exit_satisfaction_min"),
            False,
        ),
    ]


def evaluation_leads(*, user: User) -> QuerySet[EvaluationSample]:
    """Households of the user's area an evaluation found missed or wrongly exited, with no
    case opened from the finding yet: leads for the village (like a warning)."""
    return (
        EvaluationSample.objects.filter(
            area_scope_q(user, "household__village_id"),
            questionnaire__verdict__in=[Verdict.MISSED, Verdict.WRONGLY_EXITED],
            questionnaire__case__isnull=True,
        )
        .select_related("plan", "household", "village", "questionnaire")
        .annotate(head_name=head_name_of("household"))
        .order_by("village_id", "pk")
    )


@dataclass(frozen=True)
class LedgerFilters:
    state: str = ""
    overdue: bool = False
    problem_type: str = ""
    include_closed: bool = False
    inspection: int | None = None
    source: str = ""
    # An area in the user's scope (its code): the findings against it and below.
    area: str = ""


def ledger(*, user: User, filters: LedgerFilters | None = None) -> QuerySet[Finding]:
    """The rectification ledger of the user's area (findings against it and below)."""
    from django.utils import timezone

    filters = filters or LedgerFilters()
    findings = Finding.objects.filter(area_scope_q(user, "area_id"))
    if filters.state:
        findings = findings.filter(state=filters.state)
    elif not filters.include_closed:
        findings = findings.filter(state__in=sorted(OPEN_RECTIFICATION_STATES))
    if filters.overdue:
        findings = findings.filter(
            state__in=sorted(OPEN_RECTIFICATION_STATES), deadline__lt=timezone.localdate()
        )
    if filters.problem_type:
        findings = findings.filter(problem_type=filters.problem_type)
    if filters.inspection:
        findings = findings.filter(inspection_id=filters.inspection)
    if filters.source:
        findings = findings.filter(source=filters.source)
    if filters.area:
        area = Area.objects.filter(code=filters.area).first()
        findings = findings.filter(code_range_q(area, "area_id")) if area else findings.none()
    return findings.select_related("area", "issuing_area", "household", "raised_by").order_by(
        "deadline", "pk"
    )


def repeated_problems(*, user: User) -> set[tuple[str, str]]:
    """(area, problem type) found more than once: a problem that comes back is highlighted."""
    rows = (
        Finding.objects.filter(area_scope_q(user, "area_id"))
        .exclude(state="withdrawn")
        .order_by()
        .values("area_id", "problem_type")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("area_id", "problem_type")
    )
    return set(rows)


def overdue_by_child_area(*, user: User) -> list[tuple[Any, int, int]]:
    """Open and overdue findings per child area of the user's area."""
    from django.utils import timezone

    if user.area is None:
        return []
    open_findings = Finding.objects.filter(
        area_scope_q(user, "area_id"), state__in=sorted(OPEN_RECTIFICATION_STATES)
    )
    counts = sorted(
        open_findings.order_by()
        .values(prefix=child_prefix(user.area, "area_id"))
        .annotate(total=Count("pk"), late=Count("pk", filter=Q(deadline__lt=timezone.localdate())))
        .values_list("prefix", "total", "late")
    )
    areas = areas_by_prefix(prefix for prefix, _total, _late in counts)
    return [(areas[prefix], total, late) for prefix, total, late in counts if prefix in areas]


def finding_get(*, user: User, pk: int) -> Finding:
    return Finding.objects.select_related("area", "issuing_area", "household", "inspection").get(
        area_scope_q(user, "area_id") | area_scope_q(user, "issuing_area_id"), pk=pk
    )


def inspections(*, user: User) -> QuerySet[Inspection]:
    """Inspections of the user's area and below, and those the user's level made. An undercover
    inspection is not shown to the areas it inspects until it has ended."""
    from django.utils import timezone

    if user.area is None or user.role == Role.EVALUATOR:
        return Inspection.objects.none()
    made_here = Q(created_by__area=user.area)
    announced_or_over = Q(undercover=False) | Q(ends_on__lt=timezone.localdate())
    return (
        Inspection.objects.filter((area_scope_q(user, "area_id") & announced_or_over) | made_here)
        .select_related("area", "created_by")
        .annotate(finding_count=Count("findings", distinct=True), visit_count=Count("visits", distinct=True))
        .order_by("-starts_on", "-pk")
    )


def inspection_visits(*, inspection: Inspection) -> QuerySet[InspectionVisit]:
    return (
        inspection.visits.select_related("village", "household")
        .annotate(finding_count=Count("findings"))
        .order_by("visited_on", "pk")
    )


def visit_choices(*, user: User) -> list[tuple[str, str]]:
    """The visits of the inspections the user's level made (to attach a finding to one)."""
    if user.area is None:
        return []
    visits = (
        InspectionVisit.objects.filter(inspection__created_by__area=user.area)
        .select_related("inspection", "village")
        .order_by("-visited_on", "-pk")[:200]
    )
    return [(str(v.pk), f"{v.visited_on:%Y-%m-%d} {v.inspection.title} · {v.village.name}") for v in visits]
