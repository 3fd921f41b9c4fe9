"""Signals that let a producer say what it changed without importing who cares.

A screening or an import changes what the dashboards count; the dashboards app
subscribes (``DashboardsConfig.ready``) and queues a refresh. The producers stay
below their consumers in the layers (see pyproject's import-linter contract).
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent once a run's changes are committed. Arguments: ``area`` (the areas.Area whose
# households changed) and ``reason`` ("screening" or "import").
counted_data_changed = Signal()
