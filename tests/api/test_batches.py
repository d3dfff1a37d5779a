"""POST /api/v1/cycles/<id>/batches: the same validation and apply code as the CSV upload,
422 naming each bad item, idempotency, and JSON for every answer."""

from __future__ import annotations

import io
import json
import re

import pytest
from sqlalchemy import func, select

from appraisal.extensions import db
from appraisal.measurements.models import IdempotencyRecord, ImportBatch
from tests.api.helpers import (
    GOOD,
    audit_entries,
    bearer,
    count_measurements,
    csv_text,
    issue_token,
    measurements_of,
    send,
)


def batches() -> int:
    return db.session.scalar(select(func.count()).select_from(ImportBatch))


# -- success ---------------------------------------------------------------------------------
def test_a_valid_batch_is_imported(client, world, token):
    row, secret = token
    response = send(client, world, secret, {"batch_key": "HIS-2026Q3", "measurements": GOOD})
    assert response.status_code == 201, response.json
    batch = db.session.scalars(select(ImportBatch)).one()
    assert response.json == {"batch_id": batch.id, "batch_key": "HIS-2026Q3",
                             "cycle_id": world.cycle.id, "row_count": 3,
                             "replaced_batch_id": None, "added": 3, "changed": 0,
                             "unchanged": 0, "removed": 0}
    assert (batch.source.value, batch.api_token_id, batch.created_by_id) == ("api", row.id, None)
    assert measurements_of(world.cycle) == [
        ("E001", "MORTALITY", 2.0, 150.0, None, 2.7), ("E001", "READMIT30", 3.0, 120.0, None,
                                                       None),
        ("E002", "VISITS", None, None, 1520.0, None)]
    [entry] = audit_entries("measurements.batch_imported")
    assert entry.actor_id is None and entry.new_values["api_client"] == "HIS nightly"


def test_sending_a_key_again_replaces_the_batch(client, world, token):
    first = send(client, world, token[1], {"batch_key": "HIS", "measurements": GOOD})
    second = send(client, world, token[1], {"batch_key": "HIS", "measurements": GOOD[:1]},
                  key="key-2")
    assert second.status_code == 201
    assert second.json["replaced_batch_id"] == first.json["batch_id"]
    assert (second.json["unchanged"], second.json["removed"]) == (1, 2)
    assert len(measurements_of(world.cycle)) == 1
    assert audit_entries("measurements.batch_replaced")[0].new_values["removed"] == 2


# -- refusals naming rows --------------------------------------------------------------------
def test_bad_items_are_named_by_position_and_nothing_is_imported(client, world, token):
    items = [*GOOD,
             {"employee_number": "E404", "indicator_code": "VISITS", "value": 1},
             {"employee_number": "E002", "indicator_code": "READMIT30", "numerator": 9,
              "denominator": 8},
             {"employee_number": "E003", "indicator_code": "ALOS", "value": "many"},
             {"employee_number": "E001", "indicator_code": "readmit30", "numerator": 1,
              "denominator": 9}]
    response = send(client, world, token[1], {"batch_key": "HIS", "measurements": items})
    assert response.status_code == 422
    assert response.json["error_count"] == 4
    assert [(e["row"], e["field"]) for e in response.json["errors"]] == [
        (4, "employee_number"), (5, "numerator"), (6, "value"), (7, "indicator_code")]
    messages = [e["message"] for e in response.json["errors"]]
    assert messages[0] == "Unknown staff: no staff member has the employee number E404."
    assert messages[3] == "Duplicate: item 1 already gives READMIT30 for E001."
    assert batches() == 0 and count_measurements() == 0
    # A refused request is not stored: the corrected batch may reuse its key.
    assert db.session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0
    assert send(client, world, token[1], {"batch_key": "HIS", "measurements": GOOD}
                ).status_code == 201


@pytest.mark.parametrize("body, expected", [
    ({"measurements": GOOD}, [(None, "batch_key")]),
    ({"batch_key": "  ", "measurements": GOOD}, [(None, "batch_key")]),
    ({"batch_key": "x" * 121, "measurements": GOOD}, [(None, "batch_key")]),
    ({"batch_key": "HIS"}, [(None, "measurements")]),
    ({"batch_key": "HIS", "measurements": {"a": 1}}, [(None, "measurements")]),
    (["not", "an", "object"], [(None, "batch_key"), (None, "measurements")]),
    ({"batch_key": "HIS", "measurements": []}, [(None, None)]),
    ({"batch_key": "HIS", "measurements": [GOOD[0], 7]}, [(2, None)]),
    ({"batch_key": "HIS", "measurements": [dict(GOOD[0], numerater=3), GOOD[2]]},
     [(1, "numerater")]),
    ({"batch_key": "HIS", "measurements": [dict(GOOD[0], numerater=3),
                                           dict(GOOD[2], value=-1)]},
     [(1, "numerater"), (2, "value")]),
], ids=range(10))
def test_the_shape_of_the_body_is_checked(client, world, token, body, expected):
    response = send(client, world, token[1], body)
    assert response.status_code == 422, response.json
    assert [(e["row"], e["field"]) for e in response.json["errors"]] == expected
    assert batches() == 0


def test_a_closed_cycle_is_refused(client, world, token):
    response = send(client, world, token[1], {"batch_key": "HIS", "measurements": GOOD},
                    cycle=world.closed)
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "cycle"
    assert "2025 Q4 is Closed" in response.json["errors"][0]["message"]


def test_the_api_and_the_csv_upload_give_the_same_errors(client, auth, world, token):
    rows = [("E001", "READMIT30", "4", "3", "", ""), ("E009", "VISITS", "", "", "5", ""),
            ("E002", "ALOS", "", "", "70", ""), ("E002", "OLD", "1", "2", "", ""),
            ("E003", "MORTALITY", "1", "10", "", "-2")]
    items = [{k: (float(v) if k in ("numerator", "denominator", "value", "expected") else v)
              for k, v in zip(("employee_number", "indicator_code", "numerator", "denominator",
                               "value", "expected"), row) if v != ""} for row in rows]
    api = send(client, world, token[1], {"batch_key": "HIS", "measurements": items}).json
    auth.login(world.admin)
    page = client.post("/measurements/import", data={
        "cycle": str(world.cycle.id), "batch_key": "HIS",
        "file": (io.BytesIO(csv_text(rows).encode()), "x.csv")},
        content_type="multipart/form-data").get_data(as_text=True)
    csv_errors = re.findall(r'<tr class="bad"><th scope="row">(\d+)</th><td>(\w*)</td>'
                            r'<td>([^<]*)</td>', page)
    # CSV line n is API item n - 1 (the header is line 1).
    assert [(int(line) - 1, field, message) for line, field, message in csv_errors] == [
        (e["row"], e["field"], e["message"]) for e in api["errors"]]
    assert len(csv_errors) == 5


# -- idempotency -----------------------------------------------------------------------------
def test_the_same_key_and_body_replays_the_stored_answer(client, world, token):
    body = {"batch_key": "HIS", "measurements": GOOD}
    first = send(client, world, token[1], body)
    again = send(client, world, token[1], body)
    assert again.status_code == 201 and again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert batches() == 1 and count_measurements() == 3


def test_key_order_and_whitespace_do_not_make_a_different_body(client, world, token):
    first = send(client, world, token[1], {"batch_key": "HIS", "measurements": GOOD})
    items = [dict(reversed(list(item.items()))) for item in GOOD]
    reordered = json.dumps({"measurements": items, "batch_key": "HIS"}, indent=4)
    again = client.post(f"/api/v1/cycles/{world.cycle.id}/batches", data=reordered,
                        content_type="application/json",
                        headers=bearer(token[1], **{"Idempotency-Key": "key-1"}))
    assert again.status_code == 201 and again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"


def test_the_same_key_with_another_body_is_refused(client, world, token):
    send(client, world, token[1], {"batch_key": "HIS", "measurements": GOOD})
    other = send(client, world, token[1], {"batch_key": "HIS", "measurements": GOOD[:1]})
    assert other.status_code == 422
    assert "already used for a different request" in other.json["message"]
    assert other.json["errors"][0]["field"] == "Idempotency-Key"
    assert batches() == 1 and count_measurements() == 3


def test_the_same_key_for_another_cycle_is_another_request(client, world, token):
    from tests.api.helpers import make_cycle

    send(client, world, token[1], {"batch_key": "HIS", "measurements": GOOD})
    second = make_cycle("2026 Q4")
    db.session.commit()
    response = send(client, world, token[1], {"batch_key": "HIS", "measurements": GOOD},
                    cycle=second)
    assert response.status_code == 422 and batches() == 1


def test_keys_belong_to_their_token(client, world, token):
    _other_row, other = issue_token("LIS")
    send(client, world, token[1], {"batch_key": "HIS", "measurements": GOOD[:1]})
    response = send(client, world, other, {"batch_key": "LIS", "measurements": GOOD[1:]})
    assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers


@pytest.mark.parametrize("key, message", [
    (None, "The Idempotency-Key header is required"),
    ("", "The Idempotency-Key header is required"),
    ("k" * 201, "longer than 200 characters"),
])
def test_the_idempotency_key_is_required(client, world, token, key, message):
    response = send(client, world, token[1], {"batch_key": "HIS", "measurements": GOOD},
                    key=key)
    assert response.status_code == 400 and message in response.json["message"]
    assert batches() == 0


# -- JSON everywhere -------------------------------------------------------------------------
def test_a_body_that_is_not_json_is_a_400(client, world, token):
    response = client.post(f"/api/v1/cycles/{world.cycle.id}/batches", data="{not json",
                           content_type="application/json",
                           headers=bearer(token[1], **{"Idempotency-Key": "k"}))
    assert response.status_code == 400 and response.is_json
    assert response.json["message"] == "The request body is not valid JSON."


def test_an_unknown_cycle_is_a_json_404(client, world, token):
    response = send(client, world, token[1], {"batch_key": "HIS", "measurements": GOOD},
                    cycle=type("C", (), {"id": 999})())
    assert response.status_code == 404 and response.is_json
    assert response.json["message"] == "There is no cycle with the id 999."


@pytest.mark.parametrize("method, path", [("GET", "/api/v1/cycles/1/batches"),
                                          ("DELETE", "/api/v1/cycles"),
                                          ("GET", "/api/v1/nothing-here")])
def test_other_errors_are_json_too(client, world, token, method, path):
    response = client.open(path, method=method, headers=bearer(token[1]))
    assert response.status_code in (404, 405)
    assert response.is_json and "<html" not in response.get_data(as_text=True)


def test_no_csrf_token_is_needed(app, client, world, token):
    app.config["WTF_CSRF_ENABLED"] = True
    response = send(client, world, token[1], {"batch_key": "HIS", "measurements": GOOD})
    assert response.status_code == 201


def test_reference_lists(client, world, token):
    cycles = client.get("/api/v1/cycles", headers=bearer(token[1])).json["cycles"]
    assert {(c["name"], c["state"], c["accepts_measurements"]) for c in cycles} == {
        ("2025 Q4", "closed", False), ("2026 Q3", "open", True)}
    assert set(cycles[0]) == {"id", "name", "period", "start_date", "end_date", "state",
                              "accepts_measurements"}
    indicators = client.get("/api/v1/indicators", headers=bearer(token[1])).json["indicators"]
    by_code = {i["code"]: i for i in indicators}
    assert sorted(by_code) == ["ALOS", "BALANCE", "MORTALITY", "OLD", "READMIT30", "VISITS"]
    assert by_code["READMIT30"]["kind"] == "rate" and by_code["READMIT30"]["plausible_max"] == 0.5
    assert by_code["OLD"]["active"] is False and by_code["MORTALITY"]["risk_adjustable"] is True
