"""Template globals: the navigation, shared by every page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_babel import get_locale
from flask_login import current_user

from appraisal.auth.forms import LanguageForm
from appraisal.core.i18n import lazy_gettext as _l


@dataclass(frozen=True)
class NavItem:
    """A header link, shown to users for whom ``visible(user)`` is true."""

    endpoint: str
    label: object
    visible: Callable

    @property
    def active(self) -> bool:
        return request.endpoint == self.endpoint


@dataclass(frozen=True)
class NavMenu:
    """Header links grouped under one label (a disclosure menu)."""

    label: object
    items: tuple[NavItem, ...]

    @property
    def active(self) -> bool:
        return any(item.active for item in self.items)


def _admin(user) -> bool:
    return user.is_admin


def _office_or_manager(user) -> bool:
    return user.is_admin or user.is_manager


def _clinician(user) -> bool:
    return user.is_clinician


# Grouped by what people come to do, so the header stays one row for every role.
NAV = [
    NavItem("home.index", _l("Home"), lambda user: True),
    NavMenu(_l("Results"), (
        NavItem("scorecards.mine", _l("My scorecard"), _clinician),
        NavItem("scorecards.departments", _l("Department results"), _office_or_manager),
        NavItem("scorecards.alarms", _l("Alarms"), _office_or_manager),
    )),
    NavMenu(_l("Data"), (
        NavItem("data.my_measurements", _l("My data"), _clinician),
        NavItem("measurements.batches", _l("Measurements"), _admin),
        NavItem("data.quality", _l("Data quality"), _office_or_manager),
        NavItem("data.disputes", _l("Disputes"), _admin),
        NavItem("data.exemptions", _l("Exemptions"), _office_or_manager),
    )),
    NavMenu(_l("Set-up"), (
        NavItem("cycles.index", _l("Cycles"), _admin),
        NavItem("indicators.index", _l("Indicators"), _admin),
        NavItem("org.departments", _l("Departments"), _admin),
        NavItem("org.staff_list", _l("Staff"), _office_or_manager),
    )),
    NavMenu(_l("System"), (
        NavItem("accounts.users", _l("Users"), _admin),
        NavItem("audit.log", _l("Audit log"), _admin),
        NavItem("notifications.outbox", _l("Outbox"), _admin),
    )),
]


def has_endpoint(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def _shown(item: NavItem) -> bool:
    return has_endpoint(item.endpoint) and item.visible(current_user)


def nav_items() -> list[NavItem | NavMenu]:
    """The header for the current user: links, and menus of the links they may use (a menu
    with one such link is shown as that link)."""
    if not current_user.is_authenticated:
        return []
    entries: list[NavItem | NavMenu] = []
    for entry in NAV:
        if isinstance(entry, NavItem):
            entries += [entry] if _shown(entry) else []
            continue
        items = tuple(item for item in entry.items if _shown(item))
        if len(items) == 1:
            entries.append(items[0])
        elif items:
            entries.append(NavMenu(entry.label, items))
    return entries


def init_templating(app: Flask) -> None:
    @app.context_processor
    def inject_globals():
        return {
            "nav_items": nav_items,
            "has_endpoint": has_endpoint,
            "language_form": LanguageForm,
            "current_locale": str(get_locale() or "en"),
        }
