"""The alarms job: raise the funnel-plot alarms of every cycle still taking data.

Data arrive by CSV and by the API at any time; this keeps the alarms page and the managers'
notifications current without anyone pressing "recompute". ``refresh_alarms`` is idempotent,
so the job, the button and a second scheduler never raise an alarm twice.
"""

from __future__ import annotations

from datetime import datetime

from appraisal.scorecards.operations import refresh_alarms_of_current_cycles


def refresh_alarms(now: datetime) -> str:
    results = refresh_alarms_of_current_cycles()
    raised = sum(len(result.raised) for result in results.values())
    failed = sum(len(result.failed) for result in results.values())
    return (f"{raised} alarm(s) raised in {len(results)} cycle(s)"
            + (f"; {failed} cohort(s) could not be scored" if failed else ""))
