"""Measurement batches: reading a CSV and validating rows (no database, no request).

The CSV upload and the JSON API give the same raw rows (a row number and a mapping of column
to cell) to ``validate_batch`` together with a ``Context``: plain snapshots of the staff, the
indicator library, the cycle, and the measurements other batches already provide. It returns
the valid rows and every error, each naming its row (the CSV line, or the 1-based position in
the API's list), the field and the reason. A batch with any error imports nothing.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from appraisal.core.i18n import lazy_gettext as _l
from appraisal.indicators.models import KIND_LABELS, IndicatorKind

REQUIRED_COLUMNS = ("employee_number", "indicator_code")
NUMBER_COLUMNS = ("numerator", "denominator", "value", "expected")
COLUMNS = (*REQUIRED_COLUMNS, *NUMBER_COLUMNS)
BATCH_KEY_MAX = 120
DELIMITERS = (",", ";", "\t")

RawRow = tuple[int, Mapping[str, object]]
Pair = tuple[int, int]  # (staff id, indicator id)


# -- snapshots and results -------------------------------------------------------------------
@dataclass(frozen=True)
class IndicatorRef:
    """What validation needs to know about a library indicator."""

    id: int
    code: str
    name: str
    kind: IndicatorKind
    active: bool
    risk_adjustable: bool
    plausible_min: float | None
    plausible_max: float | None


@dataclass(frozen=True)
class Context:
    """The database as validation sees it (built by ``queries.import_context``)."""

    cycle_name: str
    cycle_state: object  # its label (a lazy string)
    accepts_measurements: bool
    staff: Mapping[str, int]  # employee number -> staff id
    indicators: Mapping[str, IndicatorRef]  # casefolded code -> indicator
    # Pairs another current batch of the cycle provides, with that batch's key.
    taken: Mapping[Pair, str] = field(default_factory=dict)
    # Pairs of the batch being replaced that carry a dispute: (dispute id, number, code).
    disputed: Mapping[Pair, tuple[int, str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class RowError:
    """One problem: ``row`` is the CSV line or API position (None: the whole batch)."""

    row: int | None
    field: str | None
    message: object

    def as_json(self) -> dict:
        return {"row": self.row, "field": self.field, "message": str(self.message)}


class MeasurementRow(NamedTuple):
    """A valid row, resolved to ids (a tuple: a batch can hold hundreds of thousands)."""

    row: int
    employee_number: str
    indicator_code: str
    staff_id: int
    indicator_id: int
    numerator: float | None
    denominator: float | None
    value: float | None
    expected: float | None

    @property
    def pair(self) -> Pair:
        return (self.staff_id, self.indicator_id)

    @property
    def values(self) -> tuple:
        return (self.numerator, self.denominator, self.value, self.expected)


@dataclass
class Checked:
    """The outcome of validating a batch: usable only when ``ok``."""

    rows: list[MeasurementRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def bad_rows(self) -> int:
        return len({error.row for error in self.errors if error.row is not None})

    def counts_by_indicator(self) -> Counter:
        return Counter(row.indicator_code for row in self.rows)

    @property
    def staff_count(self) -> int:
        return len({row.staff_id for row in self.rows})


@dataclass
class Diff:
    """A new batch compared with the batch of the same key it replaces."""

    matched: int = 0  # pairs in both
    changed: int = 0  # ... whose values differ
    removed: int = 0  # pairs only in the old batch
    gone: list = field(default_factory=list)  # old measurements changed or removed

    def added(self, new_count: int) -> int:
        return new_count - self.matched

    @property
    def unchanged(self) -> int:
        return self.matched - self.changed


def compare(new_rows: Mapping[Pair, MeasurementRow], old: Iterable) -> Diff:
    """Count what a replacement adds, changes and removes (``old``: rows with staff_id,
    indicator_id, numerator, denominator, value and expected)."""
    diff = Diff()
    for m in old:
        new = new_rows.get((m.staff_id, m.indicator_id))
        if new is None:
            diff.removed += 1
            diff.gone.append(m)
            continue
        diff.matched += 1
        if new.values != (m.numerator, m.denominator, m.value, m.expected):
            diff.changed += 1
            diff.gone.append(m)
    return diff


class CellError(ValueError):
    """A cell that cannot be used, with the field it concerns."""

    def __init__(self, field_name: str, message) -> None:
        super().__init__(str(message))
        self.field = field_name
        self.message = message


# -- reading a CSV ---------------------------------------------------------------------------
@dataclass
class CsvRows:
    """The raw rows of a measurement CSV, or the errors that stop it being read."""

    rows: list[RawRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def read_csv(text: str) -> CsvRows:
    """Split a measurement CSV into raw rows keyed by column, each with its line number.

    Lean on purpose (a row is one C-level ``dict(zip())``): a batch can have 200,000 rows.
    """
    if "\x00" in text:
        return _file_error(_l("The file contains binary data. Upload a CSV file."))
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""),
                        delimiter=max(DELIMITERS, key=first_line.count))
    try:
        header = next(reader, None)
        if header is None:
            return _file_error(_l("The file is empty."))
        out = _columns(header)
        if out.errors:
            return out
        _read_rows(reader, out, [name.strip().lower() for name in header])
    except csv.Error as error:
        return _file_error(_l("Line %(line)s cannot be read as CSV (%(reason)s).",
                              line=reader.line_num, reason=str(error)), reader.line_num)
    if not out.rows and not out.errors:
        return _file_error(_l("The file has a header but no data rows."))
    return out


def _file_error(message, line: int | None = None) -> CsvRows:
    return CsvRows(errors=[RowError(line, None, message)])


def _columns(header: list[str]) -> CsvRows:
    names = [name.strip().lower() for name in header]
    twice = sorted({name for name in names if name and names.count(name) > 1})
    if twice:
        return _file_error(_l("The column %(column)s appears twice in the header.",
                              column=twice[0]), 1)
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        return _file_error(_l(
            "The header (line 1) lacks the column(s): %(columns)s. Expected columns: "
            "%(expected)s.", columns=", ".join(missing), expected=", ".join(COLUMNS)), 1)
    return CsvRows(ignored_columns=[name for name in names if name and name not in COLUMNS])


def _read_rows(reader, out: CsvRows, names: list[str]) -> None:
    width, last_line = len(names), reader.line_num
    for cells in reader:
        line, last_line = last_line + 1, reader.line_num
        if len(cells) > width and "".join(cells[width:]).strip():
            out.errors.append(RowError(line, None, _l(
                "This row has %(n)s values but the header has %(width)s columns (a comma "
                "inside a value needs quotes).", n=len(cells), width=width)))
        elif "".join(cells).strip():  # blank lines and Excel's trailing ",,,," are skipped
            out.rows.append((line, dict(zip(names, cells))))


def check_batch_key(key: object) -> str:
    """The batch key, stripped; CellError when empty or too long."""
    text = key.strip() if isinstance(key, str) else ""
    if not text:
        raise CellError("batch_key", _l("A batch key is required, e.g. HIS-discharges-2026Q3."))
    if len(text) > BATCH_KEY_MAX:
        raise CellError("batch_key", _l("The batch key is longer than %(n)s characters.",
                                        n=BATCH_KEY_MAX))
    return text


def codes_in(rows: Iterable[RawRow]) -> set[str]:
    """The casefolded indicator codes the raw rows name (to narrow the look-ups)."""
    return {str(cells.get("indicator_code") or "").strip().casefold() for _, cells in rows}


def numbers_in(rows: Iterable[RawRow]) -> set[str]:
    """The employee numbers the raw rows name."""
    return {str(cells.get("employee_number") or "").strip() for _, cells in rows}


# -- validation ------------------------------------------------------------------------------
def validate_batch(rows: Iterable[RawRow], context: Context, *, csv: bool = True) -> Checked:
    """Validate every row; errors are sorted by row and every bad row is named."""
    checked = Checked()
    if not context.accepts_measurements:
        checked.errors.append(RowError(None, "cycle", _l(
            "The cycle %(cycle)s is %(state)s: it accepts measurements only while it is open "
            "or in review.", cycle=context.cycle_name, state=context.cycle_state)))
    first_row: dict[Pair, int] = {}
    named: set[Pair] = set()
    for row_number, cells in rows:
        errors = _row_errors(row_number, cells, context, checked.rows, named)
        checked.errors.extend(errors)
        if not errors:
            _check_unique(checked, first_row, context, csv)
    _check_disputed_kept(checked, context, named)
    if not checked.rows and not checked.errors:
        checked.errors.append(RowError(None, None, _l("The batch has no measurements.")))
    checked.errors.sort(key=lambda e: (e.row if e.row is not None else -1))
    return checked


def _row_errors(row_number: int, cells: Mapping[str, object], context: Context,
                out: list[MeasurementRow], named: set[Pair]) -> list[RowError]:
    problems: list[CellError] = []
    number, staff_id = _staff(cells, context, problems)
    indicator = _indicator(cells, context, problems)
    numbers = []
    for name in NUMBER_COLUMNS:
        value = cells.get(name)
        if value is None or value == "":  # the common case, without a call
            numbers.append(None)
            continue
        try:
            numbers.append(_number(value, name))
        except CellError as error:
            problems.append(error)
    if staff_id is not None and indicator is not None:
        named.add((staff_id, indicator.id))
        if not problems:
            problems = _value_errors(indicator, *numbers)
            if not problems:
                out.append(MeasurementRow(row_number, number, indicator.code, staff_id,
                                          indicator.id, *numbers))
    return [RowError(row_number, problem.field, problem.message) for problem in problems]


def _staff(cells: Mapping[str, object], context: Context,
           problems: list[CellError]) -> tuple[str, int | None]:
    try:
        number = _text(cells, "employee_number")
    except CellError as error:
        problems.append(error)
        return "", None
    staff_id = context.staff.get(number)
    if staff_id is None:
        problems.append(CellError("employee_number", _l(
            "Unknown staff: no staff member has the employee number %(number)s.",
            number=number)))
    return number, staff_id


def _text(cells: Mapping[str, object], name: str) -> str:
    value = cells.get(name)
    if type(value) is str and (text := value.strip()):  # the common case first
        return text
    value = "" if value is None else value
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise CellError(name, _l("%(field)s must be text.", field=name))
    text = str(value).strip()
    if not text:
        raise CellError(name, _l("%(field)s is empty.", field=name))
    return text


def _indicator(cells: Mapping[str, object], context: Context,
               problems: list[CellError]) -> IndicatorRef | None:
    try:
        code = _text(cells, "indicator_code")
    except CellError as error:
        problems.append(error)
        return None
    indicator = context.indicators.get(code.casefold())
    if indicator is None:
        problems.append(CellError("indicator_code", _l(
            "Unknown indicator: no indicator has the code %(code)s.", code=code)))
    elif not indicator.active:
        problems.append(CellError("indicator_code", _l(
            "The indicator %(code)s is inactive and takes no measurements.",
            code=indicator.code)))
        return None
    return indicator


def _number(value: object, name: str) -> float | None:
    """A finite number from a CSV cell or a JSON value; None for an empty cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = math.nan
    if isinstance(value, str):
        # A leading apostrophe is how spreadsheet exports keep "-5" from being a formula.
        text = value.strip().removeprefix("'")
        try:
            number = float(text)
        except ValueError:
            pass
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:  # an integer too big for a float
            pass
    if not math.isfinite(number):
        raise CellError(name, _l("%(field)s is not a number: %(text)s", field=name,
                                 text=str(value)[:40]))
    return number


def _value_errors(indicator: IndicatorRef, *numbers: float | None) -> list[CellError]:
    if indicator.kind is IndicatorKind.rate:
        return _rate_errors(indicator, *numbers)
    return _value_kind_errors(indicator, *numbers)


def _rate_errors(indicator: IndicatorRef, numerator, denominator, value, expected):
    errors = [CellError(name, _l(
        "%(code)s is a rate: numerator and denominator are both required.",
        code=indicator.code)) for name, number in (("numerator", numerator),
                                                   ("denominator", denominator)) if number is None]
    if value is not None:
        errors.append(CellError("value", _l(
            "%(code)s is a rate: leave value empty and give numerator and denominator.",
            code=indicator.code)))
    errors += _negative(indicator, numerator=numerator, denominator=denominator)
    errors += _expected_errors(indicator, expected)
    if errors:
        return errors
    if numerator > denominator:
        return [CellError("numerator", _l(
            "numerator (%(numerator)s) is greater than denominator (%(denominator)s).",
            numerator=_show(numerator), denominator=_show(denominator)))]
    if denominator > 0 and not _plausible(indicator, numerator / denominator):
        return [CellError("numerator", _l(
            "The rate %(rate)s (numerator / denominator) is outside the plausible range of "
            "%(code)s (%(range)s).", rate=_show(round(numerator / denominator, 6)),
            code=indicator.code, range=_range(indicator)))]
    return []


def _expected_errors(indicator: IndicatorRef, expected) -> list[CellError]:
    if expected is None:
        return []
    if not indicator.risk_adjustable:
        return [CellError("expected", _l(
            "expected is only for risk-adjustable rate indicators; %(code)s is not one: leave "
            "it empty.", code=indicator.code))]
    if expected <= 0:
        return [CellError("expected", _l(
            "expected (the sum of predicted risks) must be greater than 0, not %(number)s.",
            number=_show(expected)))]
    return []


def _value_kind_errors(indicator: IndicatorRef, numerator, denominator, value, expected):
    errors = [CellError(name, _l(
        "%(code)s is a %(kind)s indicator: leave %(field)s empty and give value.",
        code=indicator.code, kind=KIND_LABELS[indicator.kind], field=name))
        for name, number in (("numerator", numerator), ("denominator", denominator),
                             ("expected", expected)) if number is not None]
    if value is None:
        errors.append(CellError("value", _l("%(code)s is a %(kind)s indicator: value is "
                                            "required.", code=indicator.code,
                                            kind=KIND_LABELS[indicator.kind])))
        return errors
    errors += _negative(indicator, value=value)
    if errors:
        return errors
    if indicator.kind is IndicatorKind.count and value != int(value):
        return [CellError("value", _l("A count is a whole number, not %(number)s.",
                                      number=_show(value)))]
    if not _plausible(indicator, value):
        return [CellError("value", _l(
            "value %(number)s is outside the plausible range of %(code)s (%(range)s).",
            number=_show(value), code=indicator.code, range=_range(indicator)))]
    return []


def _negative(indicator: IndicatorRef, **numbers) -> list[CellError]:
    # Negative numbers are refused unless the indicator's plausible range explicitly allows
    # them (a balance or a change can be negative; counts, rates and times cannot).
    allows = indicator.plausible_min is not None and indicator.plausible_min < 0
    if indicator.kind is IndicatorKind.value and allows:
        return []
    return [CellError(name, _l("%(field)s is negative (%(number)s).", field=name,
                               number=_show(number)))
            for name, number in numbers.items() if number is not None and number < 0]


def _plausible(indicator: IndicatorRef, number: float) -> bool:
    low, high = indicator.plausible_min, indicator.plausible_max
    return (low is None or number >= low) and (high is None or number <= high)


def _range(indicator: IndicatorRef) -> str:
    low = "−∞" if indicator.plausible_min is None else _show(indicator.plausible_min)
    high = "∞" if indicator.plausible_max is None else _show(indicator.plausible_max)
    return f"{low} – {high}"


def _show(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def _place(row: int, csv: bool):
    return _l("line %(n)s", n=row) if csv else _l("item %(n)s", n=row)


def _check_unique(checked: Checked, first_row: dict[Pair, int], context: Context,
                  csv: bool) -> None:
    """The row just added must be the only one for its pair, here and in other batches."""
    row = checked.rows[-1]
    pair = (row.staff_id, row.indicator_id)
    if pair in first_row:
        checked.rows.pop()
        checked.errors.append(RowError(row.row, "indicator_code", _l(
            "Duplicate: %(place)s already gives %(code)s for %(number)s.",
            place=_place(first_row[pair], csv), code=row.indicator_code,
            number=row.employee_number)))
    elif (other := context.taken.get(pair)) is not None:
        checked.rows.pop()
        checked.errors.append(RowError(row.row, "indicator_code", _l(
            "%(code)s for %(number)s is already provided by the batch %(batch)s of this "
            "cycle; a measurement comes from one batch only (re-import that batch to change "
            "it).", code=row.indicator_code, number=row.employee_number, batch=other)))
    else:
        first_row[pair] = row.row


def _check_disputed_kept(checked: Checked, context: Context, named: set[Pair]) -> None:
    """A disputed measurement keeps its history: a replacement may change it, not drop it."""
    for pair, (dispute_id, number, code) in context.disputed.items():
        if pair not in named:
            checked.errors.append(RowError(None, None, _l(
                "%(code)s for %(number)s has a dispute (#%(id)s) in the batch being replaced "
                "but is missing from this batch; its history must stay, so include it.",
                code=code, number=number, id=dispute_id)))
