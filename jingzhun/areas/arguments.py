"""The ``--area`` argument every command takes, read one way everywhere: a code of
2, 4, 6, 9 or 12 digits (150124 or 150124000000 for 清水河县)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from jingzhun.areas.codes import InvalidAreaCode, normalise_code
from jingzhun.areas.models import Area

AREA_HELP = "area code, 2, 4, 6, 9 or 12 digits (150124 or 150124000000)"


def add_area_argument(parser: CommandParser, *, required: bool = True, help: str = AREA_HELP) -> None:
    parser.add_argument("--area", required=required, help=help)


def area_from_options(options: dict[str, Any]) -> Area | None:
    """The area the command was given, or None when it was not; an unknown one stops the command."""
    text = options.get("area")
    if not text:
        return None
    try:
        return Area.objects.get(code=normalise_code(text))
    except InvalidAreaCode as error:
        raise CommandError(str(error)) from None
    except Area.DoesNotExist:
        raise CommandError(f"no area with code {text} (load the area codes first)") from None
