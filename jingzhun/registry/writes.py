"""The register's set-wise writer: households, members, living conditions and incomes
written for a whole batch with the register's change detection, history and status
changes — the import of a county's sheet and the demo county write through it.

A household is handed over as a ``HouseholdEntry``: its number, its household,
living-conditions and income values, and the rows of its members in member columns
(a list per field, shared by the whole batch: the import holds its sheet that way).
What the entries hold must already be checked (``registry.rules`` and the callers'
own checks): the writer compares and writes, it does not judge. Income figures are
computed by ``registry.income`` as on the form.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.models import User
from jingzhun.core.bulk import any_of, bulk_insert, id_table, insert_columns, update_rows
from jingzhun.core.crypto import sealed_for_audit
from jingzhun.registry.choices import ChangeAction
from jingzhun.registry.idnumbers import id_number_digest
from jingzhun.registry.income import AMOUNT_FIELDS, LEDGER_FIELDS, RECORD_AMOUNT_FIELDS, income_record_values
from jingzhun.registry.models import (
    Household,
    HouseholdChange,
    IncomeRecord,
    LivingConditions,
    Member,
    StatusChange,
)
from jingzhun.registry.services import history_value, status_changes_for

# (stage, done, total)
WriteProgress = Callable[[str, int, int], None]


def is_blank(value: Any) -> bool:
    return value is None or value == "" or value == []


@dataclass
class HouseholdEntry:
    """One household for the writer: ``rows`` are its members' positions in the member columns."""

    number: str
    first_row: int = 0  # where it starts in the caller's file, for notes
    rows: list[int] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    income: dict[str, Any] = field(default_factory=dict)
    conditions: dict[str, Any] = field(default_factory=dict)
    residents: int = 0
    # Earlier years' incomes of a household new to the register (year and amounts, as
    # ``income``); a registered household's are not compared.
    earlier_incomes: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class WriteNote:
    """Something the writer left as it was and the caller should tell (a member registered
    in the household but absent from the batch)."""

    first_row: int
    household_number: str
    name: str
    message: str


@dataclass
class WriteOutcome:
    households_created: int = 0
    households_updated: int = 0
    households_unchanged: int = 0
    members_created: int = 0
    members_updated: int = 0
    notes: list[WriteNote] = field(default_factory=list)


def _differences(instance: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    changes = {}
    for name, value in values.items():
        current = getattr(instance, name)
        if current != value:
            changes[name] = [history_value(current), history_value(value)]
    return changes


def _created(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """A new record's history: each value given, from nothing."""
    return {key: [None, history_value(value)] for key, value in values.items() if not is_blank(value)}


# The records whose audit entries may hold encrypted fields' values.
_AUDITED_MODELS: dict[str, type[Any]] = {"household": Household, "member": Member}


class RegisterWriter:
    """Writes checked households into the register: set-wise inserts for new ones; those
    already registered are compared record by record in memory, and only what changed is
    written (set-wise, once every household is compared) and audited. ``source`` names
    where the values came from in the history (a file name, "demo county")."""

    def __init__(self, *, user: User | None, source: str) -> None:
        self.user = user
        self.outcome = WriteOutcome()
        self.source = source
        self.now = timezone.now()
        # The history entries, column by column (a county's import writes a few hundred thousand).
        self.history: dict[str, list[Any]] = {
            name: [] for name in ("household_id", "action", "record_type", "record_id", "changes")
        }
        # Registered records the file changes, by model and primary key, and the fields changed.
        self.changed: dict[type[Any], dict[int, Any]] = defaultdict(dict)
        self.changed_fields: dict[type[Any], set[str]] = defaultdict(set)
        self.new_members: list[Member] = []
        self.new_incomes: list[IncomeRecord] = []
        self.status_changes: list[StatusChange] = []

    def audit(
        self, household_id: int, action: str, record: Any, record_id: int | None, changes: dict
    ) -> None:
        history = self.history
        history["household_id"].append(household_id)
        history["action"].append(action)
        history["record_type"].append(record)
        history["record_id"].append(record_id)
        history["changes"].append(
            sealed_for_audit(_AUDITED_MODELS[record], changes) if record in _AUDITED_MODELS else changes
        )

    def write(
        self,
        households: Sequence[HouseholdEntry],
        members: Mapping[str, Sequence[Any]],
        progress: WriteProgress | None = None,
    ) -> list[int]:
        """Write ``households`` (their members are rows of ``members``, a column per
        member field). Returns the households' primary keys, in order."""
        self.members_in = members
        existing = {
            household.household_number: household
            for household in Household.objects.filter(
                household_number__in=any_of([h.number for h in households])
            )
        }
        new = [h for h in households if h.number not in existing]
        old = [h for h in households if h.number in existing]
        ids = self._create(new, progress, total=len(households))
        self._load_registered([existing[h.number].pk for h in old], member_fields=list(members))
        for done, rows in enumerate(old, start=1):
            self._update(existing[rows.number], rows)
            if progress and done % 1000 == 0:
                progress("write", len(new) + done, len(households))
        self._write_updates()
        count = len(self.history["action"])
        insert_columns(
            HouseholdChange,
            {
                **self.history,
                "record_label": [""] * count,
                "actor_id": [self.user.pk if self.user else None] * count,
                "at": [self.now] * count,
            },
            count=count,
        )
        created = iter(ids)
        return [existing[h.number].pk if h.number in existing else next(created) for h in households]

    def _load_registered(self, household_ids: list[int], *, member_fields: list[str]) -> None:
        """The matched households' members, conditions and incomes, a query each.
        Only the fields compared are read (and the timestamps not at all): converting
        the rest into instances would take longer than the comparison."""
        member_fields = [*member_fields, "household_id", "id_number", "name", "is_resident"]
        self.members: dict[int, list[Member]] = defaultdict(list)
        self.conditions: dict[int, LivingConditions] = {}
        self.incomes: dict[int, list[IncomeRecord]] = defaultdict(list)
        if not household_ids:
            return
        with id_table(household_ids) as matched:
            for member in Member.objects.filter(household_id__in=matched).only(*member_fields):
                self.members[member.household_id].append(member)
            for conditions in LivingConditions.objects.filter(household_id__in=matched).defer("updated_at"):
                self.conditions[conditions.household_id] = conditions
            incomes = IncomeRecord.objects.filter(household_id__in=matched).defer("updated_at")
            for income in incomes.order_by("-year"):
                self.incomes[income.household_id].append(income)

    def _create(
        self, households: list[HouseholdEntry], progress: WriteProgress | None, *, total: int
    ) -> list[int]:
        """New households, column by column: their members, living conditions, incomes and audit."""
        if not households:
            return []
        count = len(households)
        numbers = [h.number for h in households]
        insert_columns(
            Household, columns_of([h.values for h in households], household_number=numbers), count=count
        )
        ids = dict(
            Household.objects.filter(household_number__in=any_of(numbers)).values_list(
                "household_number", "pk"
            )
        )
        rows = [index for h in households for index in h.rows]
        member_columns = {name: [values[index] for index in rows] for name, values in self.members_in.items()}
        member_columns["household_id"] = [ids[h.number] for h in households for _index in h.rows]
        insert_columns(Member, member_columns, count=len(rows))
        if progress:
            progress("write", count // 2, total)
        insert_columns(
            LivingConditions,
            columns_of([h.conditions for h in households], household_id=[ids[number] for number in numbers]),
            count=count,
        )
        incomes = [
            {
                "household_id": ids[h.number],
                "year": income["year"],
                **income_record_values(income, h.residents),
            }
            for h in households
            for income in ([h.income] if h.income else []) + h.earlier_incomes
        ]
        insert_dicts(IncomeRecord, incomes)
        for h in households:
            self.audit(
                ids[h.number],
                ChangeAction.CREATE,
                "household",
                ids[h.number],
                {
                    "source": [None, self.source],
                    "members": [None, len(h.rows)],
                    **_created(h.values),
                },
            )
        self._audit_created(households, ids, member_names=[self.members_in["name"][index] for index in rows])
        self.outcome.households_created += count
        self.outcome.members_created += len(rows)
        if progress:
            progress("write", count, total)
        return [ids[number] for number in numbers]

    def _audit_created(
        self, households: list[HouseholdEntry], ids: dict[str, int], *, member_names: list[Any]
    ) -> None:
        """A creation entry for every record of the new households, as the form's services
        write one for each record they create: the members (by name; their values are the
        register's own), the living conditions and each income year (with their values)."""
        with id_table(list(ids.values())) as created:
            member_keys = Member.objects.filter(household_id__in=created).order_by("pk")
            members = list(member_keys.values_list("pk", "household_id"))  # in the order written
            conditions = dict(
                LivingConditions.objects.filter(household_id__in=created).values_list("household_id", "pk")
            )
            incomes = {
                (household_id, year): pk
                for household_id, year, pk in IncomeRecord.objects.filter(
                    household_id__in=created
                ).values_list("household_id", "year", "pk")
            }
        if len(members) != len(member_names):  # written in the order of the rows, read back by key
            raise RuntimeError(f"{len(members)} members written for {len(member_names)} rows")
        source = [None, self.source]
        # A column at a time (a county's import creates a hundred thousand members); the
        # entries hold no encrypted field's value, so there is nothing to seal.
        history = self.history
        history["household_id"].extend(household_id for _pk, household_id in members)
        history["action"].extend([ChangeAction.CREATE] * len(members))
        history["record_type"].extend(["member"] * len(members))
        history["record_id"].extend(pk for pk, _household_id in members)
        history["changes"].extend({"source": source, "name": [None, name]} for name in member_names)
        for h in households:
            household_id = ids[h.number]
            values = _created(h.conditions)
            self.audit(
                household_id,
                ChangeAction.CREATE,
                "livingconditions",
                conditions[household_id],
                {"source": source, **values},
            )
            for income in ([h.income] if h.income else []) + h.earlier_incomes:
                amounts = {
                    name: [None, history_value(income[name])]
                    for name in AMOUNT_FIELDS
                    if not is_blank(income.get(name))
                }
                self.audit(
                    household_id,
                    ChangeAction.CREATE,
                    "incomerecord",
                    incomes[(household_id, income["year"])],
                    {"source": source, **amounts},
                )

    def _change(self, record: Any, changes: dict[str, list[Any]], values: dict[str, Any]) -> None:
        """Take ``changes`` into a registered record, to be written with the others."""
        for name in changes:
            setattr(record, name, values[name])
        self.changed[type(record)][record.pk] = record
        self.changed_fields[type(record)].update(changes)

    def _member_values(self, rows: list[int]) -> list[dict[str, Any]]:
        """Members (rows of the member columns) as field → value, fields without a value left out."""
        columns = self.members_in
        return [
            {name: column[index] for name, column in columns.items() if column[index] is not None}
            for index in rows
        ]

    def _update(self, household: Household, rows: HouseholdEntry) -> None:
        changed = False
        values = {
            name: value for name, value in rows.values.items() if not is_blank(value) or name == "village_id"
        }
        household_changes = _differences(household, values)
        if household_changes:
            self._change(household, household_changes, values)
            self.audit(household.pk, ChangeAction.UPDATE, "household", household.pk, household_changes)
            self.status_changes += status_changes_for(
                household_id=household.pk, changes=household_changes, user=self.user
            )
            changed = True
        registered = {member.id_number: member for member in self.members[household.pk]}
        for values in self._member_values(rows.rows):
            member = registered.pop(values["id_number"], None)
            if member is None:
                created = Member(household_id=household.pk, **values)
                self.members[household.pk].append(created)
                self.new_members.append(created)  # audited once written, with its primary key
                self.outcome.members_created += 1
                changed = True
                continue
            # A blank cell brings no information: the registered value stays.
            member_values = {name: value for name, value in values.items() if not is_blank(value)}
            member_changes = _differences(member, member_values)
            if member_changes:
                self._change(member, member_changes, member_values)
                self.audit(household.pk, ChangeAction.UPDATE, "member", member.pk, member_changes)
                self.outcome.members_updated += 1
                changed = True
        for member in registered.values():
            self.outcome.notes.append(
                WriteNote(
                    rows.first_row,
                    rows.number,
                    member.name,
                    _("Registered in this household but not in the file; left as it is."),
                )
            )
        changed |= self._update_conditions(household, rows)
        changed |= self._update_income(household, rows)
        if changed:
            self.changed[Household][household.pk] = household  # its updated_at is written
            self.outcome.households_updated += 1
        else:
            self.outcome.households_unchanged += 1

    def _update_conditions(self, household: Household, rows: HouseholdEntry) -> bool:
        registered = self.conditions.get(household.pk)
        conditions = registered or LivingConditions(household=household)
        changes = _differences(conditions, rows.conditions)
        if not changes:
            return False
        if registered is None:  # a household registered without its record (not by this system)
            for name in changes:
                setattr(conditions, name, rows.conditions[name])
            conditions.save()
        else:
            self._change(conditions, changes, rows.conditions)
        self.audit(household.pk, ChangeAction.UPDATE, "livingconditions", conditions.pk, changes)
        return True

    def _update_income(self, household: Household, rows: HouseholdEntry) -> bool:
        residents = sum(member.is_resident for member in self.members[household.pk])
        incomes = self.incomes[household.pk]  # latest year first
        year = rows.income.get("year")
        record = None
        if year is not None:
            record = next((income for income in incomes if income.year == year), None)
            # What the asset ledger paid the household stays: a sheet never carries it.
            kept = {name: getattr(record, name) for name in LEDGER_FIELDS} if record else {}
            values = income_record_values({**rows.income, **kept}, residents)
        else:
            # Members joined or left: the latest year's per-capita figure follows (as on the form).
            record = incomes[0] if incomes else None
            if record is None or record.resident_members == residents:
                return False
            values = income_record_values(
                {name: getattr(record, name) for name in RECORD_AMOUNT_FIELDS}, residents
            )
        if record is None:
            assert year is not None  # without a year in the file there is a latest record
            self.new_incomes.append(IncomeRecord(household_id=household.pk, year=year, **values))
            return True  # audited once written, with its primary key
        changes = _differences(record, values)
        if not changes:
            return False
        self._change(record, changes, values)
        self.audit(
            household.pk,
            ChangeAction.UPDATE,
            "incomerecord",
            record.pk,
            {name: change for name, change in changes.items() if name in AMOUNT_FIELDS},
        )
        return True

    def _write_updates(self) -> None:
        """Everything the comparison found: changed records (a statement per table),
        new members and income years, status history, and their audit."""
        for model, records in self.changed.items():
            update_rows(list(records.values()), [*sorted(self.changed_fields[model]), "updated_at"])
        bulk_insert(StatusChange, self.status_changes)
        if self.new_members:
            bulk_insert(Member, self.new_members)
            digests = [id_number_digest(member.id_number) for member in self.new_members]
            member_ids = dict(
                Member.objects.filter(id_number_index__in=any_of(digests)).values_list(
                    "id_number_index", "pk"
                )
            )
            for member, digest in zip(self.new_members, digests, strict=True):
                self.audit(
                    member.household_id,
                    ChangeAction.CREATE,
                    "member",
                    member_ids[digest],
                    {"source": [None, self.source], "name": [None, member.name]},
                )
        if self.new_incomes:
            bulk_insert(IncomeRecord, self.new_incomes)
            households = [income.household_id for income in self.new_incomes]
            income_ids = {
                (household_id, year): pk
                for household_id, year, pk in IncomeRecord.objects.filter(
                    household_id__in=any_of(households, kind="bigint")
                ).values_list("household_id", "year", "pk")
            }
            for income in self.new_incomes:
                self.audit(
                    income.household_id,
                    ChangeAction.CREATE,
                    "incomerecord",
                    income_ids[(income.household_id, income.year)],
                    {
                        name: [None, history_value(getattr(income, name))]
                        for name in AMOUNT_FIELDS
                        if getattr(income, name)
                    },
                )


def columns_of(records: list[dict[str, Any]], **columns: list[Any]) -> dict[str, list[Any]]:
    """Dicts with some of the same keys as columns (None where a dict lacks the key)."""
    names = dict.fromkeys(name for record in records for name in record)
    return {**{name: [record.get(name) for record in records] for name in names}, **columns}


def insert_dicts(model: type[Any], records: list[dict[str, Any]]) -> None:
    insert_columns(model, columns_of(records), count=len(records))
