"""Friendly error pages that leak nothing (no tracebacks, no object names)."""

from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from appraisal.extensions import db

HANDLED = (400, 403, 404, 405, 413, 429)


def register_errorhandlers(app: Flask) -> None:
    for code in HANDLED:
        app.register_error_handler(code, render_http_error)
    app.register_error_handler(InternalServerError, render_server_error)


def render_http_error(error: HTTPException):
    db.session.rollback()
    if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
        return {"error": error.name, "status": error.code}, error.code
    return render_template("errors/error.html", code=error.code), error.code


def render_server_error(error: InternalServerError):
    db.session.rollback()
    if request.path.startswith("/api/"):
        return {"error": "Internal Server Error", "status": 500}, 500
    return render_template("errors/error.html", code=500), 500
