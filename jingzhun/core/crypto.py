"""Sensitive values encrypted in the database (phones, bank accounts).

A field declared ``EncryptedCharField`` is stored as ``enc1:<key id>:<base64 of
nonce + AES-256-GCM ciphertext>``, the column's name bound into the ciphertext
(a value copied into another column does not decrypt). The application reads and
writes plain text through the ORM and the bulk writers; the database, its dumps
and anyone reading the file see ciphertext.

Keys come from JINGZHUN_FIELD_KEYS, ``id:base64-32-bytes`` separated by commas,
the first one encrypting; the others still decrypt, so a new key is put first,
``jingzhun rotate-field-keys`` re-encrypts every row in batches while the
application runs, and the old key is then removed. Without the variable a key
is derived from the secret key (id ``s0``), so a laptop demo needs nothing more;
a deployment sets its own, kept apart from the secret key.

A stored value without the ``enc1:`` prefix is read as it is: rows written before
the column was encrypted are readable until the migration or the rotation
command has encrypted them. Encrypted values cannot be searched or compared in
SQL (each encryption differs); these columns are only ever read and shown.
"""

from __future__ import annotations

import base64
import functools
import os
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "enc1:"
_NONCE = 12


class DecryptionError(RuntimeError):
    pass


@functools.cache
def _keys(configured: str, secret: str) -> tuple[str, dict[str, bytes]]:
    """(current key id, every key by id), parsed once per configuration."""
    keys: dict[str, bytes] = {}
    current = ""
    for item in (part.strip() for part in configured.split(",") if part.strip()):
        key_id, _, encoded = item.partition(":")
        try:
            key = base64.b64decode(encoded, validate=True)
        except ValueError:
            raise ImproperlyConfigured(f"JINGZHUN_FIELD_KEYS: key {key_id!r} is not base64") from None
        if not key_id.isalnum() or len(key) != 32:
            raise ImproperlyConfigured(
                f"JINGZHUN_FIELD_KEYS: key {key_id!r} must be 32 bytes, its id letters and digits"
            )
        keys[key_id] = key
        current = current or key_id
    if not keys:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"jingzhun field key").derive(
            secret.encode()
        )
        keys, current = {"s0": derived}, "s0"
    return current, keys


def current_keys() -> tuple[str, dict[str, bytes]]:
    return _keys(settings.FIELD_ENCRYPTION_KEYS, settings.SECRET_KEY)


def encrypt(text: str, *, label: str) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key_id, keys = current_keys()
    nonce = os.urandom(_NONCE)
    sealed = AESGCM(keys[key_id]).encrypt(nonce, text.encode(), label.encode())
    return f"{PREFIX}{key_id}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(stored: str, *, label: str) -> str:
    if not stored.startswith(PREFIX):
        return stored  # written before the column was encrypted
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key_id, _, encoded = stored[len(PREFIX) :].partition(":")
    key = current_keys()[1].get(key_id)
    if key is None:
        raise DecryptionError(f"{label}: key {key_id!r} is not configured (JINGZHUN_FIELD_KEYS)")
    raw = base64.b64decode(encoded)
    try:
        return AESGCM(key).decrypt(raw[:_NONCE], raw[_NONCE:], label.encode()).decode()
    except InvalidTag:
        raise DecryptionError(f"{label}: a stored value was changed or belongs to another column") from None


def key_id_of(stored: str) -> str | None:
    return stored[len(PREFIX) :].partition(":")[0] if stored.startswith(PREFIX) else None


class EncryptedCharField(models.CharField):
    """A CharField whose values are encrypted in the database. ``max_length`` limits the
    plain text; the column is text, wide enough for the ciphertext."""

    def contribute_to_class(self, cls: Any, name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        self.label = f"{cls._meta.db_table}.{self.column}"

    def db_type(self, connection: Any) -> str | None:
        return models.TextField().db_type(connection)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "" or str(value).startswith(PREFIX):
            return value
        return encrypt(str(value), label=self.label)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt(value, label=self.label)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if isinstance(value, str) and value.startswith(PREFIX):
            return decrypt(value, label=self.label)
        return value


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedCharField]]:
    from django.apps import apps

    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedCharField)
    ]


def sealed_for_audit(model: type[models.Model], changes: dict[str, Any]) -> dict[str, Any]:
    """An audit entry's ``field: [old, new]`` with the encrypted fields' values encrypted
    too: the history may say that a phone changed, never what it was."""
    labels = {
        field.attname: field.label
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedCharField)
    }
    if not labels:
        return changes
    sealed = dict(changes)
    for name, label in labels.items():
        values = sealed.get(name)
        if isinstance(values, list):
            sealed[name] = [encrypt(str(v), label=label) if v not in (None, "") else v for v in values]
    return sealed
