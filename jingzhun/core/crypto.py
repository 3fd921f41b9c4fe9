"""Sensitive values encrypted in the database (ID numbers, phones, bank accounts).

A field declared ``EncryptedCharField`` is stored as ``enc1:<key id>:<base64 of
nonce + authenticated ciphertext>``, the column's name bound into the ciphertext
(a value copied into another column does not decrypt). The application reads and
writes plain text through the ORM and the bulk writers; the database, its dumps
and anyone reading the file see ciphertext.

Keys come from JINGZHUN_FIELD_KEYS, ``id:base64-32-bytes`` (AES-256-GCM) or
``id:sm4:base64-16-bytes`` (SM4-GCM, the national algorithm) separated by commas,
the first one encrypting; the others still decrypt, so a new key is put first,
``jingzhun rotate-field-keys`` re-encrypts every row in batches while the
application runs, and the old key is then removed. Without the variable a key
is derived from the secret key (id ``s0``), so a laptop demo needs nothing more;
a deployment sets its own, kept apart from the secret key.

A stored value without the ``enc1:`` prefix is read as it is: rows written before
the column was encrypted are readable until the migration or the rotation
command has encrypted them. Encrypted values cannot be searched or compared in
SQL (each encryption differs): a lookup on an encrypted column other than
"empty" or "null" is refused, so that ``filter(phone=...)`` fails loudly instead
of matching nothing. A column that must be found by value (the ID number: exact
search, the uniqueness constraint, matching department records) has a blind
index beside it: ``BlindIndexField``, a keyed hash (HMAC-SHA-256) of the value
written with it, so equal values have equal digests and nothing else is learnt
(the index of the last four characters tells which numbers share them). Its key
is JINGZHUN_INDEX_KEY (base64, 32 bytes; ``sm3:base64`` for HMAC-SM3), by default
derived from the secret key; it is the same for every column of one ``purpose``,
so that tables can be joined by it. A changed index key needs ``jingzhun
rotate-field-keys --reindex``, which recomputes every digest (exact search misses
rows until it is done).
"""

from __future__ import annotations

import base64
import functools
import os
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import models
from django.utils.module_loading import import_string

PREFIX = "enc1:"
_NONCE = 12


class DecryptionError(RuntimeError):
    pass


class _Cipher:
    """An authenticated cipher with 12-byte nonces: AES-256-GCM, or SM4-GCM (GB/T 32907)
    for installations that must use the national algorithms. Both come from
    ``cryptography`` (OpenSSL), in C: no second library, and SM4 as fast as AES
    without hardware support."""

    def __init__(self, algorithm: str, key: bytes) -> None:
        self.algorithm, self.key = algorithm, key
        self._aead: Any = None

    def _aes(self) -> Any:
        if self._aead is None:  # made once: its key schedule is a third of a short value's cost
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            self._aead = AESGCM(self.key)
        return self._aead

    def seal(self, nonce: bytes, data: bytes, label: bytes) -> bytes:
        if self.algorithm == "aes":
            return self._aes().encrypt(nonce, data, label)
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        encryptor = Cipher(algorithms.SM4(self.key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(label)
        return encryptor.update(data) + encryptor.finalize() + encryptor.tag

    def open(self, nonce: bytes, sealed: bytes, label: bytes) -> bytes:
        if self.algorithm == "aes":
            return self._aes().decrypt(nonce, sealed, label)
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        decryptor = Cipher(algorithms.SM4(self.key), modes.GCM(nonce, sealed[-16:])).decryptor()
        decryptor.authenticate_additional_data(label)
        return decryptor.update(sealed[:-16]) + decryptor.finalize()


_KEY_BYTES = {"aes": 32, "sm4": 16}


@functools.cache
def _keys(configured: str, secret: str) -> tuple[str, dict[str, _Cipher]]:
    """(current key id, every key's cipher by id), parsed once per configuration. A key is
    ``id:base64`` (AES-256, 32 bytes) or ``id:sm4:base64`` (SM4, 16 bytes)."""
    keys: dict[str, _Cipher] = {}
    current = ""
    for item in (part.strip() for part in configured.split(",") if part.strip()):
        key_id, _, encoded = item.partition(":")
        algorithm = "aes"
        if encoded.startswith("sm4:"):
            algorithm, encoded = "sm4", encoded[len("sm4:") :]
        try:
            key = base64.b64decode(encoded, validate=True)
        except ValueError:
            raise ImproperlyConfigured(f"JINGZHUN_FIELD_KEYS: key {key_id!r} is not base64") from None
        if not key_id.isalnum() or len(key) != _KEY_BYTES[algorithm]:
            raise ImproperlyConfigured(
                f"JINGZHUN_FIELD_KEYS: key {key_id!r} must be {_KEY_BYTES[algorithm]} bytes "
                f"({algorithm.upper()}), its id letters and digits"
            )
        keys[key_id] = _Cipher(algorithm, key)
        current = current or key_id
    if not keys:
        keys, current = {"s0": _Cipher("aes", _derive_from_secret(secret, b"jingzhun field key"))}, "s0"
    return current, keys


def _derive_from_secret(secret: str, purpose: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret.encode())


def current_keys() -> tuple[str, dict[str, _Cipher]]:
    return _keys(settings.FIELD_ENCRYPTION_KEYS, settings.SECRET_KEY)


@functools.cache
def _index_key(configured: str, secret: str) -> tuple[str, bytes]:
    """(hash, key) of the blind indexes: ``base64`` (HMAC-SHA-256) or ``sm3:base64`` (HMAC-SM3)."""
    if not configured:
        return "sha256", _derive_from_secret(secret, b"jingzhun index key")
    algorithm = "sha256"
    if configured.startswith("sm3:"):
        algorithm, configured = "sm3", configured[len("sm3:") :]
    try:
        key = base64.b64decode(configured, validate=True)
    except ValueError:
        raise ImproperlyConfigured("JINGZHUN_INDEX_KEY is not base64") from None
    if len(key) != 32:
        raise ImproperlyConfigured("JINGZHUN_INDEX_KEY must be 32 bytes")
    return algorithm, key


def digester(purpose: str, tail: int | None = None) -> Callable[[Any], str]:
    """A function giving the keyed digest of a value (of its last ``tail`` characters)
    that a ``BlindIndexField`` of ``purpose`` holds; "" for an empty value. The key is
    looked up once: a bulk writer makes one per column."""
    mac = _keyed_hash(settings.FIELD_INDEX_KEY, settings.SECRET_KEY)

    def digest(value: Any) -> str:
        text = str(value or "")
        if tail is not None:
            text = text[-tail:] if len(text) >= tail else ""
        if not text:
            return ""
        keyed = mac.copy()  # keyed once, copied per value
        keyed.update(f"{purpose}\0{text}".encode())
        return base64.urlsafe_b64encode(keyed.finalize()[:24]).decode()

    return digest


def blind_index(value: str, *, purpose: str) -> str:
    """What a lookup by value compares with: the digest a ``BlindIndexField`` of
    ``purpose`` holds for ``value``."""
    return digester(purpose)(value)


@functools.cache
def _keyed_hash(configured: str, secret: str) -> Any:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives import hmac as keyed

    algorithm, key = _index_key(configured, secret)
    return keyed.HMAC(key, hashes.SM3() if algorithm == "sm3" else hashes.SHA256())


def encrypter(label: str) -> Callable[[Any], Any]:
    """A function encrypting values for the column ``label`` under the current key (None,
    "" and values already encrypted pass through). The key is looked up once: a bulk
    writer makes one per column and calls it for every row."""
    key_id, keys = current_keys()
    cipher, prefix, bound = keys[key_id], f"{PREFIX}{key_id}:", label.encode()

    def seal(value: Any) -> Any:
        if value is None or value == "":
            return value
        text = str(value)
        if text.startswith(PREFIX):
            return text
        nonce = os.urandom(_NONCE)
        return prefix + base64.b64encode(nonce + cipher.seal(nonce, text.encode(), bound)).decode()

    return seal


def encrypt(text: str, *, label: str) -> str:
    return str(encrypter(label)(text))


def decrypt(stored: str, *, label: str) -> str:
    if not stored.startswith(PREFIX):
        return stored  # written before the column was encrypted
    from cryptography.exceptions import InvalidTag

    key_id, _, encoded = stored[len(PREFIX) :].partition(":")
    cipher = current_keys()[1].get(key_id)
    if cipher is None:
        raise DecryptionError(f"{label}: key {key_id!r} is not configured (JINGZHUN_FIELD_KEYS)")
    raw = base64.b64decode(encoded)
    try:
        return cipher.open(raw[:_NONCE], raw[_NONCE:], label.encode()).decode()
    except InvalidTag:
        raise DecryptionError(f"{label}: a stored value was changed or belongs to another column") from None


def key_id_of(stored: str) -> str | None:
    return stored[len(PREFIX) :].partition(":")[0] if stored.startswith(PREFIX) else None


# Lookups that work on ciphertext: whether there is a value, and the stored text's
# start (the key id, which the rotation command selects by).
_CIPHERTEXT_LOOKUPS = frozenset({"isnull", "startswith"})


class EncryptedCharField(models.CharField):
    """A CharField whose values are encrypted in the database. ``max_length`` limits the
    plain text; the column is text, wide enough for the ciphertext."""

    def __init__(self, *args: Any, blind_index: str | None = None, **kwargs: Any):
        self.blind_index = blind_index  # the BlindIndexField that an exact lookup compares instead
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.blind_index:
            kwargs["blind_index"] = self.blind_index
        return name, path, args, kwargs

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name in _CIPHERTEXT_LOOKUPS:
            return super().get_lookup(lookup_name)
        if lookup_name in ("exact", "in") and self.blind_index:
            return _ExactByIndex if lookup_name == "exact" else _InByIndex
        if lookup_name == "exact":
            return _EmptyOnlyExact
        raise TypeError(
            f"{self.label} is encrypted: it cannot be compared in the database ({lookup_name!r}); "
            "look it up through its blind index"
        )

    def contribute_to_class(self, cls: Any, name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        self.label = f"{cls._meta.db_table}.{self.column}"

    def db_type(self, connection: Any) -> str | None:
        return models.TextField().db_type(connection)

    def get_prep_value(self, value: Any) -> Any:
        return encrypter(self.label)(super().get_prep_value(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt(value, label=self.label)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if isinstance(value, str) and value.startswith(PREFIX):
            return decrypt(value, label=self.label)
        return value


class _EmptyOnlyExact(models.lookups.Exact):
    """``field=""``: the one value an encrypted column can be compared with."""

    def __init__(self, lhs: Any, rhs: Any) -> None:
        if rhs not in ("", None):
            raise TypeError(
                f"{lhs.target.label} is encrypted: it cannot be compared in the database; "
                "look it up through its blind index"
            )
        super().__init__(lhs, rhs)


class _ByIndex:
    """A lookup on an encrypted column that has a blind index: the index is compared with
    the values' digests (computed here, so the value is not encrypted first), and an
    expression (another column) is refused: ciphertexts cannot be compared."""

    prepare_rhs = False
    lhs: Any

    def __init__(self, lhs: Any, rhs: Any) -> None:
        if hasattr(rhs, "resolve_expression"):
            raise TypeError(
                f"{lhs.target.label} is encrypted: compare its blind index {lhs.target.blind_index} instead"
            )
        super().__init__(lhs, rhs)  # type: ignore[call-arg]

    def _index(self, compiler: Any) -> tuple[Any, str, list[Any]]:
        index = self.lhs.target.model._meta.get_field(self.lhs.target.blind_index)
        column, params = compiler.compile(index.get_col(self.lhs.alias))
        return index, column, list(params)


class _ExactByIndex(_ByIndex, models.lookups.Exact):
    """``id_number=value``: reads as on a plain column."""

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        index, column, params = self._index(compiler)
        return f"{column} = %s", [*params, index.derive(self.rhs)]


class _InByIndex(_ByIndex, models.lookups.In):
    def as_sql(self, compiler: Any, connection: Any) -> Any:
        index, column, params = self._index(compiler)
        digests = sorted({index.derive(value) for value in self.rhs})
        if not digests:
            raise EmptyResultSet
        return f"{column} IN ({', '.join(['%s'] * len(digests))})", [*params, *digests]


class DerivedField:
    """A column computed from another field of the same record whenever it is written
    (save, and the bulk writers in ``core.bulk``), never set by hand: a blind index,
    or a fact about an encrypted value that SQL can no longer compute."""

    source: str
    # Each derived field gives ``deriver()``: the function from the source's value to this
    # column's, what it needs (a key) looked up once, so that a bulk writer makes one per
    # column and calls it per row. (Not an abstract base class: Django copies fields by
    # swapping an instance's class, which an ABC's layout refuses.)
    deriver: Callable[[], Callable[[Any], Any]]

    def derive(self, value: Any) -> Any:
        return self.deriver()(value)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = self.derive(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)  # type: ignore[attr-defined]
        return value


class BlindIndexField(DerivedField, models.CharField):
    """The keyed digest of ``source`` (or of its last ``tail`` characters, for search by
    the end of a number), for lookups by value: ``filter(x_index=blind_index(v, purpose=p))``."""

    def __init__(self, *args: Any, source: str, purpose: str, tail: int | None = None, **kwargs: Any):
        self.source, self.purpose, self.tail = source, purpose, tail
        kwargs.setdefault("max_length", 32)
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        kwargs.update(source=self.source, purpose=self.purpose)
        if self.tail is not None:
            kwargs["tail"] = self.tail
        return name, path, args, kwargs

    def deriver(self) -> Callable[[Any], str]:
        return digester(self.purpose, self.tail)


class DerivedBooleanField(DerivedField, models.BooleanField):
    """``function(source value)``, a dotted path to a plain function of one value."""

    def __init__(self, *args: Any, source: str, function: str, **kwargs: Any):
        self.source, self.function = source, function
        kwargs["editable"] = False
        kwargs.setdefault("default", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        kwargs.update(source=self.source, function=self.function)
        return name, path, args, kwargs

    def deriver(self) -> Callable[[Any], bool]:
        function = _function(self.function)
        return lambda value: bool(function(value))


@functools.cache
def _function(path: str) -> Any:
    return import_string(path)


def derived_fields(model: type[models.Model]) -> list[Any]:
    return [field for field in model._meta.concrete_fields if isinstance(field, DerivedField)]


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedCharField]]:
    from django.apps import apps

    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedCharField)
    ]


@functools.cache
def _encrypted_labels(model: type[models.Model]) -> dict[str, str]:
    return {
        field.attname: field.label
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedCharField)
    }


def sealed_for_audit(model: type[models.Model], changes: dict[str, Any]) -> dict[str, Any]:
    """An audit entry's ``field: [old, new]`` with the encrypted fields' values encrypted
    too: the history may say that a phone changed, never what it was."""
    labels = _encrypted_labels(model)
    if not labels or not any(name in changes for name in labels):
        return changes
    sealed = dict(changes)
    for name, label in labels.items():
        values = sealed.get(name)
        if isinstance(values, list):
            sealed[name] = [encrypt(str(v), label=label) if v not in (None, "") else v for v in values]
    return sealed
