"""What the funds app tells the apps above it, without knowing them."""

from django.dispatch import Signal

# A fund finding was confirmed (sent inside the decision's transaction, with
# ``finding`` and ``user``): oversight enters it into the rectification ledger.
fund_finding_confirmed = Signal()
