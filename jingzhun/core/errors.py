"""Errors the domain raises beyond Django's own.

``ValidationError`` says the input is wrong; ``StateConflict`` says the input is
right but the record is not in a state where it can be done now (a case moved on,
a notice still running). Pages show both the same way; the API answers the first
with 422 and the second with 409, so that a client knows whether to fix its
request or to reload the record.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


class StateConflict(ValidationError):
    """A move that is valid in general but not possible in the record's current state."""
