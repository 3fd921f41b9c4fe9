from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jingzhun.areas.choices import PREFIX_LENGTH, AreaLevel
from jingzhun.areas.codes import subtree_bounds


class Area(models.Model):
    """An administrative division identified by its 12-digit statistical code.

    The code is the primary key: every table that refers to an area stores the
    code itself, so "is this row inside the user's area" is a range test on an
    indexed string column, with no join.
    """

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=AreaLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_valid = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return f"{self.name} ({self.short_code})"

    @property
    def short_code(self) -> str:
        return self.code[: PREFIX_LENGTH[AreaLevel(self.level)]]

    @property
    def subtree_bounds(self) -> tuple[str, str]:
        return subtree_bounds(self.code, AreaLevel(self.level))

    def contains(self, code: str) -> bool:
        low, high = self.subtree_bounds
        return low <= code <= high

    def ancestors(self) -> list[Area]:
        chain: list[Area] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))
