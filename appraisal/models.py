"""Every model, imported once so that the metadata (and Alembic) sees the whole schema."""

from appraisal.auth.models import LoginAttempt, RoleGrant, User, UserSession  # noqa: F401
from appraisal.core.audit import AuditEntry  # noqa: F401
from appraisal.cycles.models import Cycle, Scheme, SchemeIndicator  # noqa: F401
from appraisal.indicators.models import Indicator  # noqa: F401
from appraisal.jobs.models import JobRun  # noqa: F401
from appraisal.measurements.models import (  # noqa: F401
    Alarm,
    ApiToken,
    Dispute,
    Exemption,
    IdempotencyRecord,
    ImportBatch,
    Measurement,
    MeasurementUpload,
)
from appraisal.notifications.models import Notification  # noqa: F401
from appraisal.org.models import (  # noqa: F401
    Department,
    OrgImportBatch,
    Staff,
)
