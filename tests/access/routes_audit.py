"""Matrix rows for the audit-log page and its export (administrators only)."""

from tests.access.cases import Case

CASES = [
    Case("audit.log", "GET", allowed=lambda w: w.admin, denied=lambda w: w.manager_a,
         also_denied=[lambda w: w.clinician_a, lambda w: w.panel]),
    Case("audit.export", "GET", allowed=lambda w: w.admin, denied=lambda w: w.manager_a,
         also_denied=[lambda w: w.clinician_a]),
]
