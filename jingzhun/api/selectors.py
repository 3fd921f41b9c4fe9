from __future__ import annotations

from django.db.models import QuerySet

from jingzhun.accounts.choices import Role
from jingzhun.accounts.models import User
from jingzhun.api.models import ApiToken


def token_owners(*, user: User) -> QuerySet[User]:
    """The accounts ``user`` may issue tokens for: their own; an administrator, everyone's."""
    return User.objects.all() if user.role == Role.SYSTEM_ADMIN else User.objects.filter(pk=user.pk)


def token_list(*, user: User) -> QuerySet[ApiToken]:
    """A user's own tokens; an administrator sees everyone's."""
    tokens = ApiToken.objects.select_related("user")
    return tokens if user.role == Role.SYSTEM_ADMIN else tokens.filter(user=user)
