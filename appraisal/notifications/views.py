"""The inbox (each user's own notifications) and the outbox (administrators)."""

from __future__ import annotations

import logging

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from appraisal.auth.views import safe_next
from appraisal.core.handlers import RH, AdminRH, AuthenticatedRH, get_or_404
from appraisal.core.pagination import paginate
from appraisal.extensions import db
from appraisal.notifications import operations, queries
from appraisal.notifications.forms import ConfirmForm, MarkReadForm, OutboxFilterForm
from appraisal.notifications.mail import absolute_link, message_text
from appraisal.notifications.models import EmailStatus, Notification


class RHInbox(AuthenticatedRH):
    """The user's own notifications, unread first."""

    def process(self):
        page = paginate(queries.inbox(self.user.id))
        return render_template("notifications/inbox.html", page=page,
                               unread=db.session.scalar(queries.unread_count(self.user.id)))


class RHNotificationBase(RH):
    """One notification of the current user; anyone else's is a 404 (not even its
    existence is shown)."""

    def load(self, notification_id: int) -> None:
        self.notification = get_or_404(Notification, notification_id)
        if not self.notification.can_read(self.user):
            abort(404)

    def can_access(self) -> bool:
        return True


class RHMarkRead(RHNotificationBase):
    """Mark one notification read, then open its link (or go back to the inbox)."""

    methods = ["POST"]

    def process(self):
        form = MarkReadForm()
        if not form.validate_on_submit():
            abort(400)
        operations.mark_read(self.user, self.notification)
        return redirect(safe_next(form.next.data or url_for("notifications.inbox")))


class RHMarkAllRead(AuthenticatedRH):
    """Mark every unread notification of the user read."""

    methods = ["POST"]

    def process(self):
        if not ConfirmForm().validate_on_submit():
            abort(400)
        count = operations.mark_all_read(self.user)
        if count:
            flash(ngettext("%(num)s notification marked as read.",
                           "%(num)s notifications marked as read.", count), "success")
        else:
            flash(_("You had no unread notifications."), "info")
        return redirect(url_for("notifications.inbox"))


class RHOutbox(AdminRH):
    """The e-mail state of every notification, filterable by status."""

    def process(self):
        form = OutboxFilterForm(request.args)
        status = form.selected if form.validate() else None
        page = paginate(queries.outbox(status))
        counts = {row[0]: row[1] for row in db.session.execute(queries.status_counts())}
        return render_template(
            "notifications/outbox.html", form=form, page=page, status=status,
            counts=counts, statuses=list(EmailStatus),
            smtp_configured=operations.smtp_configured(),
        )


class RHOutboxMessage(AdminRH):
    """One message as it would be (or was) e-mailed, with its delivery history."""

    def load(self, notification_id: int) -> None:
        self.notification = db.session.scalar(queries.one(notification_id))
        if self.notification is None:
            abort(404)

    def process(self):
        base_url = current_app.config["BASE_URL"]
        return render_template(
            "notifications/outbox_message.html", notification=self.notification,
            text=message_text(self.notification, base_url),
            link=absolute_link(self.notification, base_url),
            mail_from=current_app.config["MAIL_FROM"],
            smtp_configured=operations.smtp_configured(),
            can_resend=operations.can_resend(self.notification),
        )


class RHResendEmail(AdminRH):
    """Put a failed or kept e-mail back in the outbox."""

    methods = ["POST"]

    def load(self, notification_id: int) -> None:
        self.notification = get_or_404(Notification, notification_id)

    def process(self):
        if not ConfirmForm().validate_on_submit():
            abort(400)
        if operations.can_resend(self.notification):
            operations.resend_email(self.user, self.notification)
            flash(_("The e-mail is back in the outbox; it goes out at the next delivery run."),
                  "success")
        else:
            flash(_("Only a failed or kept e-mail can be sent again (this one is %(status)s).",
                    status=self.notification.email_status.label), "error")
        return redirect(url_for("notifications.outbox_message",
                                notification_id=self.notification.id))


def unread_notification_count() -> int:
    """The header badge: one COUNT when the page shows it, only for a logged-in user."""
    if not current_user.is_authenticated:
        return 0
    try:
        return db.session.scalar(queries.unread_count(current_user.id))
    except SQLAlchemyError:
        # The error page also draws the header: a broken database must not turn it into a
        # second error.
        logging.getLogger(__name__).exception("could not count unread notifications")
        db.session.rollback()
        return 0


def inject_unread_count() -> dict:
    return {"unread_notification_count": unread_notification_count}
