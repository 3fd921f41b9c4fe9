from __future__ import annotations

from django.http import HttpRequest

from jingzhun.accounts.roles import Capability


def capabilities(request: HttpRequest) -> dict[str, dict[str, bool]]:
    """``can.<capability>`` in every template, from the one role table."""
    user = getattr(request, "user", None)
    allowed = {cap.value: bool(user and user.is_authenticated and user.can(cap)) for cap in Capability}
    return {"can": allowed}
