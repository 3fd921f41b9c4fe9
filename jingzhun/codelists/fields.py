"""Model fields holding codes of a code list.

The field knows its list's key, so forms get their choices, services validate
values and pages show labels from the code list in force for the record's
province and year — never from a literal in code.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class CodeField(models.CharField):
    def __init__(self, *args: Any, code_list: str = "", **kwargs: Any) -> None:
        self.code_list = code_list
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["code_list"] = self.code_list
        return name, path, args, kwargs


class CodeListField(models.JSONField):
    """Several codes of one list (e.g. other causes of poverty, risk types)."""

    def __init__(self, *args: Any, code_list: str = "", max_items: int | None = None, **kwargs: Any) -> None:
        self.code_list = code_list
        self.max_items = max_items
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["code_list"] = self.code_list
        if self.max_items is not None:
            kwargs["max_items"] = self.max_items
        return name, path, args, kwargs
