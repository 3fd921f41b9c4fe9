"""Steps shared by the migrations that encrypt a column already holding values."""

from __future__ import annotations

from typing import Any

from jingzhun.core.bulk import update_rows


def rewrite_columns(
    apps: Any, app_label: str, model_name: str, names: list[str], *, batch: int = 2000
) -> None:
    """Read every row's ``names`` (plain text passes through the decrypting field) and
    write them back: encrypted now, with the derived columns (blind indexes) computed."""
    model = apps.get_model(app_label, model_name)
    keys = list(model._base_manager.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(keys), batch):
        records = list(model._base_manager.filter(pk__in=keys[start : start + batch]).only("pk", *names))
        update_rows(records, names)
