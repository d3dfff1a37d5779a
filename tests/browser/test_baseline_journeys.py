"""Acceptance journeys on the demo baseline, in a real browser: a clinician tries "what if" on
their scorecard, and a manager finds the outlier on a funnel plot."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import log_in, open_menu, watch_console

pytestmark = pytest.mark.browser

SCORE = re.compile(r"^\d+(\.\d+)?$")


def number_in(page: Page, selector: str) -> float:
    text = page.locator(selector).inner_text().strip()
    assert SCORE.match(text), f"{selector} shows {text!r}, not a score"
    return float(text)


def test_clinician_changes_a_value_in_what_if_and_sees_the_score_change(
        page: Page, live_server, screenshots):
    problems = watch_console(page)
    log_in(page, "clinician")
    page.get_by_role("link", name="My scorecard").first.click()
    expect(page.get_by_role("heading", level=1, name=re.compile("Scorecard of"))).to_be_visible()
    expect(page.get_by_role("link", name="2026 Q3")).to_have_attribute("aria-current", "page")
    real = number_in(page, "#whatif-form tfoot td.num >> nth=0")
    assert 0 < real < 100
    readmission = page.get_by_role("table").filter(has_text="Used for the score") \
        .get_by_role("row").filter(has_text="30-day readmission rate")
    expect(readmission).to_contain_text("%")
    expect(readmission).to_contain_text("O/E")
    page.screenshot(path=str(screenshots / "baseline-scorecard.png"), full_page=True)

    overall = page.locator("#whatif-overall")
    expect(overall).to_have_text("—")
    satisfaction = page.get_by_label("Value of Patient satisfaction")
    satisfaction.fill("75")  # the threshold: this indicator would score 0
    expect(overall).not_to_have_text("—")
    simulated = number_in(page, "#whatif-overall")
    assert simulated < real
    expect(page.locator("#whatif-difference")).to_have_text(re.compile(r"^[−-]\d"))
    panel = page.locator("#what-if")
    panel.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "baseline-what-if.png"), full_page=True)

    page.reload()  # nothing was saved: the real score is what it was
    assert number_in(page, "#whatif-form tfoot td.num >> nth=0") == real
    assert problems == [], "browser console errors on the scorecard"


def test_manager_opens_the_funnel_plot_and_sees_the_outlier(page: Page, live_server,
                                                           screenshots):
    problems = watch_console(page)
    log_in(page, "manager")
    open_menu(page, "Results")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Department results") \
        .click()
    page.get_by_role("link", name=re.compile("^Internal Medicine")).click()
    expect(page.get_by_role("heading", level=1, name=re.compile("Internal Medicine"))) \
        .to_be_visible()
    expect(page.get_by_label("Cycle", exact=True).locator("option:checked")) \
        .to_have_text("2026 Q3")
    expect(page.get_by_label("Staff group", exact=True).locator("option:checked")) \
        .to_have_text("Doctor")

    # Internal Medicine's doctors are scored by two schemes (endocrinologists have their own),
    # so readmissions have a funnel per scheme: the outlier is in the hospital-wide one.
    card = page.locator("div.card").filter(has=page.get_by_role(
        "heading", level=3, name=re.compile("30-day readmission rate.*Doctors 医师")))
    expect(card).to_have_count(1)
    card.scroll_into_view_if_needed()
    card.get_by_text(re.compile("^Data table")).click()  # the table beside the chart
    alarm_row = card.get_by_role("row").filter(has_text="Alarm: above the 99.8% limits")
    expect(alarm_row).to_have_count(1)
    name = alarm_row.get_by_role("rowheader").inner_text().strip()
    triangle_titles = card.locator("svg g:has(polygon) > title")
    expect(triangle_titles.filter(has_text=name)).to_have_count(1)
    expect(triangle_titles.filter(has_text=name)).to_contain_text("beyond the 99.8% limits")
    card.screenshot(path=str(screenshots / "baseline-funnel.png"))

    open_menu(page, "Results")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Alarms").click()
    expect(page.get_by_role("cell", name=name).or_(page.get_by_text(name)).first).to_be_visible()
    page.screenshot(path=str(screenshots / "baseline-alarms.png"), full_page=True)
    assert problems == [], "browser console errors on the department results"
