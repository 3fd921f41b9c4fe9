"""Log-in protection: lock-outs, one session per account, the second factor.

Failed log-ins are counted by django-axes per account (from any address); an
address is limited here as well. A new log-in ends the account's other sessions,
so a stolen session cookie stops working the next time its owner logs in. The
second factor is a TOTP device from django-otp, confirmed by a first code before
it counts.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from jingzhun.accounts.choices import Role
from jingzhun.accounts.models import User
from jingzhun.accounts.roles import role_needs_second_factor

DEVICE_NAME = "TOTP"


@dataclass(frozen=True)
class Lockout:
    """What is locked and until when, to tell the person truthfully."""

    account: bool
    address: bool
    until: datetime.datetime | None


def _cool_off() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)


def address_failures(ip_address: str) -> int:
    """Failed log-ins from an address within the cool-off, over every account."""
    from axes.models import AccessAttempt

    since = timezone.now() - _cool_off()
    total = AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return total or 0


def lockout_state(request: HttpRequest, *, username: str, ip_address: str) -> Lockout:
    from axes.handlers.proxy import AxesProxyHandler
    from axes.models import AccessAttempt

    # The account's lock is axes's own count; the address's is ours (axes keeps one limit).
    account = bool(username) and AxesProxyHandler.is_locked(request, {"username": username})
    attempts = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - _cool_off())
    address = address_failures(ip_address) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT
    latest = (
        (attempts.filter(username=username) if account else attempts.filter(ip_address=ip_address))
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    return Lockout(account=account, address=address, until=latest + _cool_off() if latest else None)


def session_begin(*, user: User, session_key: str) -> None:
    """One active session per account: a log-in ends the session of the one before."""
    if user.session_key and user.session_key != session_key:
        Session.objects.filter(session_key=user.session_key).delete()
    User.objects.filter(pk=user.pk).update(session_key=session_key)


def needs_second_factor(user: User) -> bool:
    """Whether this user's log-in is complete only with a code: required by the role,
    or chosen by the user (a confirmed device)."""
    if settings.TWO_FACTOR_REQUIRED and role_needs_second_factor(user.role):
        return True
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def verified(user: object) -> bool:
    """Whether this request's log-in was completed with a code (django-otp's middleware
    puts the device that verified it on the user)."""
    return getattr(user, "otp_device", None) is not None


# Whether the session's log-in needs a code, decided once per session rather than
# looked up on every request.
_NEEDS_CODE = "jingzhun_needs_second_factor"


def log_in_complete(request: HttpRequest) -> bool:
    user = request.user
    if not isinstance(user, User) or verified(user):
        return True
    if _NEEDS_CODE not in request.session:
        request.session[_NEEDS_CODE] = needs_second_factor(user)
    return not request.session[_NEEDS_CODE]


def second_factor_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def second_factor_enrolment(user: User) -> TOTPDevice:
    """The device being set up: an unconfirmed one, kept until its first code is entered."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def second_factor_confirm(*, request: HttpRequest, user: User, token: str) -> TOTPDevice:
    """Confirm the device being set up with its first code, and complete this log-in with it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is not None and not device.verify_is_allowed()[0]:
        raise ValidationError({"token": [_("Too many wrong codes; wait a moment and try again.")]})
    if device is None or not device.verify_token(token.strip()):
        raise ValidationError({"token": [_("The code is not right; enter the 6 digits the app shows now.")]})
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()  # one device per account
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    otp_login(request, device)
    return device


def second_factor_verify(*, request: HttpRequest, user: User, token: str) -> TOTPDevice:
    device = second_factor_device(user)
    if device is None:
        raise ValidationError(_("No authenticator app is set up for this account."))
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        raise ValidationError({"token": [_("Too many wrong codes; wait a moment and try again.")]})
    if not device.verify_token(token.strip()):
        raise ValidationError({"token": [_("The code is not right; enter the 6 digits the app shows now.")]})
    otp_login(request, device)
    return device


def account_reset_by_administrator(*, actor: User, user: User, new_password: str) -> None:
    """A new password set by an administrator lifts the account's lock-out, ends its
    sessions and removes its authenticator (the person may have lost the phone)."""
    if actor.role != Role.SYSTEM_ADMIN and not actor.is_superuser:
        raise PermissionDenied(_("Only an administrator may reset another account."))
    validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        account_reset_done(user=user)


def account_reset_done(*, user: User) -> None:
    """What a password set by an administrator brings with it (also after the admin site's
    password form): the lock lifted and the authenticator gone. The account's sessions
    end by themselves: Django ties each to the password it was opened with."""
    from axes.utils import reset

    TOTPDevice.objects.filter(user=user).delete()
    reset(username=user.get_username())
