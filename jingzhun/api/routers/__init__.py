"""The API's routers, one per app (``api.api`` mounts them)."""

from jingzhun.api.routers import areas, assistance, cases, departments, monitoring, quality, registry, tokens

__all__ = ["areas", "assistance", "cases", "departments", "monitoring", "quality", "registry", "tokens"]
