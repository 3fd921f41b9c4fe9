"""What the monitoring app tells the apps above it, without importing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that confirms a warning (``warning_transition``), with
# ``warning`` (the RiskWarning) and ``user``. The procedures app opens the
# identification case from it (``CasesConfig.ready``); a receiver's error undoes the
# confirmation.
warning_confirmed = Signal()
