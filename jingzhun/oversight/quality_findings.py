"""Findings from the data-quality catalogue: a recorded run counts, per village, the
households each error-level rule finds, and enters every (village, rule) at or above the
configured count in the rectification ledger — once: while that finding is open, the next
run raises no second one (a partial unique constraint holds it in the database too).

The finding names the rule and the count, never a household or a person; the village
opens the quality page to see which. It is issued by the level that ran the catalogue and
signed off by the township above the village, and only once the catalogue no longer finds
the error there (the data is corrected, not merely described as corrected).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.models import User
from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.models import Area
from jingzhun.codelists.selectors import parameter_value
from jingzhun.core.runs import Progress, run_begin, run_failed, run_succeed, runs_record_failure
from jingzhun.oversight.choices import OPEN_RECTIFICATION_STATES, FindingSource, Severity
from jingzhun.oversight.models import Finding, QualityFindingRun
from jingzhun.oversight.rectification import QUALITY_KEY_PREFIX, RAISERS, finding_raise
from jingzhun.quality.choices import Severity as QualitySeverity
from jingzhun.quality.registry import RULES
from jingzhun.quality.selectors import issue_counts_by_village

DATA_WRONG = "05"  # problem type: data wrong


def source_key(rule_code: str) -> str:
    return f"{QUALITY_KEY_PREFIX}{rule_code}"


def quality_findings_run(
    *, area: Area, user: User | None = None, progress: Progress | None = None
) -> QualityFindingRun:
    """Run the catalogue over ``area`` and raise the findings it calls for (``user`` None:
    the command line)."""
    if user is not None and (
        user.role not in RAISERS or user.area is None or not user.area.contains(area.code)
    ):
        raise PermissionDenied(_("Findings are raised by an inspecting level over the areas below it."))
    runs_record_failure(
        QualityFindingRun.objects.filter(area=area),
        _("Interrupted or superseded before it finished; no findings were written."),
    )
    run = QualityFindingRun.objects.create(area=area, started_by=user)
    run_begin(run, _("Checking the data-quality catalogue"))
    try:
        province = area.code[:2]
        minimum = int(
            parameter_value(
                "quality_finding_min_households", year=timezone.localdate().year, province=province
            )
        )
        counts = issue_counts_by_village(area=area, severity=QualitySeverity.ERROR)
        if progress:
            progress(60, _("Entering the findings"))
        due = {key: n for key, n in counts.items() if n >= max(minimum, 1)}
        villages = {
            a.code: a for a in Area.objects.filter(code__in={v for v, _r in due}, level=AreaLevel.VILLAGE)
        }
        open_keys = set(
            Finding.objects.filter(
                area_id__in=list(villages),
                source=FindingSource.DATA_QUALITY,
                state__in=sorted(OPEN_RECTIFICATION_STATES),
            ).values_list("area_id", "source_key")
        )
        raised = still_open = 0
        with transaction.atomic():
            for (village_code, rule_code), households in sorted(due.items()):
                village = villages.get(village_code)
                if village is None:
                    continue
                if (village_code, source_key(rule_code)) in open_keys:
                    still_open += 1
                    continue
                finding_raise(
                    user=None,
                    area=village,
                    issuing_area=area if area.level != AreaLevel.VILLAGE else village.parent,
                    raised_by_user=user,
                    source=FindingSource.DATA_QUALITY,
                    source_key=source_key(rule_code),
                    problem_type=DATA_WRONG,
                    severity=Severity.MEDIUM,
                    delegate_sign_off=True,
                    description=_(
                        "Data-quality catalogue, rule %(rule)s (%(message)s): %(count)s households"
                        " of the village. See the data-quality page for which."
                    )
                    % {"rule": rule_code, "message": RULES[rule_code].message, "count": households},
                )
                raised += 1
            run_succeed(run, villages=len({v for v, _r in due}), raised=raised, still_open=still_open)
    except Exception as error:
        run_failed(run, error)
        raise
    run.refresh_from_db()
    return run
