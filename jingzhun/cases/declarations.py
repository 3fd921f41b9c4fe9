"""Self-declarations (农户自主申报), the public side: the form anyone may send, rate-limited
per address and per ID number, and the household's status lookup by ID number and
phone. The village's handling (accept: a case opens; decline with the reason) is in
``services``."""

from __future__ import annotations

import datetime
import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.models import Area
from jingzhun.cases.models import Declaration, PublicRequest
from jingzhun.codelists.selectors import parameter_value
from jingzhun.registry.idnumbers import InvalidIdNumber, check_id_number, id_number_digest
from jingzhun.registry.models import Member


class RateLimited(Exception):
    pass


def public_key(value: str) -> str:
    """A keyed hash: rate limits work on it, and the stored value reveals nothing."""
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def _check_limit(kind: str, *, parameter: str, window: datetime.timedelta, **same: str) -> None:
    """Refuse when requests of ``kind`` with the same key(s) in ``window`` reached the limit."""
    since = timezone.now() - window
    if PublicRequest.objects.filter(kind=kind, at__gte=since, **same).count() >= int(
        parameter_value(parameter)
    ):
        raise RateLimited


def declaration_submit(
    *, name: str, id_number: str, phone: str, village: Area, what_happened: str, client_address: str
) -> Declaration:
    """The public form: validate, rate-limit per address and per ID number, store."""
    errors: dict[str, list[str]] = {}
    try:
        number = check_id_number(id_number).number
    except InvalidIdNumber as error:
        errors["id_number"] = [str(error)]
        number = ""
    if village.level != AreaLevel.VILLAGE or not village.is_valid:
        errors["village"] = [_("Choose your village.")]
    if not what_happened.strip():
        errors["what_happened"] = [_("Tell us what happened.")]
    if errors:
        raise ValidationError(errors)
    client, id_key = public_key(client_address), public_key(number)
    day = datetime.timedelta(days=1)
    with transaction.atomic():
        _check_limit(
            "declare", parameter="declaration_daily_limit_per_address", window=day, client_key=client
        )
        _check_limit("declare", parameter="declaration_daily_limit_per_id", window=day, id_key=id_key)
        PublicRequest.objects.create(kind="declare", client_key=client, id_key=id_key)
        member = (
            Member.objects.filter(id_number_index=id_number_digest(number))
            .select_related("household")
            .first()
        )
        return Declaration.objects.create(
            name=name.strip(),
            id_number=number,
            phone=phone.strip(),
            village=village,
            what_happened=what_happened.strip(),
            client_key=client,
            household=member.household if member else None,
        )


def declaration_lookup(*, id_number: str, phone: str, client_address: str) -> list[Declaration]:
    """Declarations matching both ID number and phone; nothing when either differs."""
    client = public_key(client_address)
    with transaction.atomic():
        _check_limit(
            "lookup",
            parameter="declaration_lookup_hourly_limit",
            window=datetime.timedelta(hours=1),
            client_key=client,
        )
        PublicRequest.objects.create(kind="lookup", client_key=client)
    try:
        number = check_id_number(id_number).number
    except InvalidIdNumber:
        return []
    # Both are encrypted: found by the ID number's digest, the phone compared once decrypted.
    found = Declaration.objects.filter(id_number_index=id_number_digest(number)).prefetch_related("cases")
    return [declaration for declaration in found if declaration.phone == phone.strip()]
