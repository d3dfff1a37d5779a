"""Notifications: in the app (the inbox) and by e-mail (the outbox, delivered by the scheduler).

Other features call ``appraisal.notifications.operations.notify()``.
"""
