"""Form data for the scheme pages, shared by the scheme and versioning tests."""

from __future__ import annotations

SETTINGS = {"name": "Doctors 2026", "weight_quantitative": "0.6", "weight_360": "0.15",
            "weight_panel": "0.1", "weight_case_quality": "0.1",
            "weight_contributions": "0.05", "grade_bands": "A:85, B:70, C:55, D:0",
            "cap_grade": "C", "anonymity_threshold": "3", "min_denominator": "10"}


def new_scheme_form(**changes) -> dict:
    return SETTINGS | {"staff_group": "doctor", "department": ""} | changes


def item_form(indicator, **changes) -> dict:
    """The add-indicator form; rates in percent (20 % threshold, 10 % target by default)."""
    return {"indicator": str(indicator.id), "weight": "1", "threshold": "20", "target": "10",
            "min_denominator": "", "red_line_limit": "", "red_line_side": "above"} | changes
