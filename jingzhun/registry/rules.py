"""The register's rules for members, checked set-wise: the same code for a county's
sheet and for one member entered on the form (a batch of one).

- ID numbers checked and normalised (``registry.idnumbers``: resident numbers as a
  column with array arithmetic, disability certificates, other documents);
- birth date and sex derived from the number when blank, compared when given;
- no ID number twice in the batch, none registered to someone else;
- heads (户主): never more than one in a household as it will be after the write
  (registered members merged with the batch's by ID number); a household the batch
  brings whole (a new one in a sheet) needs exactly one.

Problems go to a sink (``ProblemSink``) with the row, the field key, the value and the
reason: the import lists them by sheet line, the form as field errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.utils.translation import gettext as _

from jingzhun.core.bulk import any_of
from jingzhun.core.spreadsheets import clean_text
from jingzhun.registry.choices import DISABILITY_CERTIFICATE_ID_TYPE, HEAD_RELATION, RESIDENT_ID_TYPE
from jingzhun.registry.idnumbers import (
    InvalidIdNumber,
    check_disability_certificate,
    check_id_numbers,
    id_number_digest,
)
from jingzhun.registry.models import Household, Member

_QUERY_CHUNK = 50_000


class ProblemSink(Protocol):
    def fail_at(self, index: int, key: str, value: object, reason: str) -> None: ...

    def warn_at(self, index: int, key: str, value: object, reason: str) -> None: ...

    def fail_household(self, number: str, key: str, value: object, reason: str) -> None: ...


@dataclass
class MemberBatch:
    """Members to check, column by column (field name → one value per row), with the
    household number of each row. ``raw_id_numbers`` are the ID numbers as entered;
    the checked ones replace ``members["id_number"]``."""

    members: dict[str, list[Any]]
    raw_id_numbers: Sequence[object]
    numbers: Sequence[str]
    households: Mapping[str, Sequence[int]]  # household number → its rows
    # The caller's name for each row in messages ("row 12"); None for a form's one row.
    lines: Sequence[int] | None = None
    # The registered member each row edits (the form); None where the batch matches by ID number.
    member_pks: Sequence[int | None] | None = None
    # Whether a household new to the register is brought whole (a sheet), so it needs its head.
    whole_households: bool = True

    @property
    def size(self) -> int:
        return len(self.numbers)


def check_members(batch: MemberBatch, sink: ProblemSink) -> None:
    """Every rule above, problems to ``sink``; the members' ID numbers, birth dates and
    sexes normalised or derived in ``batch.members``."""
    size = batch.size
    members = batch.members
    for name in ("name", "relation_to_head"):
        values = members.setdefault(name, [None] * size)
        for index, value in enumerate(values):
            if value is None or value == "":
                sink.fail_at(index, f"member.{name}", "", _("A value is required."))
    id_types = [value or RESIDENT_ID_TYPE for value in members.get("id_type") or [None] * size]
    members["id_type"] = id_types
    numbers = _check_id_numbers(batch, id_types, sink)
    members["id_number"] = numbers
    seen: dict[str, int] = {}
    for index, entered in enumerate(numbers):
        if entered is None:
            continue
        earlier = seen.get(entered)
        if earlier is None:
            seen[entered] = index
        else:
            sink.fail_at(
                index,
                "member.id_number",
                entered,
                _("The same ID number is on row %(row)d.") % {"row": _line(batch, earlier)},
            )
    _check_registered(batch, seen, sink)
    _check_heads(batch, sink)


def _line(batch: MemberBatch, index: int) -> int:
    return batch.lines[index] if batch.lines is not None else index + 1


def _check_id_numbers(batch: MemberBatch, id_types: list[str], sink: ProblemSink) -> list[str | None]:
    raw = batch.raw_id_numbers
    size = batch.size
    numbers: list[str | None] = [None] * size
    derived_birth: list[Any] = [None] * size
    derived_sex: list[Any] = [None] * size
    residents = [index for index, id_type in enumerate(id_types) if id_type == RESIDENT_ID_TYPE]
    checked = check_id_numbers([raw[index] for index in residents])
    for position, index in enumerate(residents):
        numbers[index] = checked.numbers[position]
        derived_birth[index] = checked.birth_dates[position]
        derived_sex[index] = checked.sexes[position]
    for position, reason in checked.errors.items():
        sink.fail_at(residents[position], "member.id_number", raw[residents[position]], reason)
    for position, messages in checked.warnings.items():
        index = residents[position]
        for message in messages:
            sink.warn_at(index, "member.id_number", numbers[index], message)
    for index, id_type in enumerate(id_types):
        if id_type == RESIDENT_ID_TYPE:
            continue
        if id_type == DISABILITY_CERTIFICATE_ID_TYPE:
            try:
                certificate = check_disability_certificate(raw[index])
            except InvalidIdNumber as error:
                sink.fail_at(index, "member.id_number", raw[index], str(error))
                continue
            numbers[index] = certificate.number
            derived_birth[index] = certificate.birth_date
            derived_sex[index] = certificate.sex
            for message in certificate.warnings:
                sink.warn_at(index, "member.id_number", certificate.number, message)
            continue
        number = clean_text(raw[index]).upper()
        if not number:
            sink.fail_at(index, "member.id_number", "", _("The ID number is empty."))
            continue
        numbers[index] = number
    _apply_identity(batch, derived_birth, derived_sex, sink)
    return numbers


def _apply_identity(
    batch: MemberBatch, derived_birth: list[Any], derived_sex: list[Any], sink: ProblemSink
) -> None:
    """Birth date and sex follow from the ID number: derived when blank, compared when given."""
    size = batch.size
    births = batch.members.setdefault("birth_date", [None] * size)
    sexes = batch.members.setdefault("sex", [None] * size)
    for index in range(size):
        derived = derived_birth[index]
        if derived is None:
            continue
        given = births[index]
        if given is None:
            births[index] = derived
        elif given != derived:
            sink.fail_at(
                index,
                "member.birth_date",
                given.isoformat(),
                _("The birth date %(entered)s does not match the ID number (%(derived)s).")
                % {"entered": given.isoformat(), "derived": derived.isoformat()},
            )
        sex = sexes[index]
        if sex is None or sex == "":
            sexes[index] = derived_sex[index]
        elif sex != derived_sex[index]:
            sink.fail_at(index, "member.sex", sex, _("The sex does not match the ID number."))


def _check_registered(batch: MemberBatch, positions: dict[str, int], sink: ProblemSink) -> None:
    """An ID number registered to someone else: in another household, or (on the form,
    which edits one record) to another record."""
    # Matched by digest: the registered numbers are never decrypted.
    by_digest = {id_number_digest(number): (number, index) for number, index in positions.items()}
    digests = list(by_digest)
    for start in range(0, len(digests), _QUERY_CHUNK):
        registered = Member.objects.filter(id_number_index__in=any_of(digests[start : start + _QUERY_CHUNK]))
        for pk, digest, household_number in registered.values_list(
            "pk", "id_number_index", "household__household_number"
        ):
            number, index = by_digest[digest]
            other_record = batch.member_pks is not None and batch.member_pks[index] != pk
            if household_number != batch.numbers[index] or other_record:
                sink.fail_at(
                    index,
                    "member.id_number",
                    number,
                    _("ID number %(number)s is already registered in household %(household)s.")
                    % {"number": number, "household": household_number},
                )


def _check_heads(batch: MemberBatch, sink: ProblemSink) -> None:
    """The heads of each household as it will be after the write: the batch's rows with
    the registered members merged in (matched by ID number, or by record on the form),
    so a sheet that lists only a new child is fine and one that brings a second head is
    refused."""
    registered = _registered_members(list(batch.households))
    members = batch.members
    for number, rows in batch.households.items():
        entered = [
            (index, members["name"][index])
            for index in rows
            if members["relation_to_head"][index] == HEAD_RELATION
        ]
        registered_members = registered.get(number)
        if registered_members is None and batch.whole_households and not entered:
            sink.fail_household(
                number,
                "member.relation_to_head",
                "",
                _("A household has exactly one head (户主); none is listed."),
            )
            continue
        in_batch = {members["id_number"][index] for index in rows}
        edited = {batch.member_pks[index] for index in rows} if batch.member_pks is not None else set()
        heads = [
            _("%(name)s (row %(row)d)") % {"name": name, "row": _line(batch, index)}
            if batch.lines is not None
            else str(name)
            for index, name in entered
        ]
        heads += [
            _("%(name)s (registered)") % {"name": name}
            for pk, id_number, name, relation in registered_members or []
            if relation == HEAD_RELATION and id_number not in in_batch and pk not in edited
        ]
        if len(heads) > 1 or (batch.whole_households and registered_members is not None and not heads):
            sink.fail_household(
                number,
                "member.relation_to_head",
                "、".join(heads),
                _("The household would have %(count)d heads (户主): a household has exactly one.")
                % {"count": len(heads)},
            )


def _registered_members(numbers: list[str]) -> dict[str, list[tuple[int, str, str, str]]]:
    """(key, ID number, name, relation) of the members of these households already registered."""
    registered: dict[str, list[tuple[int, str, str, str]]] = {}
    for start in range(0, len(numbers), _QUERY_CHUNK):
        chunk = numbers[start : start + _QUERY_CHUNK]
        for household_number in Household.objects.filter(household_number__in=any_of(chunk)).values_list(
            "household_number", flat=True
        ):
            registered[household_number] = []
        rows = Member.objects.filter(household__household_number__in=any_of(chunk)).values_list(
            "household__household_number", "pk", "id_number", "name", "relation_to_head"
        )
        for household_number, pk, id_number, name, relation in rows:
            registered[household_number].append((pk, id_number, name, relation))
    return registered
