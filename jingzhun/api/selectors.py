from __future__ import annotations

from django.db.models import QuerySet

from jingzhun.accounts.choices import Role
from jingzhun.accounts.models import User
from jingzhun.api.models import ApiToken


def token_list(*, user: User) -> QuerySet[ApiToken]:
    """A user's own tokens; an administrator sees everyone's."""
    tokens = ApiToken.objects.select_related("user")
    return tokens if user.role == Role.SYSTEM_ADMIN else tokens.filter(user=user)
