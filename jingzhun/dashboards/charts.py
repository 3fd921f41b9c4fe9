"""The data each chart draws, as JSON for static/dashboards/dashboard.js (which builds the options)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from jingzhun.dashboards.choices import Chart
from jingzhun.dashboards.selectors import Dashboard, FigureValues, MapArea
from jingzhun.dashboards.services import INCOME_BAND_WIDTH


def figure_chart(values: FigureValues, *, income_line: Decimal | None = None) -> dict[str, Any]:
    chart: dict[str, Any] = {
        "id": f"chart-{values.figure.key}",
        "type": values.figure.chart,
        "title": str(values.figure.label),
        "labels": [key.label for key in values.keys],
        "values": [key.value for key in values.keys],
        "urls": [key.url for key in values.keys],
    }
    if values.figure.chart == Chart.HISTOGRAM and income_line is not None:
        band = int(income_line) // INCOME_BAND_WIDTH * INCOME_BAND_WIDTH
        labels = [key.key for key in values.keys]
        if str(band) in labels:
            chart["markAt"] = labels.index(str(band))
            chart["markLabel"] = _("Monitoring line %(line)s") % {"line": f"{income_line:,.0f}"}
    return chart


def children_chart(dashboard: Dashboard, columns: tuple[str, ...]) -> dict[str, Any]:
    """Child areas side by side: one bar series per figure."""
    figures = dashboard.figures
    return {
        "id": "chart-children",
        "type": "grouped",
        "title": "",
        "labels": [row.area.name for row in dashboard.children],
        "series": [
            {
                "name": str(figures[column].figure.label),
                "values": [row.values[column] for row in dashboard.children],
                "urls": [row.urls[column] for row in dashboard.children],
            }
            for column in columns
        ],
    }


def map_chart(dashboard: Dashboard, areas: list[MapArea], figure_label: str) -> dict[str, Any]:
    return {
        "id": "chart-map",
        "type": "map",
        "title": figure_label,
        "map": dashboard.map_name,
        "labels": [area.name for area in areas],
        "values": [area.value for area in areas],
        "urls": [area.url for area in areas],
        "highlight": dashboard.area.name,
    }
