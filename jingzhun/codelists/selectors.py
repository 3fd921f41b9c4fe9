"""Resolving code lists and parameters for a province and year.

Code lists are read on nearly every page; they are cached per (list, year,
province) in process memory and the cache is cleared whenever a code or
parameter is written through the services or the admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

from jingzhun.codelists.models import NATIONAL, CodeItem, Parameter

_code_cache: dict[tuple[str, int, str], dict[str, ResolvedCode]] = {}
_parameter_cache: dict[tuple[str, int, str], Decimal] = {}


@dataclass(frozen=True)
class ResolvedCode:
    code: str
    label_zh: str
    label_en: str
    attributes: dict[str, Any]

    @property
    def label(self) -> str:
        return self.label_zh if (get_language() or "zh").startswith("zh") else self.label_en


class UnknownParameter(LookupError):
    pass


def clear_caches() -> None:
    _code_cache.clear()
    _parameter_cache.clear()


def _default_year(year: int | None) -> int:
    return year if year is not None else timezone.localdate().year


def code_map(key: str, *, year: int | None = None, province: str | None = None) -> dict[str, ResolvedCode]:
    """Active codes of a list for a province and year, in display order."""
    year = _default_year(year)
    province = settings.DEFAULT_PROVINCE if province is None else province
    cache_key = (key, year, province)
    if cache_key in _code_cache:
        return _code_cache[cache_key]
    items = CodeItem.objects.filter(
        code_list_id=key, province__in=[NATIONAL, province], valid_from_year__lte=year
    ).order_by("sort_order", "code", "valid_from_year")
    chosen: dict[str, CodeItem] = {}
    for item in items:
        if item.valid_to_year is not None and item.valid_to_year < year:
            continue
        current = chosen.get(item.code)
        # A province entry beats a national one; a later version beats an earlier one.
        if current is None or (item.province, item.valid_from_year) >= (
            current.province,
            current.valid_from_year,
        ):
            chosen[item.code] = item
    resolved = {
        code: ResolvedCode(code, item.label_zh, item.label_en, item.attributes)
        for code, item in sorted(chosen.items(), key=lambda pair: (pair[1].sort_order, pair[0]))
        if item.is_active
    }
    _code_cache[cache_key] = resolved
    return resolved


def code_choices(key: str, *, year: int | None = None, province: str | None = None) -> list[tuple[str, str]]:
    return [(code, item.label) for code, item in code_map(key, year=year, province=province).items()]


def code_label(key: str, code: str, *, year: int | None = None, province: str | None = None) -> str:
    if not code:
        return ""
    item = code_map(key, year=year, province=province).get(code)
    return item.label if item else code


def codes_with(key: str, attribute: str, *, year: int | None = None, province: str | None = None) -> set[str]:
    """Codes whose attributes set ``attribute`` to a true value (e.g. development-type measures)."""
    return {
        code
        for code, item in code_map(key, year=year, province=province).items()
        if item.attributes.get(attribute)
    }


def parameter_value(key: str, *, year: int | None = None, province: str | None = None) -> Decimal:
    year = _default_year(year)
    province = settings.DEFAULT_PROVINCE if province is None else province
    cache_key = (key, year, province)
    if cache_key in _parameter_cache:
        return _parameter_cache[cache_key]
    for scope in (province, NATIONAL):
        entry = Parameter.objects.filter(key=key, province=scope, year__lte=year).order_by("-year").first()
        if entry is not None:
            _parameter_cache[cache_key] = entry.value
            return entry.value
    raise UnknownParameter(f"no value of parameter {key!r} for province {province!r} in {year}")


def reference_digest() -> str:
    """A digest of every code-list item and parameter (all provinces and years): a batch job
    that keeps what it computed from them can tell whether they changed since."""
    import hashlib
    import json

    items = CodeItem.objects.order_by("pk").values_list(
        "code_list_id", "code", "province", "valid_from_year", "valid_to_year", "is_active", "attributes"
    )
    parameters = Parameter.objects.order_by("pk").values_list("key", "province", "year", "value")
    content = json.dumps([list(items), list(parameters)], default=str, sort_keys=True)
    return hashlib.sha256(content.encode()).hexdigest()


def basis_digest(terms: Any, **content: Any) -> str:
    """A digest of what a batch job's results depend on besides the records and the day:
    ``terms`` (a dataclass of thresholds and code sets, its days left out at any depth), the
    other ``content``, and every code list's items and parameters (reference_digest). A job
    continues earlier results only on the same basis."""
    import dataclasses
    import hashlib
    import json

    def undated(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: undated(item) for key, item in value.items() if key != "as_of"}
        return value

    basis = {**content, "terms": undated(dataclasses.asdict(terms)), "reference": reference_digest()}
    return hashlib.sha256(json.dumps(basis, default=str, sort_keys=True).encode()).hexdigest()
