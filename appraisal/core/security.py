"""Response headers, session time-outs and request ids."""

from __future__ import annotations

import secrets

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

CSP = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"


def init_security(app: Flask) -> None:
    """Install the request-id, time-out and header hooks."""
    app.before_request(assign_request_id)
    app.before_request(enforce_session_timeouts)
    app.after_request(add_security_headers)


def assign_request_id() -> None:
    g.request_id = request.headers.get("X-Request-Id", "")[:64] or secrets.token_hex(8)


# A stale cookie must not stand in the way of logging in again or choosing a language.
QUIET_ENDPOINTS = frozenset({"auth.login", "auth.set_language"})


def enforce_session_timeouts():
    """Send a request whose session has ended (idle, time limit, logout elsewhere) to the login.

    The server-side session row decides (see ``appraisal.auth.loader.load_user``); the cookie
    is then emptied, keeping only the language choice.
    """
    if request.endpoint == "static" or "sid" not in session:
        return None
    if current_user.is_authenticated:
        return None
    reason = g.pop("session_end", None)
    language = session.get("language")
    logout_user()
    session.clear()
    if language:
        session["language"] = language
    if request.endpoint in QUIET_ENDPOINTS:
        return None
    flash(session_end_message(reason), "info")
    return redirect(url_for("auth.login",
                            next=request.full_path if request.method == "GET" else None))


def session_end_message(reason) -> str:
    from appraisal.auth.models import SessionEnd

    if reason is SessionEnd.idle:
        return _("Your session expired after a period of inactivity. Please log in again.")
    if reason is SessionEnd.expired:
        return _("Your session reached its time limit of %(hours)s hours. Please log in again.",
                 hours=current_app.config["SESSION_ABSOLUTE_HOURS"])
    return _("Your session has ended. Please log in again.")


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
