"""Housekeeping: expired Idempotency-Key answers and unconfirmed uploads are removed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from appraisal.core.db import utcnow
from appraisal.extensions import db
from appraisal.jobs.runner import run_job
from appraisal.jobs.scheduler import JOBS
from appraisal.measurements.models import IdempotencyRecord, MeasurementUpload, UploadStatus
from tests.api.helpers import GOOD, audit_entries, build_world, csv_text, issue_token, send
from tests.measurements.helpers import FIRST, confirm, upload


@pytest.fixture
def world(make):
    return build_world(make)


def age(model, row_id: int, **delta) -> None:
    """Make a stored row older than it is."""
    db.session.execute(update(model).where(model.id == row_id)
                       .values(created_at=utcnow() - timedelta(**delta)))
    db.session.commit()


def housekeeping(app):
    result = run_job(app, JOBS["housekeeping"])
    assert result.outcome == "succeeded", result.error
    return result


def test_an_expired_idempotency_key_may_be_used_again(app, client, world):
    _, secret = issue_token()
    first = send(client, world, secret, {"batch_key": "HIS", "measurements": GOOD})
    assert first.status_code == 201
    refused = send(client, world, secret, {"batch_key": "HIS", "measurements": GOOD[:1]})
    assert refused.status_code == 422  # within its lifetime the key is taken
    record = db.session.scalars(select(IdempotencyRecord)).one()
    age(IdempotencyRecord, record.id, days=app.config["IDEMPOTENCY_KEEP_DAYS"], hours=1)
    other = [{"employee_number": "E003", "indicator_code": "VISITS", "value": 900}]
    kept = send(client, world, secret, {"batch_key": "OTHER", "measurements": other},
                key="fresh-key")  # a recent record, which must be kept
    assert kept.status_code == 201

    result = housekeeping(app)

    assert "1 idempotency record(s)" in result.summary
    assert [r.key for r in db.session.scalars(select(IdempotencyRecord))] == ["fresh-key"]
    again = send(client, world, secret, {"batch_key": "HIS", "measurements": GOOD[:1]})
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers


def test_an_unconfirmed_upload_is_discarded_and_its_page_says_so(app, client, auth, world):
    auth.login(world.admin)
    stale = upload(client, world.cycle, csv_text(FIRST), key="STALE")
    fresh = upload(client, world.cycle, csv_text(FIRST), key="FRESH")
    applied = upload(client, world.cycle, csv_text(FIRST), key="APPLIED")
    assert confirm(client, applied).status_code == 302
    uploads = {u.batch_key: u.id for u in db.session.scalars(select(MeasurementUpload))}
    for key in ("STALE", "APPLIED"):
        age(MeasurementUpload, uploads[key], hours=app.config["UPLOAD_KEEP_HOURS"] + 1)

    result = housekeeping(app)

    assert "1 unconfirmed upload(s)" in result.summary
    db.session.expire_all()
    kept = {u.batch_key: u.status for u in db.session.scalars(select(MeasurementUpload))}
    assert kept == {"FRESH": UploadStatus.pending, "APPLIED": UploadStatus.applied}
    [entry] = audit_entries("measurements.upload_discarded")
    assert entry.object_id == str(uploads["STALE"]) and entry.old_values["batch_key"] == "STALE"
    assert entry.actor_id is None

    page = client.get(stale.headers["Location"])
    assert page.status_code == 410
    html = page.get_data(as_text=True)
    assert "This preview has expired" in html and "Nothing from it was imported" in html
    pressed = client.post(f"/measurements/import/{uploads['STALE']}/confirm",
                          data={"replaces": ""})
    assert pressed.status_code == 410
    assert client.get(fresh.headers["Location"]).status_code == 200
    assert client.get("/measurements/import/999999").status_code == 404


def test_a_discarded_upload_is_still_admin_only(app, client, auth, world, make):
    auth.login(world.admin)
    stale = upload(client, world.cycle, csv_text(FIRST), key="STALE")
    upload_id = db.session.scalar(select(func.max(MeasurementUpload.id)))
    age(MeasurementUpload, upload_id, hours=app.config["UPLOAD_KEEP_HOURS"] + 1)
    housekeeping(app)
    auth.logout()
    assert client.get(stale.headers["Location"]).status_code == 302  # to the login page
    auth.login(make.user(username="someone"))
    assert client.get(stale.headers["Location"]).status_code == 403
