"""The request handler base: load the objects, check access, process; one commit per request.

Every page is a subclass of ``RH``. ``dispatch_request`` runs the three steps in order:

* ``load(**view_args)`` fetches what the URL names (``get_or_404`` turns a missing row into 404);
* ``can_access()`` returns a bool from the models' pure ``can_*`` methods (False -> 403);
* ``process()`` does the work and returns the response.

State-changing methods commit once at the end; GET and HEAD always roll back, so a GET can
never change anything, whatever it calls. Any exception rolls back the whole request.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import abort, request
from flask.views import View
from flask_login import current_user

from appraisal.extensions import db, login_manager

T = TypeVar("T")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_or_404(model: type[T], ident: Any) -> T:
    """The row with this primary key, or a 404."""
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


class RH(View):
    """Base request handler: load -> check access -> process, then commit or roll back."""

    methods = ["GET"]
    login_required = True

    def load(self, **view_args: Any) -> None:
        """Fetch the objects named in the URL; abort(404) when missing."""

    def can_access(self) -> bool:
        """Deny by default: every handler states who may use it."""
        return False

    def process(self):
        raise NotImplementedError

    @property
    def user(self):
        return current_user

    def dispatch_request(self, **view_args: Any):
        if self.login_required and not current_user.is_authenticated:
            return login_manager.unauthorized()
        try:
            self.load(**view_args)
            if not self.can_access():
                abort(403)
            response = self.process()
            if request.method in SAFE_METHODS:
                db.session.rollback()
            else:
                db.session.commit()
            return response
        except BaseException:
            db.session.rollback()
            raise


class AdminRH(RH):
    """A page for administrators only."""

    def can_access(self) -> bool:
        return self.user.is_admin


class AuthenticatedRH(RH):
    """A page any logged-in user may open (it shows only their own things)."""

    def can_access(self) -> bool:
        return True


def add_rule(bp, rule: str, handler: type[RH], endpoint: str | None = None) -> None:
    """Register a handler class on a blueprint under ``endpoint`` (default: its snake name)."""
    name = endpoint or _snake(handler.__name__.removeprefix("RH"))
    bp.add_url_rule(rule, view_func=handler.as_view(name), methods=handler.methods)


def _snake(name: str) -> str:
    out = []
    for index, char in enumerate(name):
        if char.isupper() and index:
            out.append("_")
        out.append(char.lower())
    return "".join(out)
