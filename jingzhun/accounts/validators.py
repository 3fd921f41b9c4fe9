from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """Require letters and digits: township offices share computers, and
    dictionary words alone fall to guessing quickly."""

    def validate(self, password: str, user: object = None) -> None:
        if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
            raise ValidationError(
                _("The password must contain both letters and digits."), code="password_classes"
            )

    def get_help_text(self) -> str:
        return _("Your password must contain both letters and digits.")
