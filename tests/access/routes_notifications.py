"""Matrix rows for the inbox (each user's own notifications) and the outbox (admins)."""

from appraisal.extensions import db
from appraisal.notifications.operations import notify
from tests.access.cases import Case


def notification_for(user):
    def args(world):
        notification = notify(user(world), "test", "Subject", "Body")
        # Committed: a refused request rolls back, and must not take the world's users with it.
        db.session.commit()
        return {"notification_id": notification.id}
    return args


def recipient(world):
    return world.clinician_a


CASES = [
    Case("notifications.inbox", "GET", allowed=lambda w: w.nobody),
    Case("notifications.mark_all_read", "POST", allowed=lambda w: w.nobody),
    # Only the recipient; anyone else (even an admin) gets a 404.
    Case("notifications.mark_read", "POST", args=notification_for(recipient),
         allowed=recipient, denied=lambda w: w.clinician_b,
         also_denied=[lambda w: w.admin, lambda w: w.manager_a],
         data=lambda w: {"next": "/notifications"}),
    Case("notifications.outbox", "GET", allowed=lambda w: w.admin,
         denied=lambda w: w.manager_a, also_denied=[lambda w: w.clinician_a]),
    Case("notifications.outbox_message", "GET", args=notification_for(recipient),
         allowed=lambda w: w.admin, denied=lambda w: w.manager_a,
         also_denied=[lambda w: w.clinician_a]),
    Case("notifications.resend", "POST", args=notification_for(recipient),
         allowed=lambda w: w.admin, denied=lambda w: w.manager_a,
         also_denied=[lambda w: w.clinician_a]),
]
