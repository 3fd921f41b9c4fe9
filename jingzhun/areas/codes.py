"""Pure functions on 12-digit statistical division codes (no database)."""

from __future__ import annotations

from jingzhun.areas.choices import CODE_LENGTH, PREFIX_LENGTH, AreaLevel


class InvalidAreaCode(ValueError):
    pass


def normalise_code(raw: str) -> str:
    """Pad a 2/4/6/9/12-digit code to 12 digits, refusing anything else."""
    code = str(raw).strip()
    if not code.isascii() or not code.isdigit():
        raise InvalidAreaCode(f"area code {raw!r} must contain digits only")
    if len(code) not in PREFIX_LENGTH.values():
        raise InvalidAreaCode(f"area code {raw!r} must have 2, 4, 6, 9 or 12 digits")
    return code.ljust(CODE_LENGTH, "0")


def level_of(code: str) -> AreaLevel:
    """The level of a 12-digit code: the shortest prefix after which only zeros follow."""
    if len(code) != CODE_LENGTH or not code.isdigit():
        raise InvalidAreaCode(f"area code {code!r} must have 12 digits")
    for level in AreaLevel:
        length = PREFIX_LENGTH[level]
        if code[length:] == "0" * (CODE_LENGTH - length) and code[PREFIX_LENGTH_BEFORE[level] : length].strip(
            "0"
        ):
            return level
    raise InvalidAreaCode(f"area code {code!r} does not name an area")


PREFIX_LENGTH_BEFORE = {
    AreaLevel.PROVINCE: 0,
    AreaLevel.CITY: 2,
    AreaLevel.COUNTY: 4,
    AreaLevel.TOWNSHIP: 6,
    AreaLevel.VILLAGE: 9,
}


def prefix_of(code: str, level: AreaLevel) -> str:
    return code[: PREFIX_LENGTH[level]]


def parent_code(code: str) -> str | None:
    level = level_of(code)
    if level == AreaLevel.PROVINCE:
        return None
    parent_level = AreaLevel(level - 1)
    return prefix_of(code, parent_level).ljust(CODE_LENGTH, "0")


def subtree_bounds(code: str, level: AreaLevel) -> tuple[str, str]:
    """Inclusive bounds of every 12-digit code under ``code``: a range scan on one index."""
    prefix = prefix_of(code, level)
    padding = CODE_LENGTH - len(prefix)
    return prefix + "0" * padding, prefix + "9" * padding
