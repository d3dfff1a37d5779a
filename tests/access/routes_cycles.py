"""Matrix rows for cycles and schemes: the performance office only."""

from appraisal.indicators.models import IndicatorKind
from tests.access.cases import Case
from tests.cycles import factories
from tests.cycles.helpers import SETTINGS, new_scheme_form


def _once(world, name, build):
    """Build an object once per world: every user of one test sees the same one."""
    if name not in world.__dict__:
        world.__dict__[name] = build()
    return world.__dict__[name]


def _scheme(world):
    def build():
        readmit = factories.indicator("READMIT", IndicatorKind.rate)
        cycle = factories.cycle("2026 Q1")
        return factories.scheme(cycle, name="Doctors", items=[(readmit, 1, 0.2, 0.1)])
    return _once(world, "_scheme", build)


def cycle_args(world):
    return {"cycle_id": _scheme(world).cycle_id}


def later_cycle_args(world):
    _scheme(world)
    return {"cycle_id": _once(world, "_later", lambda: factories.cycle("2026 Q2")).id}


def scheme_args(world):
    return {"scheme_id": _scheme(world).id}


def item_args(world):
    scheme = _scheme(world)
    return {"scheme_id": scheme.id, "item_id": scheme.items[0].id}


def add_item_form(world):
    alos = _once(world, "_alos", lambda: factories.indicator("ALOS", IndicatorKind.value))
    return {"indicator": str(alos.id), "weight": "1", "threshold": "12", "target": "6",
            "min_denominator": "", "red_line_limit": "", "red_line_side": "above"}


CYCLE_FORM = {"name": "2026 Q4", "period": "quarter", "start_date": "2026-10-01",
              "end_date": "2026-12-31"}
ITEM_FORM = {"weight": "2", "threshold": "25", "target": "10", "min_denominator": "",
             "red_line_limit": "", "red_line_side": "above"}
ADMIN_ONLY = {"allowed": lambda w: w.admin, "denied": lambda w: w.manager_a,
                  "also_denied": [lambda w: w.clinician_a, lambda w: w.nobody, lambda w: w.panel]}

CASES = [
    Case("cycles.index", "GET", **ADMIN_ONLY),
    Case("cycles.create", "GET", **ADMIN_ONLY),
    Case("cycles.create", "POST", **ADMIN_ONLY, data=lambda w: CYCLE_FORM),
    Case("cycles.detail", "GET", **ADMIN_ONLY, args=cycle_args),
    Case("cycles.edit", "GET", **ADMIN_ONLY, args=cycle_args),
    Case("cycles.edit", "POST", **ADMIN_ONLY, args=cycle_args, data=lambda w: CYCLE_FORM),
    Case("cycles.transition", "POST", **ADMIN_ONLY, args=cycle_args,
         data=lambda w: {"target": "open"}),
    Case("cycles.scheme_create", "GET", **ADMIN_ONLY, args=cycle_args),
    Case("cycles.scheme_create", "POST", **ADMIN_ONLY, args=cycle_args,
         data=lambda w: new_scheme_form(staff_group="nurse")),
    Case("cycles.scheme_copy", "GET", **ADMIN_ONLY, args=later_cycle_args),
    Case("cycles.scheme_copy", "POST", **ADMIN_ONLY, args=later_cycle_args,
         data=lambda w: {"source": str(_scheme(w).id)}),
    Case("cycles.scheme_detail", "GET", **ADMIN_ONLY, args=scheme_args),
    Case("cycles.scheme_edit", "GET", **ADMIN_ONLY, args=scheme_args),
    Case("cycles.scheme_edit", "POST", **ADMIN_ONLY, args=scheme_args,
         data=lambda w: SETTINGS),
    Case("cycles.scheme_delete", "POST", **ADMIN_ONLY, args=scheme_args),
    Case("cycles.scheme_item_add", "POST", **ADMIN_ONLY, args=scheme_args, data=add_item_form),
    Case("cycles.scheme_item_edit", "GET", **ADMIN_ONLY, args=item_args),
    Case("cycles.scheme_item_edit", "POST", **ADMIN_ONLY, args=item_args,
         data=lambda w: ITEM_FORM),
    Case("cycles.scheme_item_remove", "POST", **ADMIN_ONLY, args=item_args),
]
