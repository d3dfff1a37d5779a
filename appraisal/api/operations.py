"""Idempotency of API writes: a key, the fingerprint of the request, the stored answer."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select

from appraisal.extensions import db
from appraisal.measurements.models import ApiToken, IdempotencyRecord

KEY_MAX = 200


def fingerprint(method: str, path: str, body: Any) -> str:
    """sha256 of the request as canonical JSON (sorted keys, no spaces): the same request
    sent again has the same fingerprint, whatever its whitespace or key order."""
    canonical = json.dumps({"method": method, "path": path, "body": body}, sort_keys=True,
                           separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def find_record(token: ApiToken, key: str) -> IdempotencyRecord | None:
    """The stored answer of an earlier request with this token and key."""
    return db.session.scalar(select(IdempotencyRecord).where(
        IdempotencyRecord.api_token_id == token.id, IdempotencyRecord.key == key))


def store_record(token: ApiToken, key: str, request_hash: str, status: int,
                 body: dict) -> IdempotencyRecord:
    """Keep the answer in the same transaction as the change it reports (never commits)."""
    record = IdempotencyRecord(api_token_id=token.id, key=key, request_hash=request_hash,
                               response_status=status, response_body=body)
    db.session.add(record)
    db.session.flush()
    return record
