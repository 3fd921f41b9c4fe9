"""The API's routers, one per app (``api.api`` mounts them)."""

from jingzhun.api.routers import (
    areas,
    assets,
    assistance,
    cases,
    departments,
    funds,
    monitoring,
    oversight,
    projects,
    quality,
    registry,
    tokens,
)

__all__ = [
    "areas",
    "assets",
    "assistance",
    "cases",
    "departments",
    "funds",
    "monitoring",
    "oversight",
    "projects",
    "quality",
    "registry",
    "tokens",
]
