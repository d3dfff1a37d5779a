"""Response headers, session time-outs and request ids."""

from __future__ import annotations

import secrets
import time

from flask import Flask, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import logout_user

CSP = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"


def init_security(app: Flask) -> None:
    """Install the request-id, time-out and header hooks."""
    app.before_request(assign_request_id)
    app.before_request(enforce_session_timeouts)
    app.after_request(add_security_headers)


def assign_request_id() -> None:
    g.request_id = request.headers.get("X-Request-Id", "")[:64] or secrets.token_hex(8)


def enforce_session_timeouts():
    """End a session idle longer than SESSION_IDLE_MINUTES (the absolute limit is checked
    against the server-side session row when the user is loaded)."""
    if request.endpoint == "static" or "sid" not in session:
        return None
    from flask import current_app

    idle_limit = current_app.config["SESSION_IDLE_MINUTES"] * 60
    now = int(time.time())
    last_seen = session.get("last_seen", now)
    if now - last_seen > idle_limit:
        logout_user()
        session.clear()
        flash(_("Your session expired after a period of inactivity. Please log in again."), "info")
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    session["last_seen"] = now
    return None


def add_security_headers(response):
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Request-Id"] = g.get("request_id", "")
    if request.endpoint != "static":
        # Pages (behind the login or not) must never be kept by a shared browser or proxy.
        response.headers["Cache-Control"] = "no-store"
    return response
