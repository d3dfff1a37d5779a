"""Queries of the measurement import: bulk look-ups for validation, and the admin lists."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased, contains_eager

from appraisal.auth.models import User
from appraisal.cycles.models import STATE_LABELS, Cycle
from appraisal.extensions import db
from appraisal.indicators.models import Indicator
from appraisal.measurements.importing import Context, IndicatorRef
from appraisal.measurements.models import (
    ApiToken,
    Dispute,
    ImportBatch,
    Measurement,
    MeasurementUpload,
)
from appraisal.org.models import Staff

# Up to this many distinct employee numbers are looked up with IN; a bigger batch reads every
# staff number in one statement instead (a hospital has far fewer staff than a batch has rows).
IN_LIMIT = 1000


def staff_ids(numbers: Iterable[str]) -> dict[str, int]:
    """Employee number -> staff id for these numbers (one statement)."""
    numbers = {number for number in numbers if number}
    query = select(Staff.employee_number, Staff.id)
    if len(numbers) <= IN_LIMIT:
        query = query.where(Staff.employee_number.in_(numbers))
    return {number: staff_id for number, staff_id in db.session.execute(query)}


def indicator_refs() -> dict[str, IndicatorRef]:
    """Every library indicator keyed by its casefolded code (one statement)."""
    rows = db.session.execute(select(
        Indicator.id, Indicator.code, Indicator.name, Indicator.kind, Indicator.active,
        Indicator.risk_adjustable, Indicator.plausible_min, Indicator.plausible_max))
    return {row.code.casefold(): IndicatorRef(*row) for row in rows}


def current_batch(cycle_id: int, batch_key: str) -> ImportBatch | None:
    """The batch of this cycle with this key that has not been replaced."""
    return db.session.scalar(select(ImportBatch).where(
        ImportBatch.cycle_id == cycle_id, ImportBatch.batch_key == batch_key,
        ImportBatch.replaced_by_id.is_(None)).order_by(ImportBatch.id.desc()).limit(1))


def taken_elsewhere(cycle_id: int, batch_key: str,
                    indicator_ids: Iterable[int]) -> dict[tuple[int, int], str]:
    """(staff, indicator) pairs of these indicators that other batches of the cycle provide."""
    ids = set(indicator_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Measurement.staff_id, Measurement.indicator_id, ImportBatch.batch_key)
        .join(ImportBatch, Measurement.batch_id == ImportBatch.id)
        .where(Measurement.cycle_id == cycle_id, Measurement.indicator_id.in_(ids),
               ImportBatch.batch_key != batch_key))
    return {(staff_id, indicator_id): key for staff_id, indicator_id, key in rows}


def disputed_in(batch_id: int | None) -> dict[tuple[int, int], tuple[int, str, str]]:
    """Measurements of a batch that carry a dispute: pair -> (dispute id, number, code)."""
    if batch_id is None:
        return {}
    rows = db.session.execute(
        select(Measurement.staff_id, Measurement.indicator_id, Dispute.id,
               Staff.employee_number, Indicator.code)
        .join(Dispute, Dispute.measurement_id == Measurement.id)
        .join(Staff, Staff.id == Measurement.staff_id)
        .join(Indicator, Indicator.id == Measurement.indicator_id)
        .where(Measurement.batch_id == batch_id).order_by(Dispute.id))
    return {(s, i): (dispute_id, number, code) for s, i, dispute_id, number, code in rows}


def import_context(cycle: Cycle, batch_key: str, numbers: set[str],
                   codes: set[str]) -> Context:
    """Everything validation needs, in five statements whatever the batch size."""
    indicators = indicator_refs()
    named = [indicators[code].id for code in codes if code in indicators]
    replaced = current_batch(cycle.id, batch_key)
    return Context(
        cycle_name=cycle.name, cycle_state=STATE_LABELS[cycle.state],
        accepts_measurements=cycle.accepts_measurements,
        staff=staff_ids(numbers), indicators=indicators,
        taken=taken_elsewhere(cycle.id, batch_key, named),
        disputed=disputed_in(replaced.id if replaced else None))


def old_measurements(batch_id: int) -> list:
    """The measurements of a batch about to be replaced, with names for the audit record."""
    return list(db.session.execute(
        select(Measurement.id, Measurement.staff_id, Measurement.indicator_id,
               Measurement.numerator, Measurement.denominator, Measurement.value,
               Measurement.expected, Staff.employee_number, Indicator.code)
        .join(Staff, Staff.id == Measurement.staff_id)
        .join(Indicator, Indicator.id == Measurement.indicator_id)
        .where(Measurement.batch_id == batch_id)
        .order_by(Staff.employee_number, Indicator.code)))


def disputed_measurement_ids(batch_id: int) -> set[int]:
    return set(db.session.scalars(
        select(Measurement.id).join(Dispute, Dispute.measurement_id == Measurement.id)
        .where(Measurement.batch_id == batch_id)))


def lock_cycle(cycle_id: int) -> None:
    """Serialise imports into one cycle (PostgreSQL row lock; SQLite locks the whole file)."""
    db.session.execute(select(Cycle.id).where(Cycle.id == cycle_id).with_for_update())


# -- admin pages -----------------------------------------------------------------------------
def cycles() -> list[Cycle]:
    return list(db.session.scalars(select(Cycle).order_by(Cycle.start_date.desc(), Cycle.id)))


def batches_select(cycle_id: int | None = None) -> Select:
    """Import batches, newest first, each with who sent it: rows of (batch, user, token)."""
    query = (select(ImportBatch, User, ApiToken)
             .join(ImportBatch.cycle).options(contains_eager(ImportBatch.cycle))
             .outerjoin(User, User.id == ImportBatch.created_by_id)
             .outerjoin(ApiToken, ApiToken.id == ImportBatch.api_token_id)
             .order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc()))
    if cycle_id is not None:
        query = query.where(ImportBatch.cycle_id == cycle_id)
    return query


def batch_sender(batch: ImportBatch) -> tuple[User | None, ApiToken | None]:
    user = db.session.get(User, batch.created_by_id) if batch.created_by_id else None
    token = db.session.get(ApiToken, batch.api_token_id) if batch.api_token_id else None
    return user, token


def batch_measurements_select(batch_id: int) -> Select:
    """A batch's measurements with their staff and indicator, by employee number and code."""
    return (select(Measurement)
            .join(Measurement.staff).join(Measurement.indicator)
            .options(contains_eager(Measurement.staff), contains_eager(Measurement.indicator))
            .where(Measurement.batch_id == batch_id)
            .order_by(Staff.employee_number, Indicator.code))


def replacement_chain(batch: ImportBatch) -> list[ImportBatch]:
    """Every batch of the same cycle and key, oldest first (the batch's history)."""
    return list(db.session.scalars(select(ImportBatch).where(
        ImportBatch.cycle_id == batch.cycle_id, ImportBatch.batch_key == batch.batch_key)
        .order_by(ImportBatch.id)))


def upload_creator(upload: MeasurementUpload) -> User | None:
    return db.session.get(User, upload.created_by_id) if upload.created_by_id else None


def tokens_select() -> Select:
    """API tokens: active ones first, newest first, each with who issued it."""
    issuer = aliased(User)
    return (select(ApiToken, issuer.username)
            .outerjoin(issuer, issuer.id == ApiToken.created_by_id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(),
                      ApiToken.id.desc()))


def token_by_hash(token_hash: str) -> ApiToken | None:
    return db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash))
