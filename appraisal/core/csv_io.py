"""Reading uploaded CSV files and writing safe CSV exports (no database, no request).

Uploads come from Excel as often as from HR systems: UTF-8 with or without a BOM, UTF-16
("Unicode text"), or GB18030/GBK from a Chinese Excel. Exports are UTF-8 with a BOM so
Excel shows Chinese names correctly, and every cell that a spreadsheet would run as a
formula is neutralised.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from appraisal.core.i18n import lazy_gettext as _l

# A cell starting with one of these is run as a formula by Excel and LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DELIMITERS = (",", ";", "\t")


class CsvFileError(ValueError):
    """The file as a whole cannot be read (encoding, header, structure)."""

    def __init__(self, message, line: int | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.line = line


@dataclass(frozen=True)
class RowError:
    """What is wrong with one row (``line`` is the CSV line number; the header is line 1).

    The message is made a plain str at once: a lazy string carries ``__html__`` and Jinja
    would print the file's content inside it unescaped.
    """

    line: int | None
    message: str

    def __post_init__(self):
        object.__setattr__(self, "message", str(self.message))

    @property
    def sort_key(self) -> tuple[int, str]:
        return (self.line or 0, str(self.message))


@dataclass
class CsvTable:
    """The data rows of a file, each with the line it starts on, keyed by column name."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def decode_upload(data: bytes) -> str:
    """The text of an uploaded file: UTF-8 (BOM or not), UTF-16 with a BOM, else GB18030."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return _decode(data[len(bom):], encoding)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # GB18030 is the superset of GBK and GB2312: what a Chinese Excel writes as "CSV".
    return _decode(data, "gb18030")


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise CsvFileError(_l("The file is not readable text. Save it from Excel as \"CSV UTF-8 "
                              "(comma delimited)\" and upload it again.")) from error


def read_table(text: str, required: Sequence[str], optional: Sequence[str] = ()) -> CsvTable:
    """Split ``text`` into rows keyed by the expected column names.

    Raises CsvFileError when the header is unusable; problems with single rows (too many
    values) are collected in ``table.errors``.
    """
    if "\x00" in text:
        raise CsvFileError(_l("The file contains binary data. Upload a CSV file."))
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = next(reader, None)
        if header is None:
            raise CsvFileError(_l("The file is empty."))
        table = _table_for(header, required, optional)
        last_line = reader.line_num
        for cells in reader:
            start, last_line = last_line + 1, reader.line_num
            _add_row(table, start, cells)
    except csv.Error as error:
        raise CsvFileError(_l("Line %(line)s cannot be read as CSV (%(reason)s).",
                              line=reader.line_num, reason=str(error)), reader.line_num) from error
    if not table.rows and not table.errors:
        raise CsvFileError(_l("The file has a header but no data rows."))
    return table


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    return max(DELIMITERS, key=first_line.count)


def _table_for(header: list[str], required: Sequence[str], optional: Sequence[str]) -> CsvTable:
    names = [cell.strip().lstrip("\ufeff").lower() for cell in header]
    seen = set()
    for name in names:
        if name and name in seen:
            raise CsvFileError(_l("The column %(column)s appears twice in the header.",
                                  column=name), 1)
        seen.add(name)
    missing = [name for name in required if name not in seen]
    if missing:
        raise CsvFileError(_l("The header (line 1) lacks the column(s): %(columns)s. Expected "
                              "columns: %(expected)s.", columns=", ".join(missing),
                              expected=", ".join([*required, *optional])), 1)
    known = set(required) | set(optional)
    return CsvTable(columns=names,
                    ignored_columns=[name for name in names if name and name not in known])


def _add_row(table: CsvTable, line: int, cells: list[str]) -> None:
    if not any(cell.strip() for cell in cells):
        return  # blank lines and Excel's trailing ",,,," rows
    width = len(table.columns)
    extra = [cell for index, cell in enumerate(cells) if index >= width and cell.strip()]
    if extra:
        table.errors.append(RowError(line, _l(
            "This row has %(n)s values but the header has %(width)s columns (a comma inside a "
            "value needs quotes).", n=len(cells), width=width)))
        return
    values = {name: unneutralise(cells[index].strip()) if index < len(cells) else ""
              for index, name in enumerate(table.columns) if name}
    table.rows.append((line, values))


def unneutralise(value: str) -> str:
    """Undo our own export's formula guard, so an exported file imports unchanged."""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@":
        return value[1:]
    return value


def neutralise(value: object) -> str:
    """A cell value a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text with a UTF-8 BOM (so Excel detects the encoding) and neutralised cells."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
    return buffer.getvalue()
