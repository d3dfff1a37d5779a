"""Turn an audit row's old and new values into readable per-field lines."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from appraisal.core.audit import AuditEntry


@dataclass(frozen=True)
class FieldChange:
    """One field of an audit row: its value before and after (None when not recorded)."""

    field: str
    old: str | None
    new: str | None


def field_changes(entry: AuditEntry) -> list[FieldChange]:
    """Every field named in the old or new values, in a stable order."""
    old, new = entry.old_values or {}, entry.new_values or {}
    names = list(old) + [name for name in new if name not in old]
    return [
        FieldChange(name, _shown(old, name), _shown(new, name))
        for name in names
    ]


def _shown(values: dict, name: str) -> str | None:
    return format_value(values[name]) if name in values else None


def format_value(value: Any) -> str:
    """A value as a person reads it: text as is, yes/no, structures as compact JSON."""
    if value is None or value == "":
        return _("(empty)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def changes_text(entry: AuditEntry) -> str:
    """All field changes on one line: "field: old → new; ..." (for the CSV export)."""
    parts = []
    for change in field_changes(entry):
        old = change.old if change.old is not None else "—"
        new = change.new if change.new is not None else "—"
        parts.append(f"{change.field}: {old} → {new}")
    return "; ".join(parts)
