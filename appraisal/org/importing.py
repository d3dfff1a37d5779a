"""Staff and department CSV imports: parsing, validation and the change plan (no database).

The functions here take the file's text and plain snapshots of what the database holds
(``DepartmentRef``, ``StaffRecord``, ``DepartmentRecord``) and return validated rows, every
error with its CSV line number, and a plan of what would be created, what would change
(old -> new per field) and what is unchanged. ``operations`` applies a plan; ``queries``
builds the snapshots with a few bulk statements.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass, field, fields, replace
from datetime import date
from enum import Enum

from appraisal.core.csv_io import CsvFileError, CsvTable, RowError, read_table
from appraisal.core.i18n import lazy_gettext as _l
from appraisal.org.models import DepartmentKind, StaffGroup

STAFF_COLUMNS = ("employee_number", "name", "staff_group", "title", "department_code",
                 "hire_date", "active")
DEPARTMENT_COLUMNS = ("code", "name", "kind", "parent_code", "active")

MAX_LENGTHS = {"employee_number": 40, "name": 200, "title": 120, "code": 40}

# What people type in the staff_group / kind columns, besides our own values (Chinese
# hospitals fill these in Chinese; the glossary terms are accepted).
STAFF_GROUP_ALIASES = {
    "doctor": StaffGroup.doctor, "physician": StaffGroup.doctor, "医生": StaffGroup.doctor,
    "医师": StaffGroup.doctor,
    "nurse": StaffGroup.nurse, "护士": StaffGroup.nurse, "护理": StaffGroup.nurse,
    "technician": StaffGroup.technician, "医技": StaffGroup.technician,
    "技师": StaffGroup.technician,
    "pharmacist": StaffGroup.pharmacist, "药师": StaffGroup.pharmacist,
    "admin": StaffGroup.admin, "administration": StaffGroup.admin, "行政": StaffGroup.admin,
    "行政后勤": StaffGroup.admin,
}
KIND_ALIASES = {
    "hospital": DepartmentKind.hospital, "医院": DepartmentKind.hospital,
    "division": DepartmentKind.division, "大科": DepartmentKind.division,
    "department": DepartmentKind.department, "科室": DepartmentKind.department,
    "ward": DepartmentKind.ward, "team": DepartmentKind.ward, "ward / team": DepartmentKind.ward,
    "病区": DepartmentKind.ward,
}
TRUE_WORDS = {"1", "true", "yes", "y", "active", "是", "在职"}
FALSE_WORDS = {"0", "false", "no", "n", "inactive", "否", "离职"}
DATE_PATTERN = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")


# -- snapshots -------------------------------------------------------------------------------
@dataclass(frozen=True)
class DepartmentRef:
    """What a staff import needs to know about a department."""

    id: int
    code: str
    name: str
    active: bool


@dataclass(frozen=True)
class StaffRecord:
    """A staff member's importable fields, from a file row or from the database."""

    employee_number: str
    name: str
    staff_group: StaffGroup
    title: str
    department_code: str
    hire_date: date | None
    active: bool


@dataclass(frozen=True)
class DepartmentRecord:
    """A department's importable fields, from a file row or from the database."""

    code: str
    name: str
    kind: DepartmentKind
    parent_code: str | None
    active: bool


STAFF_FIELDS = ("name", "staff_group", "title", "department_code", "hire_date", "active")
DEPARTMENT_FIELDS = ("name", "kind", "parent_code", "active")


# -- results ---------------------------------------------------------------------------------
@dataclass
class Parsed:
    """Validated rows (line, record) and every error found; usable only when ``ok``."""

    rows: list[tuple[int, object]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_lines(self) -> int:
        return len({error.line for error in self.errors if error.line})


@dataclass(frozen=True)
class FieldChange:
    """One field of one record: its value now and after the import."""

    field: str
    old: object
    new: object


@dataclass
class Planned:
    """One file row and what the import does with it."""

    line: int
    key: str
    record: object
    target_id: int | None = None
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class ImportPlan:
    """What a validated file would create, change and leave as it is."""

    creates: list[Planned] = field(default_factory=list)
    updates: list[Planned] = field(default_factory=list)
    unchanged: list[Planned] = field(default_factory=list)

    @property
    def has_work(self) -> bool:
        return bool(self.creates or self.updates)

    def summary(self) -> dict[str, int]:
        return {"created": len(self.creates), "updated": len(self.updates),
                "unchanged": len(self.unchanged)}

    def digest(self) -> str:
        """A fingerprint of the plan: the confirmation applies only what the preview showed."""
        content = [
            ["create", p.key, [_plain(v) for v in astuple(p.record)]] for p in self.creates
        ] + [
            ["update", p.key, [[c.field, _plain(c.old), _plain(c.new)] for c in p.changes]]
            for p in self.updates
        ]
        return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def _plain(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def plan_import(rows: Sequence[tuple[int, object]], existing: Mapping[str, tuple[int, object]],
                key_of, compared: Sequence[str]) -> ImportPlan:
    """Compare validated rows with the existing records (matched on ``key_of(record)``)."""
    plan = ImportPlan()
    for line, record in rows:
        key = key_of(record)
        if key not in existing:
            plan.creates.append(Planned(line, key, record))
            continue
        target_id, current = existing[key]
        changes = [FieldChange(name, getattr(current, name), getattr(record, name))
                   for name in compared if getattr(current, name) != getattr(record, name)]
        bucket = plan.updates if changes else plan.unchanged
        bucket.append(Planned(line, key, record, target_id, changes))
    return plan


# -- cell parsers ----------------------------------------------------------------------------
class CellError(ValueError):
    """A cell's value is unusable; the message names the column and the value."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)  # never lazy: it quotes the file (see RowError)


def text_cell(values: Mapping[str, str], column: str, required: bool = True) -> str:
    value = values.get(column, "")
    if required and not value:
        raise CellError(_l("%(column)s is missing.", column=column))
    limit = MAX_LENGTHS.get(column)
    if limit and len(value) > limit:
        raise CellError(_l("%(column)s is longer than %(n)s characters.", column=column, n=limit))
    return value


def choice_cell(values: Mapping[str, str], column: str, aliases: Mapping[str, Enum]) -> Enum:
    value = text_cell(values, column)
    found = aliases.get(value.lower()) or aliases.get(value)
    if found is None:
        allowed = ", ".join(sorted({member.value for member in aliases.values()}))
        raise CellError(_l("%(column)s \"%(value)s\" is not known; use one of: %(allowed)s.",
                           column=column, value=value, allowed=allowed))
    return found


def bool_cell(values: Mapping[str, str], column: str) -> bool:
    value = values.get(column, "").lower()
    if not value or value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise CellError(_l("%(column)s \"%(value)s\" is neither yes nor no; use 1 or 0.",
                       column=column, value=values[column]))


def date_cell(values: Mapping[str, str], column: str) -> date | None:
    value = values.get(column, "")
    if not value:
        return None
    match = DATE_PATTERN.match(value)
    try:
        if not match:
            raise ValueError(value)
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise CellError(_l("%(column)s \"%(value)s\" is not a date; use YYYY-MM-DD.",
                           column=column, value=value)) from None


def _cells(values: Mapping[str, str], line: int, errors: list[RowError], parsers: dict):
    """Run each column's parser; collect every failing column, not just the first."""
    out, failed = {}, False
    for name, parse in parsers.items():
        try:
            out[name] = parse(values)
        except CellError as error:
            errors.append(RowError(line, error.message))
            failed = True
    return None if failed else out


def _read(text: str, columns: Sequence[str]) -> CsvTable | Parsed:
    try:
        return read_table(text, columns)
    except CsvFileError as error:
        return Parsed(errors=[RowError(error.line, error.message)])


def _duplicates(rows: list[tuple[int, object]], key_of, label: str,
                errors: list[RowError]) -> set[int]:
    """Name every later row whose key an earlier row already used."""
    first_line: dict[str, int] = {}
    dropped = set()
    for line, record in rows:
        key = key_of(record)
        if key in first_line:
            errors.append(RowError(line, _l("%(label)s %(value)s is also on line %(other)s.",
                                            label=label, value=key, other=first_line[key])))
            dropped.add(line)
        else:
            first_line[key] = line
    return dropped


# -- staff -----------------------------------------------------------------------------------
def parse_staff_csv(text: str, departments: Mapping[str, DepartmentRef]) -> Parsed:
    """Validate a staff file; ``departments`` maps casefolded codes to departments."""
    table = _read(text, STAFF_COLUMNS)
    if isinstance(table, Parsed):
        return table
    parsed = Parsed(errors=list(table.errors), ignored_columns=table.ignored_columns)
    for line, values in table.rows:
        record = _staff_record(line, values, departments, parsed.errors)
        if record is not None:
            parsed.rows.append((line, record))
    _duplicates(parsed.rows, lambda r: r.employee_number, "employee_number", parsed.errors)
    parsed.errors.sort(key=lambda error: error.sort_key)
    return parsed


def _staff_record(line: int, values: Mapping[str, str], departments: Mapping[str, DepartmentRef],
                  errors: list[RowError]) -> StaffRecord | None:
    cells = _cells(values, line, errors, {
        "employee_number": lambda v: text_cell(v, "employee_number"),
        "name": lambda v: text_cell(v, "name"),
        "staff_group": lambda v: choice_cell(v, "staff_group", STAFF_GROUP_ALIASES),
        "title": lambda v: text_cell(v, "title", required=False),
        "department_code": lambda v: _department_code(v, departments),
        "hire_date": lambda v: date_cell(v, "hire_date"),
        "active": lambda v: bool_cell(v, "active"),
    })
    if cells is None:
        return None
    department = departments[cells["department_code"].casefold()]
    if cells["active"] and not department.active:
        errors.append(RowError(line, _l(
            "department_code %(code)s is an inactive department; an active staff member "
            "cannot be placed there.", code=department.code)))
        return None
    return StaffRecord(**dict(cells, department_code=department.code))


def _department_code(values: Mapping[str, str], departments: Mapping[str, DepartmentRef]) -> str:
    code = text_cell(values, "department_code")
    if code.casefold() not in departments:
        raise CellError(_l("department_code %(code)s is not a known department.", code=code))
    return code


# -- departments -----------------------------------------------------------------------------
def parse_department_csv(text: str, existing: Mapping[str, DepartmentRecord],
                         active_staff: Mapping[str, int]) -> Parsed:
    """Validate a department file against the existing tree.

    ``existing`` and ``active_staff`` are keyed by casefolded code. Parents may come later in
    the file than their children; cycles, unknown parents and deactivations that would leave
    active staff or sub-departments behind are errors.
    """
    table = _read(text, DEPARTMENT_COLUMNS)
    if isinstance(table, Parsed):
        return table
    parsed = Parsed(errors=list(table.errors), ignored_columns=table.ignored_columns)
    for line, values in table.rows:
        record = _department_record(line, values, existing, parsed.errors)
        if record is not None:
            parsed.rows.append((line, record))
    dropped = _duplicates(parsed.rows, lambda r: r.code.casefold(), "code", parsed.errors)
    rows = [(line, record) for line, record in parsed.rows if line not in dropped]
    check = TreeCheck(rows, existing, active_staff, parsed.errors)
    check.run()
    parsed.rows = [(line, check.canonical(record)) for line, record in rows]
    parsed.errors.sort(key=lambda error: error.sort_key)
    return parsed


def _department_record(line: int, values: Mapping[str, str],
                       existing: Mapping[str, DepartmentRecord],
                       errors: list[RowError]) -> DepartmentRecord | None:
    cells = _cells(values, line, errors, {
        "code": _code_cell,
        "name": lambda v: text_cell(v, "name"),
        "kind": lambda v: choice_cell(v, "kind", KIND_ALIASES),
        "parent_code": lambda v: text_cell(v, "parent_code", required=False) or None,
        "active": lambda v: bool_cell(v, "active"),
    })
    if cells is None:
        return None
    current = existing.get(cells["code"].casefold())
    if current is not None:
        # Codes match whatever their case; the stored spelling stays.
        cells["code"] = current.code
    return DepartmentRecord(**cells)


def _code_cell(values: Mapping[str, str]) -> str:
    code = text_cell(values, "code")
    if re.search(r"\s", code):
        raise CellError(_l("code \"%(code)s\" contains a space; codes are one word.", code=code))
    return code


class TreeCheck:
    """Checks a department file against the tree it would produce (parents, cycles, states)."""

    def __init__(self, rows, existing: Mapping[str, DepartmentRecord],
                 active_staff: Mapping[str, int], errors: list[RowError]):
        self.rows = rows
        self.errors = errors
        self.active_staff = active_staff
        # The tree after the import: every existing department, overridden by the file.
        self.final = dict(existing)
        self.final.update({record.code.casefold(): record for _, record in rows})

    def run(self) -> None:
        for line, record in self.rows:
            if self.check_parent(line, record):
                self.check_cycle(line, record)
            self.check_state(line, record)

    def canonical(self, record: DepartmentRecord) -> DepartmentRecord:
        """The record with its parent code spelt as the parent's own code."""
        parent = self.parent_of(record)
        return replace(record, parent_code=parent.code) if parent else record

    def parent_of(self, record: DepartmentRecord) -> DepartmentRecord | None:
        return self.final.get(record.parent_code.casefold()) if record.parent_code else None

    def check_parent(self, line: int, record: DepartmentRecord) -> bool:
        if record.parent_code and self.parent_of(record) is None:
            self.errors.append(RowError(line, _l(
                "parent_code %(code)s is neither in the file nor an existing department.",
                code=record.parent_code)))
            return False
        return True

    def check_cycle(self, line: int, record: DepartmentRecord) -> bool:
        chain, current = [record.code], self.parent_of(record)
        while current is not None:
            chain.append(current.code)
            if current.code.casefold() == record.code.casefold():
                self.errors.append(RowError(line, _l(
                    "Department %(code)s would be its own ancestor: %(chain)s.",
                    code=record.code, chain=" → ".join(chain))))
                return False
            if len(chain) > len(self.final):
                return True  # a loop above this row; reported on the rows that make it
            current = self.parent_of(current)
        return True

    def check_state(self, line: int, record: DepartmentRecord) -> None:
        parent = self.parent_of(record)
        if record.active and parent is not None and not parent.active:
            self.errors.append(RowError(line, _l(
                "Department %(code)s is active but its parent %(parent)s is inactive.",
                code=record.code, parent=parent.code)))
        if record.active:
            return
        staff = self.active_staff.get(record.code.casefold(), 0)
        children = [other.code for other in self.final.values()
                    if other.active and other.parent_code
                    and other.parent_code.casefold() == record.code.casefold()]
        if staff or children:
            self.errors.append(RowError(line, _l(
                "Department %(code)s cannot be deactivated: it still has %(staff)s active staff "
                "and %(children)s active sub-departments%(list)s.", code=record.code, staff=staff,
                children=len(children),
                list=f" ({', '.join(sorted(children))})" if children else "")))


def department_key(record: DepartmentRecord) -> str:
    return record.code.casefold()


def staff_key(record: StaffRecord) -> str:
    return record.employee_number


def plan_staff(parsed: Parsed, existing: Mapping[str, tuple[int, StaffRecord]]) -> ImportPlan:
    """The change plan for a validated staff file."""
    return plan_import(parsed.rows, existing, staff_key, STAFF_FIELDS)


def plan_departments(parsed: Parsed,
                     existing: Mapping[str, tuple[int, DepartmentRecord]]) -> ImportPlan:
    """The change plan for a validated department file."""
    return plan_import(parsed.rows, existing, department_key, DEPARTMENT_FIELDS)


def record_values(record: object) -> dict:
    """A record as a dict (for the audit log and bulk statements)."""
    return {f.name: getattr(record, f.name) for f in fields(record)}
