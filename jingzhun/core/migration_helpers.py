"""Steps shared by the migrations that encrypt a column already holding values."""

from __future__ import annotations

from typing import Any

from jingzhun.core.bulk import rewrite_rows


def rewrite_columns(apps: Any, app_label: str, model_name: str, names: list[str]) -> None:
    """Read every row's ``names`` (plain text passes through the decrypting field) and
    write them back: encrypted now, with the derived columns (blind indexes) computed."""
    model = apps.get_model(app_label, model_name)
    rewrite_rows(model._base_manager.all(), names)
