"""Matrix rows for the result pages: scorecards and what-if, department results, alarms."""

from appraisal.extensions import db
from appraisal.measurements.models import Alarm
from tests.access.cases import Case
from tests.scorecards import factories


def cycle_of(world):
    """A cycle with a doctors' scheme (clinician_a is a doctor), built once per world.

    Committed: a refused request rolls back, and the next user's call must still find it.
    """
    if not hasattr(world, "results_cycle"):
        world.staff_a, world.staff_b  # noqa: B018  (built and committed with the cycle)
        cycle = factories.cycle()
        world.results_indicator = factories.indicator()
        factories.scheme(cycle, [(world.results_indicator, 1, 0.2, 0.05)])
        world.results_cycle = cycle
        db.session.commit()
    return world.results_cycle


def card_of(staff):
    return lambda w: {"staff_id": getattr(w, staff).id, "cycle_id": cycle_of(w).id}


def alarm_of_staff_a(world):
    if not hasattr(world, "results_alarm"):
        cycle = cycle_of(world)
        alarm = Alarm(cycle_id=cycle.id, staff_id=world.staff_a.id,
                      indicator_id=world.results_indicator.id, observed_rate=0.4,
                      group_rate=0.1, lower_limit=0.01, upper_limit=0.2, denominator=100,
                      side="high")
        db.session.add(alarm)
        db.session.commit()
        world.results_alarm = alarm
    return {"alarm_id": world.results_alarm.id}


OWN_CARD = {"allowed": lambda w: w.clinician_a, "denied": lambda w: w.clinician_b,
            "also_denied": [lambda w: w.manager_b, lambda w: w.nobody, lambda w: w.panel]}
MANAGERS = {"denied": lambda w: w.clinician_a,
            "also_denied": [lambda w: w.nobody, lambda w: w.panel]}

CASES = [
    # One's own scorecard: a user linked to a staff member.
    Case("scorecards.mine", "GET", allowed=lambda w: w.clinician_a, denied=lambda w: w.nobody,
         also_denied=[lambda w: w.manager_a, lambda w: w.panel]),

    # A scorecard and its what-if: the person, their manager, an administrator.
    Case("scorecards.person", "GET", args=card_of("staff_a"), **OWN_CARD),
    Case("scorecards.person", "GET", args=card_of("staff_a"), allowed=lambda w: w.manager_a,
         denied=lambda w: w.manager_b),
    Case("scorecards.person", "GET", args=card_of("staff_b"), allowed=lambda w: w.admin,
         denied=lambda w: w.manager_a, also_denied=[lambda w: w.clinician_a]),
    Case("scorecards.whatif", "POST", args=card_of("staff_a"), **OWN_CARD),
    Case("scorecards.whatif", "POST", args=card_of("staff_a"), allowed=lambda w: w.manager_a,
         denied=lambda w: w.manager_b),
    Case("scorecards.whatif_json", "POST", args=card_of("staff_a"), **OWN_CARD),
    Case("scorecards.whatif_json", "POST", args=card_of("staff_a"), allowed=lambda w: w.admin,
         denied=lambda w: w.manager_b),

    # Department results: managers within their departments, administrators everywhere.
    Case("scorecards.departments", "GET", allowed=lambda w: w.manager_b, **MANAGERS),
    Case("scorecards.department", "GET", args=lambda w: {"department_id": w.dept_a1.id},
         allowed=lambda w: w.manager_a, denied=lambda w: w.manager_b,
         also_denied=[lambda w: w.clinician_a, lambda w: w.nobody]),
    Case("scorecards.department", "GET", args=lambda w: {"department_id": w.dept_b1.id},
         allowed=lambda w: w.admin, denied=lambda w: w.manager_a),

    # Alarms: listed for managers and administrators; acknowledged by the person's manager;
    # recomputed by the performance office.
    Case("scorecards.alarms", "GET", allowed=lambda w: w.manager_a, **MANAGERS),
    Case("scorecards.alarms_refresh", "POST", allowed=lambda w: w.admin,
         denied=lambda w: w.manager_a,
         also_denied=[lambda w: w.clinician_a, lambda w: w.nobody],
         data=lambda w: {"cycle": str(cycle_of(w).id)}),
    Case("scorecards.alarm_acknowledge", "POST", args=alarm_of_staff_a,
         allowed=lambda w: w.manager_a, denied=lambda w: w.manager_b,
         also_denied=[lambda w: w.clinician_a, lambda w: w.nobody],
         data=lambda w: {"note": "Reviewed with the head of department."}),
]
