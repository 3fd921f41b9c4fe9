"""Building blocks for tests: areas under 清水河县, users per role, households
with members whose ID numbers are valid."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

from stdnum.cn import ric

from jingzhun.accounts.choices import Role
from jingzhun.accounts.models import User
from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.models import Area
from jingzhun.registry.models import Household, LivingConditions, Member

COUNTY = "150124000000"
_serials = itertools.count(1)
PASSWORD = "Test-password-2026"


def id_number(birth: datetime.date, sex: str = "1", *, place: str | None = None) -> str:
    """A valid 18-digit number; ``sex`` '1' gives an odd sequence digit (male).

    清水河县 has had code 150124 since 1995 and 152623 before.
    """
    place = place or ("150124" if birth.year >= 1995 else "152623")
    serial = next(_serials) % 400
    sequence = serial * 2 + (1 if sex == "1" else 0)
    seventeen = f"{place}{birth:%Y%m%d}{sequence:03d}"
    return seventeen + ric.calc_check_digit(seventeen + "0")


def area(code: str, name: str | None = None) -> Area:
    """A township (9 digits) or village (12 digits) under 清水河县, with its parents."""
    if len(code) == 12:
        township = area(code[:9])
        level = AreaLevel.VILLAGE
        parent: Area | None = township
    else:
        level = AreaLevel.TOWNSHIP
        parent = Area.objects.get(code=COUNTY)
    obj, _ = Area.objects.get_or_create(
        code=code.ljust(12, "0"),
        defaults={"name": name or f"区划{code[-3:]}", "level": level, "parent": parent},
    )
    return obj


def user(username: str, role: str, area_obj: Area, **extra: Any) -> User:
    account = User.objects.create_user(
        username=username, password=PASSWORD, role=role, area=area_obj, **extra
    )
    return account


def village_cadre(village: Area, username: str = "cadre") -> User:
    return user(username, Role.VILLAGE_CADRE, village)


def household(village: Area, number: str | None = None, **fields: Any) -> Household:
    obj = Household.objects.create(
        household_number=number or f"{village.code}{next(_serials):04d}", village=village, **fields
    )
    LivingConditions.objects.create(household=obj)
    return obj


def member(
    household_obj: Household,
    *,
    age: int = 40,
    sex: str = "1",
    relation: str = "01",
    today: datetime.date | None = None,
    birth: datetime.date | None = None,
    **fields: Any,
) -> Member:
    today = today or datetime.date.today()
    birth = birth or (
        datetime.date(today.year - age, 1, 15)
        if today.month > 1 or today.day > 15
        else datetime.date(today.year - age - 1, 1, 15)
    )
    defaults: dict[str, Any] = {
        "id_type": "1",
        "name": f"成员{next(_serials)}",
        "ethnicity": "01",
        "labour_skill": "2",
        "school_status": "00",
        "health": ["1"],
        "resident_medical_insurance": True,
    }
    defaults.update(fields)
    if "id_number" not in defaults:
        defaults["id_number"] = id_number(birth, sex)
    return Member.objects.create(
        household=household_obj, sex=sex, birth_date=birth, relation_to_head=relation, **defaults
    )


def money(value: str) -> Decimal:
    return Decimal(value)


def photo(name: str = "door.jpg", *, size: tuple[int, int] = (64, 48), exif_gps: bool = False) -> Any:
    """A real JPEG as a browser uploads it; with ``exif_gps`` it carries a camera's EXIF block."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    image = Image.new("RGB", size, (180, 120, 60))
    buffer = io.BytesIO()
    exif = Image.Exif()
    if exif_gps:
        exif[0x010F] = "SecretCam"  # Make
        exif[0x8825] = {1: "N", 2: (39.0, 54.0, 0.0), 3: "E", 4: (111.0, 36.0, 0.0)}  # GPS IFD
    image.save(buffer, format="JPEG", exif=exif.tobytes() if exif_gps else b"")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")
