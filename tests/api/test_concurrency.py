"""The same batch sent several times at once imports once (PostgreSQL: real concurrency)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from appraisal.extensions import db
from appraisal.measurements.models import ImportBatch
from tests.api.helpers import bearer, count_measurements
from tests.conftest import POSTGRES

THREADS = 6

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES, reason=(
        "needs PostgreSQL (set DATABASE_URL): SQLite serialises every writer")),
]

BODY = {"batch_key": "HIS", "measurements": [
    {"employee_number": "E001", "indicator_code": "READMIT30", "numerator": 3,
     "denominator": 120},
    {"employee_number": "E002", "indicator_code": "VISITS", "value": 1520}]}


def _send(app, barrier, url, headers, results, errors):
    # Each thread is its own sender: its own client, app context and database session.
    try:
        with app.app_context():
            client = app.test_client()
            barrier.wait(timeout=30)
            response = client.post(url, json=BODY, headers=headers)
            results.append((response.status_code, response.headers.get("Idempotent-Replayed"),
                            response.json.get("batch_id")))
    except Exception as error:  # noqa: BLE001 (any failure is reported by the main thread)
        errors.append(error)


def test_a_retried_batch_sent_concurrently_is_imported_once(app, world, token):
    db.session.commit()
    url = f"/api/v1/cycles/{world.cycle.id}/batches"
    headers = bearer(token[1], **{"Idempotency-Key": "retry-storm"})
    barrier = threading.Barrier(THREADS)
    results, errors = [], []
    threads = [threading.Thread(target=_send, args=(app, barrier, url, headers, results,
                                                    errors)) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    assert sorted(status for status, _, _ in results) == [201] * THREADS
    assert [replayed for _, replayed, _ in results].count(None) == 1
    assert len({batch_id for _, _, batch_id in results}) == 1
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 1
    assert count_measurements() == 2


def test_one_key_sent_at_once_for_two_cycles_imports_one_and_refuses_the_other(
        app, world, token):
    from tests.api.helpers import make_cycle

    other = make_cycle("2026 Q4")
    db.session.commit()
    headers = bearer(token[1], **{"Idempotency-Key": "same-key"})
    urls = [f"/api/v1/cycles/{cycle.id}/batches" for cycle in (world.cycle, other)]
    barrier = threading.Barrier(2)
    results, errors = [], []
    threads = [threading.Thread(target=_send, args=(app, barrier, url, headers, results,
                                                    errors)) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    assert sorted(status for status, _, _ in results) == [201, 422]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 1
