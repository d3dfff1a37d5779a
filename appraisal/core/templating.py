"""Template globals: the navigation, shared by every page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import Flask, current_app, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
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
        return (request.endpoint or "").split(".")[0] == self.endpoint.split(".")[0]


NAV_ITEMS = [
    NavItem("home.index", _l("Home"), lambda user: True),
    NavItem("org.departments", _l("Departments"), lambda user: user.is_admin),
    NavItem("org.staff_list", _l("Staff"), lambda user: user.is_admin or user.is_manager),
    NavItem("accounts.users", _l("Users"), lambda user: user.is_admin),
    NavItem("audit.log", _l("Audit log"), lambda user: user.is_admin),
    NavItem("notifications.outbox", _l("Outbox"), lambda user: user.is_admin),
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
