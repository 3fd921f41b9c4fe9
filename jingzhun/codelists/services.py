"""Writing code lists and parameters."""

from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources
from typing import Any

from django.db import transaction

from jingzhun.codelists.models import NATIONAL, CodeItem, CodeList, Parameter
from jingzhun.codelists.selectors import clear_caches


def national_seed() -> dict[str, Any]:
    text = resources.files("jingzhun.codelists").joinpath("data/national.json").read_text(encoding="utf-8")
    return json.loads(text)


def load_seed(
    seed: dict[str, Any],
    *,
    code_list_model: Any = CodeList,
    item_model: Any = CodeItem,
    parameter_model: Any = Parameter,
) -> None:
    """Upsert a seed document. Models are parameters so that a data migration can
    pass its historical models."""
    with transaction.atomic():
        for entry in seed["lists"]:
            name_zh, name_en = entry["name"]
            code_list_model.objects.update_or_create(
                key=entry["key"], defaults={"name_zh": name_zh, "name_en": name_en}
            )
            for order, item in enumerate(entry["items"]):
                code, label_zh, label_en, *rest = item
                item_model.objects.update_or_create(
                    code_list_id=entry["key"],
                    code=code,
                    province=entry.get("province", NATIONAL),
                    valid_from_year=entry.get("valid_from_year", 2014),
                    defaults={
                        "label_zh": label_zh,
                        "label_en": label_en,
                        "sort_order": order,
                        "attributes": rest[0] if rest else {},
                    },
                )
        for key, province, year, value, description in seed["parameters"]:
            parameter_model.objects.update_or_create(
                key=key,
                province=province,
                year=year,
                defaults={"value": Decimal(str(value)), "description": description},
            )
    clear_caches()


def parameter_set(*, key: str, province: str, year: int, value: Decimal, description: str = "") -> Parameter:
    parameter, _created = Parameter.objects.update_or_create(
        key=key, province=province, year=year, defaults={"value": value, "description": description}
    )
    clear_caches()
    return parameter
