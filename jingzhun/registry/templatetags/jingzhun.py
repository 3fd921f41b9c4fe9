from __future__ import annotations

from django import template
from django.db import models

from jingzhun.codelists.selectors import code_label
from jingzhun.registry.display import display_value
from jingzhun.registry.idnumbers import mask_birth_date, mask_id_number, mask_phone

register = template.Library()


@register.filter
def mask_id(value: str) -> str:
    return mask_id_number(value) if value else ""


@register.filter
def mask_birth(value: object) -> str:
    return mask_birth_date(value) if value else ""


@register.filter(name="mask_phone")
def mask_phone_filter(value: str) -> str:
    return mask_phone(value) if value else ""


@register.simple_tag
def label(list_key: str, value: str, province: str = "") -> str:
    return code_label(list_key, value, province=province or None)


@register.simple_tag
def show(
    instance: models.Model, name: str, province: str, reveal: bool = False, show_health: bool = True
) -> str:
    return display_value(instance, name, province=province, reveal=reveal, show_health=show_health)[0]


@register.inclusion_tag("_household_label.html")
def household_label(head_name: str | None, household_number: str) -> dict[str, object]:
    """A household as people name it: the head first, the number second."""
    return {"head_name": head_name, "household_number": household_number}
