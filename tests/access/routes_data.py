"""Matrix rows for the data pages: my measurements, disputes, exemptions, data quality."""

from appraisal.extensions import db
from appraisal.measurements.models import Dispute, ExemptionState
from tests.access.cases import Case
from tests.data.factories import DataFactory


def _once(world, name, build):
    """Build a world object once per test (the args and the form must name the same one).

    It is committed at once: a refused request rolls its session back, and the next user of
    the same test must still find the objects (PostgreSQL checks the foreign keys).
    """
    if name not in world.__dict__:
        world.__dict__[name] = build(world)
        db.session.commit()
    return world.__dict__[name]


def setup(world):
    """A cycle open for data, a doctors' scheme of one rate, and staff_a's measurement."""
    def build(w):
        factory = DataFactory()
        indicator = factory.indicator("READM", name="30-day readmission", plausible_min=0,
                                      plausible_max=1)
        cycle = factory.cycle("2026 Q1")
        factory.scheme(cycle, [indicator])
        measurement = factory.measurement(w.staff_a, indicator, cycle)
        return factory, indicator, cycle, measurement
    return _once(world, "data_setup", build)


def measurement_a(world):
    return {"measurement_id": setup(world)[3].id}


def dispute_a(world):
    def build(w):
        dispute = Dispute(measurement=setup(w)[3], raised_by=w.clinician_a, reason="wrong")
        db.session.add(dispute)
        db.session.flush()
        return dispute
    return {"dispute_id": _once(world, "data_dispute", build).id}


def exemption_a(world):
    def build(w):
        factory, indicator, cycle, _measurement = setup(w)
        return factory.exemption(cycle, w.staff_a, indicator, w.manager_a,
                                 state=ExemptionState.requested)
    return {"exemption_id": _once(world, "data_exemption", build).id}


def exemption_form(world):
    _factory, indicator, cycle, _measurement = setup(world)
    return {"cycle": str(cycle.id), "staff": str(world.staff_a.id),
            "indicator": str(indicator.id), "reason": "Long sick leave"}


def missing_args(world):
    _factory, indicator, cycle, _measurement = setup(world)
    return {"cycle": cycle.id, "indicator": indicator.id, "department": world.ward_a1a.id}


ADMIN_ONLY = {"allowed": lambda w: w.admin, "denied": lambda w: w.manager_a,
              "also_denied": [lambda w: w.clinician_a, lambda w: w.nobody]}

CASES = [
    # A clinician's own data and disputing it: only the person measured.
    Case("data.my_measurements", "GET", allowed=lambda w: w.clinician_a,
         denied=lambda w: w.nobody, also_denied=[lambda w: w.admin, lambda w: w.manager_a]),
    Case("data.dispute_create", "GET", args=measurement_a, allowed=lambda w: w.clinician_a,
         denied=lambda w: w.clinician_b,
         also_denied=[lambda w: w.admin, lambda w: w.manager_a, lambda w: w.nobody]),
    Case("data.dispute_create", "POST", args=measurement_a, allowed=lambda w: w.clinician_a,
         denied=lambda w: w.clinician_b, also_denied=[lambda w: w.admin, lambda w: w.manager_a],
         data=lambda w: {"reason": "Two of these were planned."}),

    # The data steward's queue and resolutions: administrators.
    Case("data.disputes", "GET", **ADMIN_ONLY),
    Case("data.dispute_detail", "GET", args=dispute_a, allowed=lambda w: w.clinician_a,
         denied=lambda w: w.clinician_b, also_denied=[lambda w: w.manager_a, lambda w: w.nobody]),
    Case("data.dispute_detail", "GET", args=dispute_a, allowed=lambda w: w.admin,
         denied=lambda w: w.panel),
    Case("data.dispute_correct", "POST", args=dispute_a, allowed=lambda w: w.admin,
         denied=lambda w: w.clinician_a,
         also_denied=[lambda w: w.clinician_b, lambda w: w.manager_a],
         data=lambda w: {"correct-numerator": "3", "correct-denominator": "50",
                         "correct-note": "fixed"}),
    Case("data.dispute_reject", "POST", args=dispute_a, allowed=lambda w: w.admin,
         denied=lambda w: w.clinician_a,
         also_denied=[lambda w: w.clinician_b, lambda w: w.manager_a],
         data=lambda w: {"reject-note": "The HIS record is right."}),

    # Exemptions: managers request for their staff, administrators decide.
    Case("data.exemptions", "GET", allowed=lambda w: w.manager_b,
         denied=lambda w: w.clinician_a, also_denied=[lambda w: w.nobody, lambda w: w.panel]),
    Case("data.exemption_create", "GET", allowed=lambda w: w.manager_a,
         denied=lambda w: w.clinician_a, also_denied=[lambda w: w.nobody]),
    Case("data.exemption_create", "GET", args=lambda w: {"staff": w.staff_a.id},
         allowed=lambda w: w.manager_a, denied=lambda w: w.manager_b),
    Case("data.exemption_create", "POST", data=exemption_form, allowed=lambda w: w.manager_a,
         denied=lambda w: w.manager_b, also_denied=[lambda w: w.clinician_a]),
    Case("data.exemption_decide", "POST", args=exemption_a,
         data=lambda w: {"decision": "approve", "note": ""}, **ADMIN_ONLY),

    # Data quality: administrators, and managers for their departments.
    Case("data.quality", "GET", allowed=lambda w: w.manager_b, denied=lambda w: w.clinician_a,
         also_denied=[lambda w: w.nobody, lambda w: w.panel]),
    Case("data.quality", "GET", allowed=lambda w: w.admin, denied=lambda w: w.clinician_b),
    Case("data.quality_missing", "GET", args=missing_args, allowed=lambda w: w.manager_a,
         denied=lambda w: w.manager_b, also_denied=[lambda w: w.clinician_a]),
    Case("data.quality_missing", "GET", args=missing_args, allowed=lambda w: w.admin,
         denied=lambda w: w.nobody),
]
