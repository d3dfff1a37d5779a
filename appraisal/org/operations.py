"""Organisation operations: departments and staff (audited, never committing)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, insert, literal, update

from appraisal.core import audit
from appraisal.core.db import utcnow
from appraisal.core.i18n import lazy_gettext as _l
from appraisal.extensions import db
from appraisal.org import queries
from appraisal.org.importing import (
    DepartmentRecord,
    DepartmentRef,
    ImportPlan,
    StaffRecord,
    record_values,
)
from appraisal.org.models import (
    Department,
    DepartmentKind,
    ImportKind,
    ImportStatus,
    OrgImportBatch,
    Staff,
    StaffGroup,
)


class OrgError(ValueError):
    """A refused change; ``message`` says why, ``field`` names the form field concerned."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        # A plain str: a lazy string has __html__, so Jinja would not escape the names in it.
        self.message = str(message)
        self.field = field


# -- departments -----------------------------------------------------------------------------
def create_department(actor, *, code: str, name: str, kind: DepartmentKind,
                      parent: Department | None = None) -> Department:
    """A new department under ``parent`` (a hospital when no parent)."""
    _check_code_free(code)
    if parent is not None and not parent.active:
        raise OrgError(_l("%(parent)s is inactive: reactivate it before adding departments "
                          "under it.", parent=parent.name), "parent")
    department = Department(code=code.strip(), name=name.strip(), kind=kind, parent=parent)
    db.session.add(department)
    db.session.flush()
    department.path = f"{parent.path if parent else '/'}{department.id}/"
    audit.record(actor, "department.created", department, new={
        "code": department.code, "name": department.name, "kind": kind,
        "parent_id": parent.id if parent else None})
    return department


def _check_code_free(code: str, department: Department | None = None) -> None:
    other = queries.department_code_taken(code, department.id if department else None)
    if other is not None:
        raise OrgError(_l("The code %(code)s is already used by %(name)s.",
                          code=other.code, name=other.name), "code")


def update_department(actor, department: Department, *, code: str, name: str,
                      kind: DepartmentKind) -> bool:
    """Rename a department or change its code or kind; False when nothing changed."""
    _check_code_free(code, department)
    old, new = audit.changes(department, {"code": code.strip(), "name": name.strip(),
                                          "kind": kind})
    if new:
        audit.record(actor, "department.updated", department, old=old, new=new)
    return bool(new)


def move_department(actor, department: Department, new_parent: Department | None) -> None:
    """Put ``department`` (with its whole subtree) under ``new_parent``."""
    if not department.can_move_under(new_parent):
        raise OrgError(_l("%(name)s cannot be moved under %(parent)s: that is the department "
                          "itself or one of its own sub-departments.",
                          name=department.name, parent=new_parent.name), "parent")
    if new_parent is not None and department.active and not new_parent.active:
        raise OrgError(_l("%(parent)s is inactive: an active department cannot be moved "
                          "under it.", parent=new_parent.name), "parent")
    if department.parent_id == (new_parent.id if new_parent else None):
        raise OrgError(_l("%(name)s is already there.", name=department.name), "parent")
    old = {"parent_id": department.parent_id, "path": department.path}
    new_path = f"{new_parent.path if new_parent else '/'}{department.id}/"
    department.parent = new_parent
    _rewrite_paths(department.path, new_path)
    audit.record(actor, "department.moved", department, old=old,
                 new={"parent_id": new_parent.id if new_parent else None, "path": new_path})


def _rewrite_paths(old_path: str, new_path: str) -> None:
    """One UPDATE for the whole subtree: swap the ``old_path`` prefix for ``new_path``."""
    db.session.flush()
    db.session.execute(
        update(Department)
        .where(Department.path.startswith(old_path, autoescape=True))
        .values(path=literal(new_path) + func.substr(Department.path, len(old_path) + 1)),
        execution_options={"synchronize_session": "fetch"},
    )


def deactivate_department(actor, department: Department) -> None:
    """Mark a department inactive; refused while it has active staff or sub-departments."""
    if not department.active:
        raise OrgError(_l("%(name)s is already inactive.", name=department.name))
    staff, children = queries.subtree_counts(department)
    if staff or children:
        raise OrgError(_l("%(name)s cannot be deactivated: it still has %(staff)s active staff "
                          "and %(children)s active sub-departments. Move or deactivate them "
                          "first.", name=department.name, staff=staff, children=children))
    department.active = False
    audit.record(actor, "department.deactivated", department, old={"active": True},
                 new={"active": False})


def reactivate_department(actor, department: Department) -> None:
    """Mark an inactive department active again (its parent must be active)."""
    if department.active:
        raise OrgError(_l("%(name)s is already active.", name=department.name))
    if department.parent is not None and not department.parent.active:
        raise OrgError(_l("%(name)s cannot be reactivated while %(parent)s above it is "
                          "inactive. Reactivate %(parent)s first.",
                          name=department.name, parent=department.parent.name))
    department.active = True
    audit.record(actor, "department.reactivated", department, old={"active": False},
                 new={"active": True})


# -- staff -----------------------------------------------------------------------------------
def _check_staff(fields: dict, staff: Staff | None = None) -> None:
    other = queries.employee_number_taken(fields["employee_number"], staff.id if staff else None)
    if other is not None:
        raise OrgError(_l("The employee number %(number)s already belongs to %(name)s.",
                          number=other.employee_number, name=other.name), "employee_number")
    if fields["active"] and not fields["department"].active:
        raise OrgError(_l("%(name)s is inactive: an active staff member cannot be placed "
                          "there.", name=fields["department"].name), "department")


def _staff_fields(*, employee_number: str, name: str, staff_group: StaffGroup, title: str,
                  department: Department, hire_date: date | None, active: bool) -> dict:
    return {"employee_number": employee_number.strip(), "name": name.strip(),
            "staff_group": staff_group, "title": (title or "").strip(), "department": department,
            "hire_date": hire_date, "active": active}


def create_staff(actor, **values) -> Staff:
    """A new staff member."""
    fields = _staff_fields(**values)
    _check_staff(fields)
    staff = Staff(**fields)
    db.session.add(staff)
    db.session.flush()
    audit.record(actor, "staff.created", staff, new=_audit_view(fields))
    return staff


def update_staff(actor, staff: Staff, **values) -> bool:
    """Change a staff member's record; the audit log keeps the old and new values."""
    fields = _staff_fields(**values)
    _check_staff(fields, staff)
    department = fields.pop("department")
    fields["department_id"] = department.id
    old, new = audit.changes(staff, fields)
    if "department_id" in new:
        staff.department = department
    if new:
        audit.record(actor, "staff.updated", staff, old=old, new=new)
    return bool(new)


def _audit_view(fields: dict) -> dict:
    values = dict(fields)
    department = values.pop("department")
    values["department_id"] = department.id
    return values


# -- CSV imports -----------------------------------------------------------------------------
def create_import_batch(actor, kind: ImportKind, filename: str, text: str) -> OrgImportBatch:
    """Keep an uploaded, valid file until an administrator confirms it."""
    batch = OrgImportBatch(kind=kind, filename=(filename or "")[:255], raw_text=text,
                           created_by_id=getattr(actor, "id", None))
    db.session.add(batch)
    db.session.flush()
    audit.record(actor, f"{kind.value}.import_uploaded", batch,
                 new={"filename": batch.filename, "characters": len(text)})
    return batch


class AlreadyImported(OrgError):
    """Another confirmation (a double click, a second tab) applied this file first."""


def _finish_batch(actor, batch: OrgImportBatch, plan: ImportPlan) -> None:
    # A conditional UPDATE, not a read-then-write: of two concurrent confirmations only one
    # changes the row; the other waits for it and then matches nothing.
    batch_id, kind = batch.id, batch.kind
    claimed = db.session.execute(
        update(OrgImportBatch)
        .where(OrgImportBatch.id == batch_id, OrgImportBatch.status == ImportStatus.pending)
        .values(status=ImportStatus.applied, applied_by_id=getattr(actor, "id", None),
                applied_at=utcnow(), summary=plan.summary())
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise AlreadyImported(_l("This file has already been imported."))
    db.session.expire(batch)
    audit.record(actor, f"{kind.value}.import_applied", object_type="OrgImportBatch",
                 object_id=batch_id, new=plan.summary())


def apply_staff_import(actor, batch: OrgImportBatch, plan: ImportPlan,
                       departments: dict[str, DepartmentRef]) -> None:
    """Create and update the staff of a validated plan, with one audit entry per person.

    Bulk statements: a 5,000-row file is a few executemany calls, not 5,000 round trips.
    """
    batch_id = batch.id
    _finish_batch(actor, batch, plan)
    if plan.creates:
        # executemany without RETURNING (SQLite would fall back to one INSERT per row to
        # return ids in order); the new ids are then read back in a few chunked SELECTs.
        db.session.execute(insert(Staff), [_staff_row(p.record, departments)
                                           for p in plan.creates])
        ids = queries.staff_ids([p.key for p in plan.creates])
        for planned in plan.creates:
            audit.record(actor, "staff.created", object_type="Staff", object_id=ids[planned.key],
                         new={**record_values(planned.record), "import_batch": batch_id})
    if plan.updates:
        db.session.execute(update(Staff), [
            {"id": p.target_id, **_staff_row(p.record, departments)} for p in plan.updates])
        for planned in plan.updates:
            old = {c.field: c.old for c in planned.changes}
            new = {c.field: c.new for c in planned.changes}
            audit.record(actor, "staff.updated", object_type="Staff", object_id=planned.target_id,
                         old=old, new={**new, "import_batch": batch_id})


def _staff_row(record: StaffRecord, departments: dict[str, DepartmentRef]) -> dict:
    values = record_values(record)
    values["department_id"] = departments[values.pop("department_code").casefold()].id
    return values


def apply_department_import(actor, batch: OrgImportBatch, plan: ImportPlan) -> None:
    """Create and update the departments of a validated plan, then recompute every path."""
    batch_id = batch.id
    _finish_batch(actor, batch, plan)
    by_key = {d.code.casefold(): d for d in queries.all_departments()}
    for planned in plan.creates:
        record: DepartmentRecord = planned.record
        by_key[planned.key] = Department(code=record.code, name=record.name, kind=record.kind,
                                         active=record.active, path="")
        db.session.add(by_key[planned.key])
    for planned in plan.creates + plan.updates:
        _apply_department_record(by_key[planned.key], planned.record, by_key)
    db.session.flush()
    _recompute_paths(by_key.values())
    for planned in plan.creates:
        audit.record(actor, "department.created", by_key[planned.key],
                     new={**record_values(planned.record), "import_batch": batch_id})
    for planned in plan.updates:
        audit.record(actor, "department.updated", by_key[planned.key],
                     old={c.field: c.old for c in planned.changes},
                     new={**{c.field: c.new for c in planned.changes}, "import_batch": batch_id})


def _apply_department_record(department: Department, record: DepartmentRecord,
                             by_key: dict[str, Department]) -> None:
    department.name = record.name
    department.kind = record.kind
    department.active = record.active
    department.parent = by_key[record.parent_code.casefold()] if record.parent_code else None


def _recompute_paths(departments) -> None:
    """Set every department's path from its parent chain (ids are known after the flush)."""
    by_id = {d.id: d for d in departments}
    paths: dict[int, str] = {}

    def path_of(department: Department) -> str:
        if department.id not in paths:
            parent = by_id.get(department.parent_id)
            paths[department.id] = f"{path_of(parent) if parent else '/'}{department.id}/"
        return paths[department.id]

    for department in by_id.values():
        if department.path != path_of(department):
            department.path = path_of(department)
