"""The server-drawn charts: well-formed SVG with a title and a description, limits, the
group line, outliers marked by shape and colour, names escaped, gaps in line charts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from appraisal.scorecards import svg
from appraisal.scoring import funnel_plot

NS = "{http://www.w3.org/2000/svg}"


def plot():
    # 11 ordinary members around 10%, one far above (an alarm), one clearly below.
    events = [10, 9, 11, 12, 8, 10, 9, 11, 10, 12, 9, 45, 0]
    totals = [100, 95, 105, 110, 90, 100, 98, 102, 100, 108, 96, 100, 120]
    return funnel_plot(events, totals, keys=list(range(13)), lower_is_better=True)


def draw(**extra):
    arguments = {"ident": "f1", "title": "Funnel plot: readmission",
                 "desc": "13 clinicians <and> limits", "labels": {11: "Li <Wei> & co", 0: "Ann"}}
    arguments.update(extra)
    return svg.funnel_svg(plot(), **arguments)


def shapes(root, tag):
    return [g for g in root.iter(f"{NS}g") if g.find(f"{NS}{tag}") is not None
            and g.find(f"{NS}title") is not None]


def test_the_funnel_is_well_formed_and_described():
    root = ET.fromstring(draw())
    assert root.get("role") == "img" and root.get("aria-labelledby") == "f1-title f1-desc"
    assert root.find(f"{NS}title").text == "Funnel plot: readmission"
    assert root.find(f"{NS}desc").text == "13 clinicians <and> limits"


def test_outliers_are_red_triangles_pointing_to_their_side():
    root = ET.fromstring(draw())
    triangles = {g.find(f"{NS}title").text: g.find(f"{NS}polygon") for g in shapes(root, "polygon")}
    assert len(triangles) == 2  # 45/100 above, 0/120 below the 99.8% limits
    ours = next(t for t in triangles if t.startswith("Li <Wei> & co: 45%"))
    assert "beyond the 99.8% limits" in ours
    assert triangles[ours].get("fill") == svg.ALARM_COLOUR == triangles[ours].get("stroke")
    tip_up = [float(v.split(",")[1]) for v in triangles[ours].get("points").split()]
    assert tip_up[0] < tip_up[1]  # the tip is above the base
    other = next(t for t in triangles if t != ours)
    assert other.startswith("Another clinician")
    assert triangles[other].get("fill") == "#ffffff"  # not this department's: hollow


def test_points_outside_the_department_are_hollow_and_unnamed():
    root = ET.fromstring(draw())
    circles = shapes(root, "circle")
    hollow = [c for c in circles if c.find(f"{NS}circle").get("fill") == "#ffffff"]
    assert hollow
    assert all(c.find(f"{NS}title").text.startswith("Another clinician") for c in hollow)


def test_both_limit_pairs_and_the_group_line_are_drawn():
    root = ET.fromstring(draw())
    lines = list(root.iter(f"{NS}polyline"))
    dashed = [p for p in lines if p.get("stroke-dasharray")]
    assert len(lines) == 4 and len(dashed) == 2  # 95% dashed, 99.8% solid
    assert any(line.get("stroke") == svg.CENTRE for line in root.iter(f"{NS}line"))


def test_a_fixed_size_chart_for_print_and_a_fluid_one_for_pages():
    assert ET.fromstring(draw()).get("width") == "100%"
    fixed = ET.fromstring(draw(fluid=False))
    assert fixed.get("width") == "640" and fixed.get("height") == "480"


def test_no_css_class_or_style_is_needed():
    markup = draw()
    assert "class=" not in markup and "style" not in markup


def test_a_line_chart_leaves_gaps_for_missing_values():
    markup = svg.line_chart_svg(
        ["Q1", "Q2", "Q3", "Q4"],
        [svg.Series("Department", [70.0, None, 72.0, 75.0]),
         svg.Series("Group", [71.0, 71.5, 72.5, 73.0])],
        ident="t", title="Trend", desc="Scores by quarter", y_max=100)
    root = ET.fromstring(markup)
    lines = list(root.iter(f"{NS}polyline"))
    # Department: one line Q3-Q4 (Q1 stands alone); group: one line through all four.
    assert sorted(len(p.get("points").split()) for p in lines) == [2, 4]
    assert root.find(f"{NS}title").text == "Trend"
