"""Helpers of the browser journeys: log in, open a header menu, watch the console."""

from __future__ import annotations

from playwright.sync_api import Page

from appraisal.demo.seed import DEMO_PASSWORD


def log_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def open_menu(page: Page, label: str) -> None:
    """Open one of the header's menus (a disclosure: the links are hidden until then)."""
    page.locator("nav.main-nav summary", has_text=label).click()


def watch_console(page: Page) -> list[str]:
    """Collect script errors and console errors (a CSP violation shows up as one)."""
    problems: list[str] = []

    def on_console(message) -> None:
        # The browser asks for /favicon.ico by itself; the app has no icon yet (not our page).
        if message.type == "error" and not message.location.get("url", "").endswith(
                "/favicon.ico"):
            problems.append(f"{message.text} ({message.location.get('url')})")

    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", on_console)
    return problems
