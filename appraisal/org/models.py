"""Department tree and staff members."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from appraisal.core.db import Base, utcnow
from appraisal.core.i18n import lazy_gettext as _l

if TYPE_CHECKING:
    from appraisal.auth.models import User


class DepartmentKind(enum.Enum):
    """Level in the tree: hospital > division > department > ward/team."""

    hospital = "hospital"
    division = "division"
    department = "department"
    ward = "ward"

    @property
    def label(self) -> str:
        return str(DEPARTMENT_KIND_LABELS[self])


DEPARTMENT_KIND_LABELS = {
    DepartmentKind.hospital: _l("Hospital"),
    DepartmentKind.division: _l("Division"),
    DepartmentKind.department: _l("Department"),
    DepartmentKind.ward: _l("Ward / team"),
}


class StaffGroup(enum.Enum):
    """The five staff groups; schemes are defined per group."""

    doctor = "doctor"
    nurse = "nurse"
    technician = "technician"
    pharmacist = "pharmacist"
    admin = "admin"

    @property
    def label(self) -> str:
        return str(STAFF_GROUP_LABELS[self])


STAFF_GROUP_LABELS = {
    StaffGroup.doctor: _l("Doctor"),
    StaffGroup.nurse: _l("Nurse"),
    StaffGroup.technician: _l("Technician"),
    StaffGroup.pharmacist: _l("Pharmacist"),
    StaffGroup.admin: _l("Administration"),
}


class Department(Base):
    """A node of the organisation tree.

    ``path`` is the materialised chain of ids ("/1/4/9/") so that "this department and
    everything below it" is one indexed prefix match, in SQL and in the pure permission rules.
    """

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[DepartmentKind] = mapped_column(
        Enum(DepartmentKind, native_enum=False, length=20, validate_strings=True)
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    path: Mapped[str] = mapped_column(String(400), default="", index=True)
    active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[Department | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Department]] = relationship(
        back_populates="parent", order_by="Department.name"
    )

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def is_within(self, other: Department) -> bool:
        """True if this department is ``other`` or lies below it."""
        return self.path.startswith(other.path)

    def can_move_under(self, parent: Department | None) -> bool:
        """A department may go anywhere except under itself or its own descendants."""
        return parent is None or not parent.is_within(self)

    def __repr__(self) -> str:
        return f"<Department {self.code} {self.name}>"


class Staff(Base):
    """A person employed by the hospital."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_number: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    staff_group: Mapped[StaffGroup] = mapped_column(
        Enum(StaffGroup, native_enum=False, length=20, validate_strings=True), index=True
    )
    title: Mapped[str] = mapped_column(String(120), default="")
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    hire_date: Mapped[date | None]
    active: Mapped[bool] = mapped_column(default=True)

    department: Mapped[Department] = relationship()

    def __repr__(self) -> str:
        return f"<Staff {self.employee_number} {self.name}>"


class ImportKind(enum.Enum):
    """What an organisation CSV import brings in."""

    staff = "staff"
    departments = "departments"


class ImportStatus(enum.Enum):
    """An uploaded file waits for confirmation, then is applied once."""

    pending = "pending"
    applied = "applied"


class OrgImportBatch(Base):
    """An uploaded staff or department CSV, kept between the preview and the confirmation.

    The decoded text is stored, not a parsed form: the confirmation re-validates it against
    the database as it is then, so nothing imported was checked against stale data. Any
    worker can serve the preview and the confirmation, and the row stays as the record of
    what was imported, by whom and when.
    """

    __tablename__ = "org_import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ImportKind] = mapped_column(
        Enum(ImportKind, native_enum=False, length=20, validate_strings=True)
    )
    filename: Mapped[str] = mapped_column(String(255), default="")
    raw_text: Mapped[str] = mapped_column(Text)
    status: Mapped[ImportStatus] = mapped_column(
        Enum(ImportStatus, native_enum=False, length=20, validate_strings=True),
        default=ImportStatus.pending,
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    applied_at: Mapped[datetime | None]
    summary: Mapped[dict | None] = mapped_column(JSON)

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    applied_by: Mapped[User | None] = relationship(foreign_keys=[applied_by_id])

    @property
    def is_pending(self) -> bool:
        return self.status is ImportStatus.pending

    def __repr__(self) -> str:
        return f"<OrgImportBatch {self.id} {self.kind.value} {self.status.value}>"
