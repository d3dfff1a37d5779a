"""URL rules of the inbox and the outbox."""

from flask import Blueprint

from appraisal.core.handlers import add_rule
from appraisal.notifications.views import (
    RHInbox,
    RHMarkAllRead,
    RHMarkRead,
    RHOutbox,
    RHOutboxMessage,
    RHResendEmail,
    inject_unread_count,
)

bp = Blueprint("notifications", __name__)
bp.app_context_processor(inject_unread_count)
add_rule(bp, "/notifications", RHInbox, "inbox")
add_rule(bp, "/notifications/<int:notification_id>/read", RHMarkRead, "mark_read")
add_rule(bp, "/notifications/read-all", RHMarkAllRead, "mark_all_read")
add_rule(bp, "/admin/outbox", RHOutbox, "outbox")
add_rule(bp, "/admin/outbox/<int:notification_id>", RHOutboxMessage, "outbox_message")
add_rule(bp, "/admin/outbox/<int:notification_id>/resend", RHResendEmail, "resend")
