from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _

from jingzhun.codelists.fields import CodeField, CodeListField
from jingzhun.codelists.selectors import code_map


def coded_field_errors(instance: models.Model, *, year: int, province: str) -> dict[str, list[str]]:
    """Errors for every coded field whose value is not in its list for (province, year)."""
    errors: dict[str, list[str]] = {}
    for field in instance._meta.concrete_fields:
        if isinstance(field, CodeField):
            value = getattr(instance, field.attname)
            if value and value not in code_map(field.code_list, year=year, province=province):
                errors.setdefault(field.name, []).append(
                    _("%(value)s is not a code of the list “%(list)s”.")
                    % {"value": value, "list": field.code_list}
                )
        elif isinstance(field, CodeListField):
            values = getattr(instance, field.attname) or []
            if not isinstance(values, list):
                errors.setdefault(field.name, []).append(_("Expected a list of codes."))
                continue
            known = code_map(field.code_list, year=year, province=province)
            unknown = [str(value) for value in values if value not in known]
            if unknown:
                errors.setdefault(field.name, []).append(
                    _("%(value)s is not a code of the list “%(list)s”.")
                    % {"value": ", ".join(unknown), "list": field.code_list}
                )
            if len(set(values)) != len(values):
                errors.setdefault(field.name, []).append(_("A code is listed twice."))
            if field.max_items is not None and len(values) > field.max_items:
                errors.setdefault(field.name, []).append(
                    _("At most %(count)d codes may be chosen.") % {"count": field.max_items}
                )
    return errors
