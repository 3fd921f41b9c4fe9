from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jingzhun.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        checks.register(field_keys_check, checks.Tags.security)
        checks.register(field_keys_deploy_check, checks.Tags.security, deploy=True)


def field_keys_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The field encryption keys parse (a bad key would stop the first read of a phone)."""
    from django.core.exceptions import ImproperlyConfigured

    from jingzhun.core.crypto import current_keys

    try:
        current_keys()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="jingzhun.E001")]
    return []


def field_keys_deploy_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from django.conf import settings

    if settings.FIELD_ENCRYPTION_KEYS:
        return []
    return [
        checks.Warning(
            "JINGZHUN_FIELD_KEYS is not set: phones and bank accounts are encrypted with a key "
            "derived from the secret key.",
            hint="Set JINGZHUN_FIELD_KEYS (docs/deployment.md) and run jingzhun rotate-field-keys.",
            id="jingzhun.W001",
        )
    ]
