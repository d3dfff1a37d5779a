"""Login, logout, password change and language choice."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from appraisal.auth import operations
from appraisal.auth.forms import ChangePasswordForm, LanguageForm, LoginForm
from appraisal.auth.passwords import verify_password
from appraisal.core.handlers import RH, AuthenticatedRH


def safe_next(target: str | None) -> str:
    """Only a local path may be a redirect target (no open redirects).

    Browsers read a backslash as a slash and drop tabs and newlines, so a path starting with
    a slash and a backslash (or a tab, then a slash) would leave the site: such targets are
    refused outright.
    """
    if is_local_path(target):
        return target
    return url_for("home.index")


def is_local_path(target: str | None) -> bool:
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def client_ip() -> str:
    return request.remote_addr or ""


class RHLogin(RH):
    """The login page; the same answer for an unknown user, a wrong password or a lockout."""

    methods = ["GET", "POST"]
    login_required = False

    def can_access(self) -> bool:
        return True

    def process(self):
        if self.user.is_authenticated:
            return redirect(url_for("home.index"))
        form = LoginForm(next=request.args.get("next", ""))
        if not form.validate_on_submit():
            return render_template("auth/login.html", form=form)
        config = current_app.config
        user = operations.authenticate(
            form.username.data, form.password.data,
            max_failures=config["LOGIN_MAX_FAILURES"],
            window=timedelta(minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"]),
            ip=client_ip(),
        )
        if user is None:
            flash(_("Wrong username or password, or the account is locked. After %(n)s failed "
                    "attempts an account is locked for %(m)s minutes.",
                    n=config["LOGIN_MAX_FAILURES"], m=config["LOGIN_FAILURE_WINDOW_MINUTES"]),
                  "error")
            return render_template("auth/login.html", form=form), 200
        self._begin_session(user)
        return redirect(safe_next(form.next.data))

    def _begin_session(self, user) -> None:
        # A brand-new session at login: nothing from before the login survives (a planted
        # session id, an old CSRF token), except the language the visitor chose.
        language = session.get("language")
        session.clear()
        row = operations.start_session(user, client_ip(), request.user_agent.string)
        session["sid"] = row.id
        if language:
            session["language"] = language
        login_user(user)


class RHLogout(AuthenticatedRH):
    """End this session everywhere (POST only: no state change on GET)."""

    methods = ["POST"]

    def process(self):
        operations.end_session(session.get("sid"))
        language = session.get("language")
        logout_user()
        session.clear()
        if language:
            session["language"] = language
        flash(_("You have logged out."), "info")
        return redirect(url_for("auth.login"))


class RHChangePassword(AuthenticatedRH):
    """Change one's own password; every other session of the account ends."""

    methods = ["GET", "POST"]

    def process(self):
        form = ChangePasswordForm()
        if form.validate_on_submit():
            if not verify_password(self.user.password_hash, form.current_password.data):
                form.current_password.errors.append(_("The current password is wrong."))
            else:
                try:
                    operations.set_password(self.user, self.user, form.new_password.data)
                except operations.PasswordPolicyError as error:
                    form.new_password.errors.append(str(error.message))
                else:
                    row = operations.start_session(self.user, client_ip(),
                                                   request.user_agent.string)
                    session["sid"] = row.id
                    flash(_("Your password has been changed. Other sessions were logged out."),
                          "success")
                    return redirect(url_for("home.index"))
        return render_template("auth/change_password.html", form=form)


class RHSetLanguage(RH):
    """Choose the interface language (kept on the account, or in the session)."""

    methods = ["POST"]
    login_required = False

    def can_access(self) -> bool:
        return True

    def process(self):
        form = LanguageForm()
        if form.validate_on_submit():
            session["language"] = form.language.data
            if self.user.is_authenticated:
                self.user.locale = form.language.data
        came_from = urlsplit(request.referrer).path if request.referrer else None
        return redirect(safe_next(form.next.data or came_from))
