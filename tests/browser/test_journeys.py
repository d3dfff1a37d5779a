"""Acceptance journeys in a real browser against the real app seeded with the demo hospital."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from appraisal.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.browser.helpers import log_in, watch_console

pytestmark = pytest.mark.browser

# The heading each demo account must see on its home page, and the role headings it must not.
HOME_HEADINGS = {
    "admin": {"Set-up checklist"},
    "manager": {"Your departments", "Your appraisal"},
    "clinician": {"Your appraisal"},
    "nurse": {"Your appraisal"},
    "panel": {"Your panel assignments", "Your appraisal"},
}
ALL_HEADINGS = set().union(*HOME_HEADINGS.values())
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_demo_account_is_covered():
    assert {account.username for account in DEMO_ACCOUNTS} == set(HOME_HEADINGS)


@pytest.mark.parametrize("username", list(HOME_HEADINGS))
def test_demo_account_logs_in_and_lands_on_its_home_page(page, live_server, screenshots,
                                                          username):
    problems = watch_console(page)
    log_in(page, username)
    expect(page).to_have_url(f"{live_server}/")
    for heading in HOME_HEADINGS[username]:
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    for heading in ALL_HEADINGS - HOME_HEADINGS[username]:
        expect(page.get_by_role("heading", name=heading)).to_have_count(0)
    page.screenshot(path=str(screenshots / f"{username}-home.png"), full_page=True)
    assert problems == [], f"browser console errors on {username}'s home page"


def test_wrong_password_shows_the_error_and_keeps_the_username(page, live_server):
    log_in(page, "clinician", "not-the-password")
    expect(page.get_by_text("Wrong username or password")).to_be_visible()
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.get_by_label("Username")).to_have_value("clinician")
    expect(page.get_by_role("heading", name="Your appraisal")).to_have_count(0)


def test_login_form_works_with_the_keyboard_only(page, live_server):
    page.goto("/login")
    username = page.get_by_label("Username")
    expect(username).to_be_focused()  # autofocus: typing can start at once
    page.keyboard.type("nurse")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Log in")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/")
    expect(page.get_by_role("heading", name="Your appraisal")).to_be_visible()


def switch_language(page: Page, value: str) -> None:
    """Choose in the header's language list and press its Switch button (works without JS)."""
    page.locator("select.lang-select").select_option(value)
    page.locator("form.lang-form button[type=submit]").click()


@pytest.fixture
def no_js_page(browser, live_server):
    """A page with JavaScript off: the Switch button is what no-JS and keyboard users press."""
    context = browser.new_context(base_url=live_server, locale="en-GB", java_script_enabled=False)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_switching_to_chinese_and_back_sets_the_page_language(no_js_page):
    page = no_js_page
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    switch_language(page, "zh")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("select.lang-select")).to_have_value("zh")
    switch_language(page, "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_choosing_a_language_switches_at_once_with_javascript(page):
    page.goto("/login")
    page.locator("select.lang-select").select_option("zh")  # app.js submits on change
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")


def test_chinese_interface_shows_chinese_labels(no_js_page, live_server, screenshots):
    page = no_js_page
    page.goto("/login")
    switch_language(page, "zh")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading != "Log in" and CJK.search(heading), (
        "the login page still says 'Log in' in Chinese mode: the Chinese catalogue "
        "(appraisal/translations/zh/LC_MESSAGES/messages.po) lacks a translation for 'Log in'")
    # The choice survives the login, and the header navigation is translated too.
    page.locator("#username").fill("clinician")
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    home_link = page.locator("nav.main-nav a").first.inner_text()
    assert home_link != "Home" and CJK.search(home_link), (
        "the header navigation still says 'Home' in Chinese mode: the Chinese catalogue "
        "lacks a translation for 'Home'")
    page.screenshot(path=str(screenshots / "clinician-home-zh.png"), full_page=True)


@pytest.mark.parametrize("username", ["admin", "manager"])
def test_home_page_fits_a_phone_screen(browser, live_server, username):
    context = browser.new_context(base_url=live_server, locale="en-GB",
                                  viewport={"width": 375, "height": 740})
    try:
        page = context.new_page()
        log_in(page, username)
        expect(page).to_have_url(f"{live_server}/")
        width, visible = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width <= visible, f"{username}'s home page scrolls sideways on a phone"
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
    finally:
        context.close()


def test_the_admin_header_is_one_row_of_menus_that_work_by_keyboard(page: Page, live_server,
                                                                     screenshots):
    """Sixteen pages for the office fit in one header row as menus; a menu opens with Enter,
    closes with Escape (focus back on its label), and its links are reached with Tab."""
    problems = watch_console(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, "admin")
    nav = page.get_by_role("navigation", name="Main")
    labels = [text.strip() for text in nav.locator("summary").all_inner_texts()]
    assert labels == ["Results", "Data", "Set-up", "System"]
    header = page.locator("header.site-header").bounding_box()
    assert header["height"] < 70, f"the header wraps: {header['height']} px high"
    cycles = nav.get_by_role("link", name="Cycles")
    expect(cycles).to_be_hidden()
    set_up = nav.locator("summary", has_text="Set-up")
    set_up.focus()
    page.keyboard.press("Enter")
    expect(cycles).to_be_visible()
    page.screenshot(path=str(screenshots / "header-menu.png"))
    page.keyboard.press("Escape")
    expect(cycles).to_be_hidden()
    expect(set_up).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(cycles).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/cycles/?$"))
    assert problems == [], "browser console errors with the header menus"
