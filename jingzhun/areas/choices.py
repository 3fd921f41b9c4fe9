from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.IntegerChoices):
    """Levels of China's 12-digit statistical division codes and their prefix lengths."""

    PROVINCE = 1, _("Province")
    CITY = 2, _("City")
    COUNTY = 3, _("County")
    TOWNSHIP = 4, _("Township")
    VILLAGE = 5, _("Village")


# Number of significant leading digits of a code at each level.
PREFIX_LENGTH = {
    AreaLevel.PROVINCE: 2,
    AreaLevel.CITY: 4,
    AreaLevel.COUNTY: 6,
    AreaLevel.TOWNSHIP: 9,
    AreaLevel.VILLAGE: 12,
}
CODE_LENGTH = 12
