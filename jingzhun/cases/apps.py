from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "jingzhun.cases"
    verbose_name = _("Procedures")

    def ready(self) -> None:
        from jingzhun.monitoring.signals import warning_confirmed

        warning_confirmed.connect(_open_identification, dispatch_uid="cases-open-from-confirmed-warning")


def _open_identification(sender: object, *, warning: Any, user: Any, **kwargs: object) -> None:
    from jingzhun.cases.services import identification_open_from_warning

    identification_open_from_warning(user=user, warning=warning)
