"""Personal API tokens: created and revoked by their user or by an administrator."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.choices import Role
from jingzhun.accounts.models import User
from jingzhun.api.models import ApiToken

TOKEN_PREFIX = "jz_"
# A token's last use is written at most this often: every request would be a write.
_LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _may_manage(actor: User, owner: User) -> bool:
    return actor.pk == owner.pk or actor.role == Role.SYSTEM_ADMIN


def token_create(*, actor: User, owner: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``owner``; returns it with the key, which is not stored."""
    if not _may_manage(actor, owner):
        raise PermissionDenied(_("Only the user or an administrator may create a token."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("Give the token a name (what it is for).")]})
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=owner, name=name[:100], key_sha256=_digest(key), prefix=key[:8], created_by=actor
    )
    return token, key


def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if not _may_manage(actor, token.user):
        raise PermissionDenied(_("Only the user or an administrator may revoke a token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_user(key: str) -> User | None:
    """The active user of an active token, or None."""
    token = (
        ApiToken.objects.select_related("user__area")
        .filter(key_sha256=_digest(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
