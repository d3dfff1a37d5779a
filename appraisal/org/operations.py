"""Organisation operations: departments and staff (audited, never committing)."""

from __future__ import annotations

from appraisal.core import audit
from appraisal.extensions import db
from appraisal.org.models import Department, DepartmentKind


def create_department(actor, *, code: str, name: str, kind: DepartmentKind,
                      parent: Department | None = None) -> Department:
    """A new department under ``parent`` (a hospital when no parent)."""
    department = Department(code=code.strip(), name=name.strip(), kind=kind, parent=parent)
    db.session.add(department)
    db.session.flush()
    department.path = f"{parent.path if parent else '/'}{department.id}/"
    audit.record(actor, "department.created", department, new={
        "code": department.code, "name": department.name, "kind": kind,
        "parent_id": parent.id if parent else None})
    return department
