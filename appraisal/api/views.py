"""API endpoints: cycles and indicators to read, measurement batches to send."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from flask import Response, request
from flask_babel import gettext as _
from sqlalchemy import select

from appraisal.api import operations as api_ops
from appraisal.api.handlers import ApiError, ApiRH, json_response
from appraisal.core.handlers import RH
from appraisal.cycles.models import Cycle
from appraisal.extensions import db
from appraisal.indicators.models import Indicator
from appraisal.measurements import importing, operations, queries
from appraisal.measurements.importing import COLUMNS, CellError, RawRow, RowError
from appraisal.measurements.models import BatchSource, IdempotencyRecord

OPENAPI_FILE = Path(__file__).with_name("openapi.json")
# A 422 answer lists at most this many errors (``error_count`` gives the total).
MAX_ERRORS = 1000


def cycle_json(cycle: Cycle) -> dict:
    return {"id": cycle.id, "name": cycle.name, "period": cycle.period.value,
            "start_date": cycle.start_date.isoformat(), "end_date": cycle.end_date.isoformat(),
            "state": cycle.state.value, "accepts_measurements": cycle.accepts_measurements}


def indicator_json(indicator: Indicator) -> dict:
    return {"code": indicator.code, "name": indicator.name,
            "explanation": indicator.explanation, "dimension": indicator.dimension.value,
            "kind": indicator.kind.value, "unit": indicator.unit,
            "direction": indicator.direction.value, "data_source": indicator.data_source,
            "risk_adjustable": indicator.risk_adjustable,
            "plausible_min": indicator.plausible_min, "plausible_max": indicator.plausible_max,
            "active": indicator.active}


class RHCycles(ApiRH):
    """Every cycle with its state (measurements are accepted while open or in review)."""

    def process(self) -> Response:
        cycles = db.session.scalars(select(Cycle).order_by(Cycle.start_date, Cycle.id))
        return json_response({"cycles": [cycle_json(cycle) for cycle in cycles]})


class RHIndicators(ApiRH):
    """The indicator library: codes, kinds and plausible ranges a sender must respect."""

    def process(self) -> Response:
        indicators = db.session.scalars(select(Indicator).order_by(Indicator.code))
        return json_response({"indicators": [indicator_json(i) for i in indicators]})


class RHBatchCreate(ApiRH):
    """Send one batch of measurements for a cycle, all or nothing, idempotently."""

    methods = ["POST"]

    def load(self, cycle_id: int) -> None:
        self.cycle_id = cycle_id
        self.key = request.headers.get("Idempotency-Key", "").strip()
        if not self.key:
            raise ApiError(400, _("The Idempotency-Key header is required: a unique value "
                                  "per batch, sent again unchanged when retrying."))
        if len(self.key) > api_ops.KEY_MAX:
            raise ApiError(400, _("The Idempotency-Key header is longer than %(n)s "
                                  "characters.", n=api_ops.KEY_MAX))
        self.body = request.get_json(force=True, silent=True)
        if self.body is None:
            raise ApiError(400, _("The request body is not valid JSON."))
        self.request_hash = api_ops.fingerprint(request.method, request.path, self.body)

    def process(self) -> Response:
        # Requests for one cycle take turns (the lock is held until the commit), so a retry
        # sent while the first request is still running finds its stored answer.
        queries.lock_cycle(self.cycle_id)
        record = api_ops.find_record(self.token, self.key)
        if record is not None:
            return self.replay(record)
        cycle = db.session.get(Cycle, self.cycle_id)
        if cycle is None:
            raise ApiError(404, _("There is no cycle with the id %(id)s.", id=self.cycle_id))
        batch_key, rows = self.parse_body(cycle)
        try:
            outcome = operations.import_measurements(
                None, cycle, batch_key, rows, source=BatchSource.api, api_token=self.token,
                csv_rows=False)
        except operations.ImportRefused as refused:
            raise refusal(refused.errors) from None
        body = {"batch_id": outcome.batch.id, "batch_key": batch_key, "cycle_id": cycle.id,
                "row_count": outcome.row_count,
                "replaced_batch_id": outcome.replaced.id if outcome.replaced else None,
                "added": outcome.added, "changed": outcome.changed,
                "unchanged": outcome.unchanged, "removed": outcome.removed}
        api_ops.store_record(self.token, self.key, self.request_hash, 201, body)
        return json_response(body, 201)

    def parse_body(self, cycle: Cycle) -> tuple[str, list[RawRow]]:
        """The batch key and the raw rows; the body's shape errors (with every row's
        validation errors, when the shape allows validating) as a 422."""
        body = self.body if isinstance(self.body, dict) else {}
        errors: list[RowError] = []
        batch_key = ""
        try:
            batch_key = importing.check_batch_key(body.get("batch_key"))
        except CellError as error:
            errors.append(RowError(None, error.field, error.message))
        items = body.get("measurements")
        if not isinstance(items, list):
            errors.append(RowError(None, "measurements", _(
                "The body must be a JSON object with batch_key and measurements, a list of "
                "objects.")))
            raise refusal(errors)
        rows, shape_errors = _rows(items)
        errors += shape_errors
        if errors:
            if batch_key:
                errors += operations.check_measurements(cycle, batch_key, rows,
                                                        csv_rows=False).errors
            raise refusal(sorted(errors, key=lambda e: -1 if e.row is None else e.row))
        return batch_key, rows

    def replay(self, record: IdempotencyRecord) -> Response:
        if record.request_hash != self.request_hash:
            raise ApiError(422, _("This Idempotency-Key was already used for a different "
                                  "request; send a new request with a new key."), errors=[{
                                      "row": None, "field": "Idempotency-Key",
                                      "message": _("The key was used with another body.")}])
        return json_response(record.response_body, record.response_status,
                             {"Idempotent-Replayed": "true"})

    def on_conflict(self) -> Response:
        # A concurrent request with the same key committed first: answer as it did.
        record = api_ops.find_record(self.token, self.key)
        if record is None:
            return super().on_conflict()
        try:
            return self.replay(record)
        except ApiError as error:
            return error.response()


def _rows(items: list) -> tuple[list[RawRow], list[RowError]]:
    rows, errors = [], []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            errors.append(RowError(number, None, _("Each measurement must be a JSON object.")))
            continue
        for name in sorted(set(item) - set(COLUMNS)):
            errors.append(RowError(number, name, _(
                "Unknown field %(field)s; the fields are: %(fields)s.", field=name,
                fields=", ".join(COLUMNS))))
        rows.append((number, item))
    return rows, errors


def refusal(errors: list[RowError]) -> ApiError:
    """The 422 answer naming every bad row (the first MAX_ERRORS of them)."""
    return ApiError(422, _("The batch has %(n)s error(s); nothing was imported.",
                           n=len(errors)),
                    errors=[error.as_json() for error in errors[:MAX_ERRORS]],
                    error_count=len(errors))


@functools.cache
def openapi_document() -> dict:
    return json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))


class RHOpenApi(RH):
    """The OpenAPI 3.1 description of this API (public: it holds no data)."""

    login_required = False

    def can_access(self) -> bool:
        return True

    def process(self) -> Response:
        return json_response(openapi_document())
