"""User accounts, role grants, server-side sessions and login attempts."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from appraisal.core.db import Base, utcnow
from appraisal.core.i18n import lazy_gettext as _l
from appraisal.org.models import Department, Staff


class Role(enum.Enum):
    """A granted role. "Clinician" is not granted: it is a user linked to a staff member."""

    admin = "admin"
    manager = "manager"
    panel_member = "panel_member"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.admin: _l("Administrator"),
    Role.manager: _l("Manager"),
    Role.panel_member: _l("Panel member"),
}


class User(UserMixin, Base):
    """A login account, optionally linked to a staff member."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), unique=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # When an administrator last cleared the lockout: failures before it no longer count.
    # A fact (who did what when is in the audit log), not a stored failure counter.
    lockout_cleared_at: Mapped[datetime | None]

    staff: Mapped[Staff | None] = relationship(lazy="joined")
    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", lazy="selectin", cascade="all, delete-orphan"
    )

    # -- Flask-Login -------------------------------------------------------------------
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    # -- roles -------------------------------------------------------------------------
    @property
    def name(self) -> str:
        if self.staff is not None:
            return self.staff.name
        return self.display_name or self.username

    @property
    def is_admin(self) -> bool:
        return any(grant.role is Role.admin for grant in self.grants)

    @property
    def is_manager(self) -> bool:
        return bool(self.managed_departments)

    @property
    def is_panel_member(self) -> bool:
        return any(grant.role is Role.panel_member for grant in self.grants)

    @property
    def is_clinician(self) -> bool:
        return self.staff_id is not None

    @property
    def managed_departments(self) -> list[Department]:
        return [g.department for g in self.grants if g.role is Role.manager and g.department]

    @property
    def role_labels(self) -> list[str]:
        labels = [grant.role.label for grant in self.grants if grant.role is not Role.manager]
        if self.is_manager:
            labels.append(Role.manager.label)
        if self.is_clinician:
            labels.append(str(_l("Clinician")))
        return sorted(set(labels))

    # -- per-object permission rules (pure: they read only loaded attributes) ------------
    def manages(self, department: Department) -> bool:
        """True if the user manages ``department`` or a department above it."""
        return any(department.is_within(managed) for managed in self.managed_departments)

    def can_view_department(self, department: Department) -> bool:
        return self.is_admin or self.manages(department)

    def can_view_staff(self, staff: Staff) -> bool:
        return self.is_admin or self.staff_id == staff.id or self.manages(staff.department)

    def can_administer(self) -> bool:
        return self.is_admin

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class RoleGrant(Base):
    """A role held by a user; a manager grant names the department managed."""

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "role", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, validate_strings=True))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="grants")
    department: Mapped[Department | None] = relationship(lazy="joined")


class SessionEnd(enum.Enum):
    """Why a session is no longer live."""

    ended = "ended"  # logout, password change, deactivation
    idle = "idle"  # no request for SESSION_IDLE_MINUTES
    expired = "expired"  # older than SESSION_ABSOLUTE_HOURS


class UserSession(Base):
    """A server-side login session: the cookie holds only its random id.

    Ending the row (logout, password change, absolute time-out) ends the session on every
    worker at once, and a copied cookie is worthless afterwards. Both time-outs are measured
    on the row, so they hold whatever the browser sends back.
    """

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    ip_address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")

    user: Mapped[User] = relationship()

    def end_reason(self, now: datetime, idle: timedelta, absolute: timedelta
                   ) -> SessionEnd | None:
        """None while the session is live, else why it is over (pure)."""
        if self.ended_at is not None:
            return SessionEnd.ended
        if now - self.created_at >= absolute:
            return SessionEnd.expired
        if now - self.last_seen_at >= idle:
            return SessionEnd.idle
        return None


class LoginAttempt(Base):
    """Every login attempt, successful or not; failures drive the account lockout."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_user_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    succeeded: Mapped[bool]
    ip_address: Mapped[str] = mapped_column(String(64), default="")
