from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "jingzhun.assistance"
    verbose_name = _("Assistance")

    def ready(self) -> None:
        from jingzhun.assistance import quality_rules  # noqa: F401  (registers them in the catalogue)
