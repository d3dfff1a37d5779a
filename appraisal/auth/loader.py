"""How Flask-Login finds the user of a request: through the server-side session row."""

import logging
from datetime import timedelta

from flask import current_app, g, session
from sqlalchemy.exc import SQLAlchemyError

from appraisal.auth.operations import check_session, touch_session
from appraisal.core.db import utcnow
from appraisal.core.i18n import lazy_gettext as _l
from appraisal.extensions import db, login_manager

log = logging.getLogger(__name__)

# The idle clock is refreshed at most this often, so most requests write nothing.
TOUCH_EVERY = timedelta(seconds=60)


def init_login(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"
    # Flashed messages go into the session cookie: translate now, store plain text.
    login_manager.localize_callback = str
    login_manager.session_protection = None  # the server-side session row does this job
    login_manager.user_loader(load_user)
    app.before_request(forget_previous_user)
    app.after_request(save_session_activity)


def forget_previous_user() -> None:
    """Every request finds its user from its own cookie.

    ``g`` is per application context; when one context serves several requests (the test
    client inside an app context does that), Flask-Login would otherwise reuse the user of
    an earlier request, whatever the cookie now says.
    """
    for name in ("_login_user", "session_end", "session_touch"):
        g.pop(name, None)


def session_limits() -> tuple[timedelta, timedelta]:
    """(idle, absolute) session time-outs from the configuration."""
    config = current_app.config
    return (timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
            timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]))


def load_user(user_id: str):
    """The user of the cookie's session if that session is live; else None (and why, in g)."""
    try:
        uid = int(user_id)
    except ValueError:
        return None
    idle, absolute = session_limits()
    now = utcnow()
    row, reason = check_session(uid, session.get("sid"), idle=idle, absolute=absolute, now=now)
    if row is None:
        g.session_end = reason
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        g.session_touch = row.id
    return row.user


def save_session_activity(response):
    """Record the session's activity after the request's own work is committed or rolled back.

    A separate small commit: a GET never commits its own work, but it does keep the session
    alive. A failure here must not cost the user the page they asked for.
    """
    session_id = g.pop("session_touch", None)
    if session_id:
        try:
            touch_session(session_id, utcnow())
            db.session.commit()
        except SQLAlchemyError:
            db.session.rollback()
            log.warning("could not record session activity", exc_info=True)
    return response
