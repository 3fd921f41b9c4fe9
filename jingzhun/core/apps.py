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
    """The field encryption and index keys parse (a bad key would stop the first read of
    an ID number)."""
    from django.core.exceptions import ImproperlyConfigured

    from jingzhun.core.crypto import blind_index, current_keys

    try:
        current_keys()
        blind_index("check", purpose="check")
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="jingzhun.E001")]
    return []


def field_keys_deploy_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from django.conf import settings

    messages: list[checks.CheckMessage] = []
    if not settings.FIELD_ENCRYPTION_KEYS:
        messages.append(
            checks.Warning(
                "JINGZHUN_FIELD_KEYS is not set: ID numbers, phones and bank accounts are encrypted "
                "with a key derived from the secret key.",
                hint="Set JINGZHUN_FIELD_KEYS (docs/deployment.md) and run jingzhun rotate-field-keys.",
                id="jingzhun.W001",
            )
        )
    if not settings.FIELD_INDEX_KEY:
        messages.append(
            checks.Warning(
                "JINGZHUN_INDEX_KEY is not set: the ID numbers' blind indexes are keyed by a key "
                "derived from the secret key.",
                hint="Set JINGZHUN_INDEX_KEY (docs/deployment.md); then rotate-field-keys --reindex.",
                id="jingzhun.W002",
            )
        )
    return messages
