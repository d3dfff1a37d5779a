"""CSV export of filtered audit rows, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from flask_babel import format_datetime, get_timezone
from flask_babel import gettext as _

from appraisal.audit.display import changes_text
from appraisal.core.csv_io import neutralise

BOM = "\ufeff"


def header() -> list[str]:
    return [
        _("Time (%(tz)s)", tz=str(get_timezone())), _("Username"), _("User"), _("Action"),
        _("Object type"), _("Object id"), _("Changes"), _("Old values (JSON)"),
        _("New values (JSON)"), _("Request id"),
    ]


def row(entry, actor_username, actor_name) -> list[str]:
    return [
        format_datetime(entry.at, "yyyy-MM-dd HH:mm:ss"),
        actor_username or _("system"),
        actor_name or _("system"),
        entry.action, entry.object_type, entry.object_id, changes_text(entry),
        _json(entry.old_values), _json(entry.new_values), entry.request_id,
    ]


def _json(values) -> str:
    return "" if values is None else json.dumps(values, ensure_ascii=False, sort_keys=True)


def csv_lines(rows: Iterable) -> Iterator[str]:
    """The BOM and header, then one CSV line per (entry, username, name) row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([neutralise(cell) for cell in cells])
        return buffer.getvalue()

    yield BOM + line(header())
    for entry, username, name in rows:
        yield line(row(entry, username, name))
