"""Matrix rows for the indicator library: admin pages, and the page everyone may read."""

from appraisal.indicators.models import IndicatorKind
from tests.access.cases import Case
from tests.cycles import factories


def indicator(world):
    if "_indicator" not in world.__dict__:  # the same object for every user of one world
        world.__dict__["_indicator"] = factories.indicator("READMIT", IndicatorKind.rate)
    return {"indicator_id": world.__dict__["_indicator"].id}


def indicator_form(world):
    return {"code": "NEW1", "name": "New indicator", "explanation": "What it measures.",
            "dimension": "patient", "kind": "value", "unit": "points", "direction": "higher",
            "data_source": "survey", "plausible_min": "0", "plausible_max": "100"}


ADMIN_ONLY = {"allowed": lambda w: w.admin, "denied": lambda w: w.manager_a,
                  "also_denied": [lambda w: w.clinician_a, lambda w: w.nobody, lambda w: w.panel]}

CASES = [
    Case("indicators.index", "GET", **ADMIN_ONLY),
    Case("indicators.create", "GET", **ADMIN_ONLY),
    Case("indicators.create", "POST", **ADMIN_ONLY, data=indicator_form),
    Case("indicators.load_library", "POST", **ADMIN_ONLY),
    # Clinicians must be able to read what they are measured on: open to every logged-in user.
    Case("indicators.detail", "GET", args=indicator, allowed=lambda w: w.nobody),
    Case("indicators.detail", "GET", args=indicator, allowed=lambda w: w.clinician_a),
    Case("indicators.edit", "GET", **ADMIN_ONLY, args=indicator),
    Case("indicators.edit", "POST", **ADMIN_ONLY, args=indicator,
         data=lambda w: dict(indicator_form(w), code="READMIT", kind="rate")),
    Case("indicators.deactivate", "POST", **ADMIN_ONLY, args=indicator),
    Case("indicators.reactivate", "POST", **ADMIN_ONLY, args=indicator),
]
