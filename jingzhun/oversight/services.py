"""Writes of the evaluation: plans, drawing their frozen sample, assigning evaluators,
questionnaires. A plan is drawn once: its sample is frozen and cannot be drawn again."""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.choices import Role
from jingzhun.accounts.models import User
from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.models import Area
from jingzhun.areas.selectors import code_range_q
from jingzhun.cases.models import Case
from jingzhun.cases.services import identification_open
from jingzhun.codelists.selectors import codes_with, parameter_value
from jingzhun.oversight.choices import PlanState, SamplingMethod, Stratum, Verdict
from jingzhun.oversight.models import EvaluationSample, Questionnaire, SampledVillage, SamplingPlan
from jingzhun.oversight.sampling import VillageFrame, draw_two_stage
from jingzhun.registry.choices import CodeListKey
from jingzhun.registry.income import income_record_values
from jingzhun.registry.models import Household, MonitoringObject

# Who commissions an evaluation and draws its sample: supervisors (city and above) and administrators.
PLANNERS = frozenset({Role.SUPERVISOR, Role.SYSTEM_ADMIN})


def _require_planner(user: User, area: Area) -> None:
    if user.role not in PLANNERS or user.area is None or not user.area.contains(area.code):
        raise PermissionDenied(_("Only the supervisors of the area commission an evaluation."))


def plan_create(
    *,
    user: User,
    area: Area,
    name: str,
    year: int,
    method: str = SamplingMethod.PPS,
    villages_wanted: int | None = None,
    registered_per_village: int | None = None,
    unregistered_per_village: int | None = None,
    seed: int | None = None,
) -> SamplingPlan:
    """A plan for an area; sizes default to the province's configuration, the seed to a fresh one."""
    _require_planner(user, area)
    province = area.code[:2]

    def configured(key: str) -> int:
        return int(parameter_value(key, year=year, province=province))

    plan = SamplingPlan(
        area=area,
        name=name.strip(),
        year=year,
        method=method,
        villages_wanted=villages_wanted or configured("evaluation_villages"),
        registered_per_village=(
            registered_per_village
            if registered_per_village is not None
            else configured("evaluation_registered_per_village")
        ),
        unregistered_per_village=(
            unregistered_per_village
            if unregistered_per_village is not None
            else configured("evaluation_unregistered_per_village")
        ),
        seed=seed if seed is not None else secrets.randbelow(2**62),
        created_by=user,
    )
    plan.full_clean(exclude=["area", "created_by", "drawn_by"])
    plan.save()
    return plan


def registered_q(province: str) -> Q:
    """Registered households: a poor or lifted-out attribute, or a monitoring episode."""
    attributes = codes_with(
        CodeListKey.HOUSEHOLD_ATTRIBUTE, "registered_poor", province=province
    ) | codes_with(CodeListKey.HOUSEHOLD_ATTRIBUTE, "lifted_out", province=province)
    monitored = MonitoringObject.objects.filter(household=OuterRef("pk"))
    return Exists(monitored) | Q(attribute__in=sorted(attributes))


def sampling_frame(area: Area) -> list[VillageFrame]:
    """Every village of the area with its active households, by stratum."""
    province = area.code[:2]
    rows = (
        Household.objects.filter(code_range_q(area, "village_id"), is_active=True)
        .annotate(registered=registered_q(province))
        .values_list("pk", "village_id", "registered")
        .order_by("village_id", "pk")
    )
    strata: dict[str, dict[str, list[int]]] = {}
    for pk, village, registered in rows:
        strata.setdefault(village, {Stratum.REGISTERED: [], Stratum.UNREGISTERED: []})[
            Stratum.REGISTERED if registered else Stratum.UNREGISTERED
        ].append(pk)
    townships = dict(
        Area.objects.filter(code__in=list(strata), level=AreaLevel.VILLAGE).values_list("code", "parent_id")
    )
    return [VillageFrame(code, townships.get(code, ""), groups) for code, groups in sorted(strata.items())]


def plan_draw(*, user: User, plan: SamplingPlan) -> SamplingPlan:
    """Draw the sample once, from the register as it is now; it is then frozen."""
    _require_planner(user, plan.area)
    with transaction.atomic():
        locked = SamplingPlan.objects.select_for_update().get(pk=plan.pk)
        if locked.state != PlanState.DRAFT:
            raise ValidationError(
                _("This plan's sample has been drawn; it is frozen and cannot be drawn again.")
            )
        frame = sampling_frame(locked.area)
        drawn = draw_two_stage(
            frame,
            villages_wanted=locked.villages_wanted,
            per_village={
                Stratum.REGISTERED: locked.registered_per_village,
                Stratum.UNREGISTERED: locked.unregistered_per_village,
            },
            method=locked.method,
            seed=locked.seed,
        )
        if not drawn:
            raise ValidationError(_("The area has no households to draw."))
        probabilities = {(h.village): h.village_probability for h in drawn}
        sizes = {v.code: v.size for v in frame}
        SampledVillage.objects.bulk_create(
            SampledVillage(plan=locked, village_id=code, probability=p, households=sizes[code])
            for code, p in sorted(probabilities.items())
        )
        EvaluationSample.objects.bulk_create(
            EvaluationSample(
                plan=locked,
                household_id=h.household,
                village_id=h.village,
                stratum=h.stratum,
                village_probability=h.village_probability,
                household_probability=h.household_probability,
                weight=h.weight,
            )
            for h in drawn
        )
        locked.state, locked.drawn_by, locked.drawn_at = PlanState.DRAWN, user, timezone.now()
        locked.frame_villages, locked.frame_households = len(frame), sum(v.size for v in frame)
        locked.save()
    return locked


def plan_assign(*, user: User, plan: SamplingPlan, evaluator: User, villages: list[str]) -> int:
    """Give the sampled households of some villages to an evaluator (their only view of the register)."""
    _require_planner(user, plan.area)
    if evaluator.role != Role.EVALUATOR or not evaluator.is_active:
        raise ValidationError(_("Sampled households are assigned to third-party evaluators."))
    with transaction.atomic():
        return EvaluationSample.objects.filter(plan=plan, village_id__in=villages).update(evaluator=evaluator)


def questionnaire_save(
    *, user: User, sampled: EvaluationSample, interviewed_on: datetime.date, **answers: Any
) -> Questionnaire:
    """The evaluator of a sampled household records the interview; income is recomputed the
    register's way (registry.income) from the components given."""
    if user.role != Role.EVALUATOR or sampled.evaluator_id != user.pk:
        raise PermissionDenied(
            _("Only the evaluator the household is assigned to records its questionnaire.")
        )
    if interviewed_on > timezone.localdate():
        raise ValidationError({"interviewed_on": [_("The date cannot be in the future.")]})
    amounts = {
        "wage_income": answers.get("wage_income") or Decimal("0"),
        "business_income": answers.get("business_income") or Decimal("0"),
        "property_income": answers.get("property_income") or Decimal("0"),
        "other_transfer_income": answers.get("transfer_income") or Decimal("0"),
        "production_costs": answers.get("production_costs") or Decimal("0"),
    }
    residents = int(answers.get("resident_members") or 0)
    if residents < 1:
        raise ValidationError({"resident_members": [_("At least one resident member.")]})
    figures = income_record_values(amounts, residents)
    with transaction.atomic():
        questionnaire = Questionnaire.objects.filter(sampled=sampled).first() or Questionnaire(
            sampled=sampled
        )
        for name, value in answers.items():
            setattr(questionnaire, name, value)
        questionnaire.interviewed_on = interviewed_on
        questionnaire.per_capita_net_income = figures["per_capita_net_income"]
        questionnaire.entered_by = user
        questionnaire.full_clean(exclude=["sampled", "entered_by", "case", "finding"])
        questionnaire.save()
        _enter_in_ledger(questionnaire, user)
    return questionnaire


# A verdict other than "correct" is a problem of identification or exit, rectified by the village.
VERDICT_PROBLEMS = {
    Verdict.WRONGLY_EXITED: "04",
    Verdict.MISSED: "03",
    Verdict.WRONGLY_IDENTIFIED: "03",
}


def _enter_in_ledger(questionnaire: Questionnaire, user: User) -> None:
    """Once per questionnaire: the evaluation's finding enters the rectification ledger, issued
    by the evaluated area, against the household's village."""
    from jingzhun.oversight.choices import FindingSource
    from jingzhun.oversight.rectification import finding_raise

    problem = VERDICT_PROBLEMS.get(Verdict(questionnaire.verdict))
    if problem is None or questionnaire.finding_id is not None:
        return
    sampled = questionnaire.sampled
    questionnaire.finding = finding_raise(
        user=None,
        area=sampled.village,
        issuing_area=sampled.plan.area,
        raised_by_user=user,
        source=FindingSource.EVALUATION,
        problem_type=problem,
        description=f"{Verdict(questionnaire.verdict).label}：{questionnaire.note}".rstrip("："),
        household=sampled.household,
        delegate_sign_off=True,
    )
    questionnaire.save(update_fields=["finding"])


def oversight_seed() -> dict[str, Any]:
    import json
    from importlib import resources

    return json.loads(
        resources.files("jingzhun.oversight").joinpath("data/oversight.json").read_text("utf-8")
    )


def load_oversight_data(**models: Any) -> None:
    """Upsert the problem types, the evaluation's sizes and criteria and the rectification
    deadlines (a data migration passes its historical models)."""
    from jingzhun.codelists.services import load_seed

    load_seed(oversight_seed(), **models)


LEAD_VERDICTS = frozenset({Verdict.MISSED, Verdict.WRONGLY_EXITED})


def case_from_evaluation(*, user: User, questionnaire: Questionnaire) -> Case:
    """The village opens an identification case for a household the evaluation found missed or
    wrongly exited; the finding goes into the case's evidence."""
    if questionnaire.verdict not in LEAD_VERDICTS:
        raise ValidationError(_("Only a missed or wrongly exited household leads to a case."))
    with transaction.atomic():
        locked = (
            Questionnaire.objects.select_for_update().select_related("sampled__plan").get(pk=questionnaire.pk)
        )
        if locked.case_id is not None:
            raise ValidationError(_("A case has already been opened from this finding."))
        plan = locked.sampled.plan
        verdict = Verdict(locked.verdict).label
        case = identification_open(
            user=user,
            household=locked.sampled.household,
            lead=_("Third-party evaluation “%(plan)s”: %(verdict)s. %(note)s")
            % {"plan": plan.name, "verdict": verdict, "note": locked.note},
            evidence={
                "evaluation": plan.pk,
                "evaluation_name": plan.name,
                "verdict": locked.verdict,
                "interviewed_on": locked.interviewed_on.isoformat(),
                "per_capita_net_income": str(locked.per_capita_net_income),
                "note": locked.note,
            },
        )
        locked.case = case
        locked.save(update_fields=["case"])
    return case
