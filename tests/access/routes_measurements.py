"""Matrix rows for the measurement import pages and the API token pages (administrators).

The JSON API itself (/api/v1) authenticates by bearer token, not by the login cookie: its
authentication is tested route by route in tests/api/test_auth.py.
"""

import io

from appraisal.extensions import db
from appraisal.indicators.models import IndicatorKind
from appraisal.measurements import operations
from appraisal.measurements.models import BatchSource
from tests.access.cases import Case
from tests.api.helpers import make_cycle, make_indicator

CSV = "employee_number,indicator_code,value\nA-001,VISITS,12\n"


def _once(world, name, build):
    # The matrix calls args() and data() once per denied user: build each object once per
    # world, and commit it, so that a refused request's rollback cannot take it away.
    if not hasattr(world, name):
        setattr(world, name, build())
        db.session.commit()
    return getattr(world, name)


def cycle(world):
    def build():
        _ = world.staff_a  # the staff member the file names
        _once(world, "visits", lambda: make_indicator("VISITS", IndicatorKind.count))
        return make_cycle()
    return _once(world, "m_cycle", build)


def batch_args(world):
    def build():
        rows = [(2, {"employee_number": "A-001", "indicator_code": "VISITS", "value": "12"})]
        return operations.import_measurements(world.admin, cycle(world), "HIS", rows,
                                              source=BatchSource.csv).batch
    return {"batch_id": _once(world, "m_batch", build).id}


def upload_args(world):
    return {"upload_id": _once(world, "m_upload", lambda: operations.create_upload(
        world.admin, cycle(world), "HIS", "his.csv", CSV)).id}


def token_args(world):
    return {"token_id": _once(world, "m_token", lambda: operations.issue_token(
        world.admin, "HIS")[0]).id}


def upload_form(world):
    return {"cycle": str(cycle(world).id), "batch_key": "HIS",
            "file": (io.BytesIO(CSV.encode()), "his.csv")}


ADMIN_ONLY = {"allowed": lambda w: w.admin, "denied": lambda w: w.manager_a,
              "also_denied": [lambda w: w.clinician_a, lambda w: w.nobody, lambda w: w.panel]}

CASES = [
    Case("measurements.batches", "GET", **ADMIN_ONLY),
    Case("measurements.batch_detail", "GET", **ADMIN_ONLY, args=batch_args),
    Case("measurements.import_upload", "GET", **ADMIN_ONLY),
    Case("measurements.import_upload", "POST", **ADMIN_ONLY, data=upload_form),
    Case("measurements.import_preview", "GET", **ADMIN_ONLY, args=upload_args),
    Case("measurements.import_confirm", "POST", **ADMIN_ONLY, args=upload_args,
         data=lambda w: {"replaces": "stale"}),
    Case("measurements.tokens", "GET", **ADMIN_ONLY),
    Case("measurements.token_issue", "POST", **ADMIN_ONLY, data=lambda w: {"name": "LIS"}),
    Case("measurements.token_revoke", "GET", **ADMIN_ONLY, args=token_args),
    Case("measurements.token_revoke", "POST", **ADMIN_ONLY, args=token_args),
]
