from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "jingzhun.dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from jingzhun.core.signals import counted_data_changed

        counted_data_changed.connect(_refresh_figures, dispatch_uid="dashboards-refresh-after-changes")


def _refresh_figures(sender: object, *, area: object, reason: str, **kwargs: object) -> None:
    from jingzhun.dashboards.services import figures_refresh_after

    figures_refresh_after(area=area, trigger=reason)  # type: ignore[arg-type]
