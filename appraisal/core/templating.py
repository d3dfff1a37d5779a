"""Template globals: the navigation, shared by every page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import Flask, current_app, request
from flask_babel import get_locale
from appraisal.core.i18n import lazy_gettext as _l
from flask_login import current_user

from appraisal.auth.forms import LanguageForm


@dataclass(frozen=True)
class NavItem:
    """A header link, shown to users for whom ``visible(user)`` is true."""

    endpoint: str
    label: object
    visible: Callable

    @property
    def active(self) -> bool:
        return request.endpoint == self.endpoint


NAV_ITEMS = [
    NavItem("home.index", _l("Home"), lambda user: True),
    NavItem("org.departments", _l("Departments"), lambda user: user.is_admin),
    NavItem("org.staff_list", _l("Staff"), lambda user: user.is_admin or user.is_manager),
    NavItem("indicators.index", _l("Indicators"), lambda user: user.is_admin),
    NavItem("cycles.index", _l("Cycles"), lambda user: user.is_admin),
    NavItem("measurements.batches", _l("Measurements"), lambda user: user.is_admin),
    NavItem("accounts.users", _l("Users"), lambda user: user.is_admin),
    NavItem("audit.log", _l("Audit log"), lambda user: user.is_admin),
    NavItem("notifications.outbox", _l("Outbox"), lambda user: user.is_admin),
    NavItem("data.my_measurements", _l("My data"), lambda user: user.is_clinician),
    NavItem("data.disputes", _l("Disputes"), lambda user: user.is_admin),
    NavItem("data.exemptions", _l("Exemptions"), lambda user: user.is_admin or user.is_manager),
    NavItem("data.quality", _l("Data quality"), lambda user: user.is_admin or user.is_manager),
    NavItem("scorecards.mine", _l("My scorecard"), lambda user: user.is_clinician),
    NavItem("scorecards.departments", _l("Department results"),
            lambda user: user.is_admin or user.is_manager),
    NavItem("scorecards.alarms", _l("Alarms"), lambda user: user.is_admin or user.is_manager),
]


def has_endpoint(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def nav_items() -> list[NavItem]:
    if not current_user.is_authenticated:
        return []
    return [item for item in NAV_ITEMS if has_endpoint(item.endpoint) and item.visible(current_user)]


def init_templating(app: Flask) -> None:
    @app.context_processor
    def inject_globals():
        return {
            "nav_items": nav_items,
            "has_endpoint": has_endpoint,
            "language_form": LanguageForm,
            "current_locale": str(get_locale() or "en"),
        }
