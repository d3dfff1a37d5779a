"""The API's request handler: bearer-token authentication and JSON everywhere.

``ApiRH`` keeps the discipline of ``core.handlers.RH`` (load -> can_access -> process; one
commit for a state-changing request that succeeded, a rollback otherwise) but answers in JSON:
401 without a valid token, and any refusal as ``{"error", "status", "message"}``.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, jsonify, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.http import HTTP_STATUS_CODES

from appraisal.core.handlers import RH, SAFE_METHODS
from appraisal.extensions import db
from appraisal.measurements import operations
from appraisal.measurements.models import ApiToken

log = logging.getLogger(__name__)


class ApiError(Exception):
    """A refusal the client should see as JSON with this status."""

    def __init__(self, status: int, message: str, errors: list[dict] | None = None,
                 headers: dict | None = None, **extra: Any):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra

    def response(self) -> Response:
        body = error_body(self.status, self.message)
        if self.errors is not None:
            body["errors"] = self.errors
        body.update(self.extra)
        return json_response(body, self.status, self.headers)


def error_body(status: int, message: str) -> dict[str, Any]:
    return {"error": HTTP_STATUS_CODES.get(status, "Error"), "status": status,
            "message": message}


def json_response(body: Any, status: int = 200, headers: dict | None = None) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def bearer_secret() -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


UNAUTHORISED = {"WWW-Authenticate": 'Bearer realm="appraisal"'}


class ApiRH(RH):
    """An API endpoint: a valid (issued, not revoked) bearer token is required."""

    login_required = False
    token: ApiToken

    def authenticate(self) -> ApiToken:
        secret = bearer_secret()
        if secret is None:
            raise ApiError(401, _("Send an API token: Authorization: Bearer <token>."),
                           headers=UNAUTHORISED)
        token = operations.authenticate(secret)
        if token is None:
            raise ApiError(401, _("The API token is not valid or has been revoked."),
                           headers=UNAUTHORISED)
        return token

    def can_access(self) -> bool:
        # Every issued token may use every endpoint: tokens are given to the hospital's own
        # systems by the administrators, who revoke them when a system no longer needs one.
        return True

    def on_conflict(self) -> Response:
        """The answer when a unique constraint refuses the change (a concurrent request)."""
        return ApiError(409, _("Another request changed the same data at the same time; "
                               "send this request again.")).response()

    def dispatch_request(self, **view_args: Any) -> Response:
        token_id = None
        try:
            self.token = self.authenticate()
            token_id = self.token.id
            self.load(**view_args)
            if not self.can_access():
                raise ApiError(403, _("This token may not use this endpoint."))
            response = self.finish(self.process())
        except IntegrityError:
            # A unique constraint hit while processing or committing: a concurrent request
            # got there first.
            db.session.rollback()
            response = self.on_conflict()
        except ApiError as error:
            db.session.rollback()
            response = error.response()
        except BaseException:
            db.session.rollback()
            raise
        if token_id is not None:
            self.note_use(token_id)
        return response

    def finish(self, response: Response) -> Response:
        """Commit a successful state-changing request; roll back everything else."""
        if request.method in SAFE_METHODS or response.status_code >= 400:
            db.session.rollback()
        else:
            db.session.commit()
        return response

    @staticmethod
    def note_use(token_id: int) -> None:
        # The last-used time is bookkeeping, written after the request's own transaction
        # ended (a GET must not commit anything else), and never fails the request.
        try:
            token = db.session.get(ApiToken, token_id)
            if token is not None and operations.note_token_use(token):
                db.session.commit()
        except Exception:
            db.session.rollback()
            log.warning("could not record the use of API token %s", token_id, exc_info=True)
