"""Every model, imported once so that the metadata (and Alembic) sees the whole schema."""

from appraisal.auth.models import LoginAttempt, RoleGrant, User, UserSession  # noqa: F401
from appraisal.core.audit import AuditEntry  # noqa: F401
from appraisal.org.models import Department, Staff  # noqa: F401
