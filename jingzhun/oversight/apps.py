from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "jingzhun.oversight"
    verbose_name = _("Oversight")

    def ready(self) -> None:
        from jingzhun.funds.signals import fund_finding_confirmed

        fund_finding_confirmed.connect(_enter_fund_finding, dispatch_uid="oversight-fund-finding")


def _enter_fund_finding(sender: object, *, finding: Any, user: Any, **kwargs: object) -> None:
    """A confirmed fund finding enters the rectification ledger, issued by the confirming area."""
    from jingzhun.oversight.choices import FindingSource, Severity
    from jingzhun.oversight.rectification import finding_raise

    finding_raise(
        user=None,
        area=finding.area,
        issuing_area=user.area,
        source=FindingSource.FUND_MONITORING,
        problem_type="06",
        severity=Severity.HIGH if finding.rule_id == "PAYEE_NOT_BENEFICIARY" else Severity.MEDIUM,
        description=f"{finding.rule.name}: {finding.message}",
        raised_by_user=user,
        project=finding.project,
        household=finding.household,
    )
