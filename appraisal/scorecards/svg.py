"""Charts drawn on the server as SVG markup: the funnel plot and a small line chart.

Pure functions from plain data to a string: no Flask, no database, no CSS classes. Every
colour and size is a presentation attribute, so the same markup renders in a browser under
the strict content-security policy and later in a PDF. Every chart has a <title> and a <desc>
for screen readers; the pages put a data table beside it. Outliers differ by shape as well as
colour, so the chart reads in grey scale and for colour-blind readers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from appraisal.scoring import FunnelPlot, OutlierLevel

INK, MUTED, GRID = "#1d2733", "#4f5d6b", "#d5dce3"
OURS, OTHERS = "#0b5c8a", "#8a97a5"
WARNING_COLOUR, ALARM_COLOUR = "#b36b00", "#a32020"
LIMIT95, LIMIT998, CENTRE = "#4f5d6b", "#1d2733", "#1f6f3f"
FONT = "system-ui, sans-serif"
LEGEND_ROW = 18
FUNNEL_LEGEND_ROWS = 4


@dataclass(frozen=True)
class FunnelTexts:
    """The words of a funnel plot (the caller passes them translated)."""

    x_axis: str = "Cases (denominator)"
    y_axis: str = "Rate"
    ours: str = "This department"
    others: str = "Rest of the comparison group"
    other_point: str = "Another clinician of the comparison group"
    warning: str = "Beyond 95% limits (square)"
    alarm: str = "Beyond 99.8% limits (triangle)"
    limits95: str = "95% limits"
    limits998: str = "99.8% limits"
    centre: str = "Group rate"
    point: str = "%(label)s: %(rate)s of %(n)s cases (%(level)s)"
    levels: Mapping[str, str] = field(default_factory=lambda: {
        "within": "within the limits", "warning": "beyond the 95% limits",
        "alarm": "beyond the 99.8% limits"})


@dataclass(frozen=True)
class Box:
    """The plot area inside the chart, and the value ranges it maps."""

    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float
    x_max: float
    y_min: float
    y_max: float

    def x(self, value: float) -> float:
        return self.left + (self.width - self.left - self.right) * value / self.x_max

    def y(self, value: float) -> float:
        span = self.y_max - self.y_min
        inner = self.height - self.top - self.bottom
        return self.top + inner * (1 - (value - self.y_min) / span)


def percent(value: float) -> str:
    """0.1234 -> "12.3%" (the default rate format of the axes)."""
    return f"{value * 100:.1f}".rstrip("0").rstrip(".") + "%"


# -- funnel plot --------------------------------------------------------------------------------
def funnel_svg(plot: FunnelPlot, *, ident: str, title: str, desc: str,
               labels: Mapping[Hashable, str], texts: FunnelTexts = FunnelTexts(),
               rate_format: Callable[[float], str] = percent,
               width: int = 640, height: int = 480, fluid: bool = True) -> str:
    """A funnel plot: points, the 95% and 99.8% limit curves and the group rate.

    ``labels`` names the points drawn as "ours" (filled); every other point is drawn hollow
    and not named. ``ident`` makes the ids inside the markup unique on the page.
    """
    points = list(plot.points)
    x_max = _nice_max(max((p.position.n for p in points), default=100.0) * 1.05)
    curve_n = _curve_ns(points, x_max)
    limits = plot.limits_at(curve_n) if curve_n else []
    y_max = _funnel_y_max(plot, points, limits, curve_n)
    box = Box(width, height, 64, 16, 16, 56 + LEGEND_ROW * FUNNEL_LEGEND_ROWS, x_max, 0.0, y_max)
    parts = [_open(ident, title, desc, width, height, fluid), _clip(ident, box)]
    parts += _axes(box, _ticks(x_max), _ticks(y_max), str, rate_format, texts.x_axis,
                   texts.y_axis)
    parts.append(f'<g clip-path="url(#{ident}-clip)">')
    parts += _limit_curves(box, curve_n, limits)
    parts.append(_line(box.x(0), box.y(plot.theta0), box.x(x_max), box.y(plot.theta0),
                       CENTRE, 2, None))
    drawn = sorted(points, key=lambda p: (p.key in labels, _rank(p.position.level)))
    parts += [_funnel_point(box, p, labels, texts, rate_format) for p in drawn]
    parts.append("</g>")
    parts.append(_funnel_legend(box, texts))
    parts.append("</svg>")
    return "\n".join(parts)


def _rank(level: OutlierLevel) -> int:
    return list(OutlierLevel).index(OutlierLevel(level))


def _curve_ns(points, x_max: float) -> list[int]:
    low = max(1, int(min((p.position.n for p in points), default=10) * 0.5))
    high = max(low + 1, int(x_max))
    steps = 80
    ratio = (high / low) ** (1 / steps)
    return sorted({round(low * ratio ** i) for i in range(steps + 1)})


def _funnel_y_max(plot: FunnelPlot, points, limits, ns) -> float:
    highest = max([p.position.rate for p in points] + [plot.theta0], default=plot.theta0)
    # The upper 99.8% limit at the smallest plotted denominator frames the funnel's mouth.
    smallest = min((p.position.n for p in points), default=None)
    if limits and smallest is not None:
        mouth = [row[3] for n, row in zip(ns, limits) if n >= smallest * 0.9]
        if mouth:
            highest = max(highest, mouth[0])
    top = min(1.0, highest * 1.1 + 0.005)
    return _nice_max(top) if top < 1.0 else 1.0


def _limit_curves(box: Box, ns: Sequence[int], limits) -> list[str]:
    curves = []
    for index, colour, dash in ((0, LIMIT95, "6 4"), (1, LIMIT95, "6 4"),
                                (2, LIMIT998, None), (3, LIMIT998, None)):
        coords = [(box.x(n), box.y(row[index])) for n, row in zip(ns, limits)
                  if not math.isnan(row[index])]
        if len(coords) > 1:
            curves.append(_polyline(coords, colour, 1.5, dash))
    return curves


def _funnel_point(box: Box, point, labels, texts: FunnelTexts, rate_format) -> str:
    position = point.position
    ours = point.key in labels
    level = OutlierLevel(position.level)
    x, y = box.x(position.n), box.y(position.rate)
    colour = {OutlierLevel.within: OURS if ours else OTHERS,
              OutlierLevel.warning: WARNING_COLOUR, OutlierLevel.alarm: ALARM_COLOUR}[level]
    fill = colour if ours else "#ffffff"
    shape = _marker(level, x, y, colour, fill, position.side)
    label = labels.get(point.key, texts.other_point)
    tooltip = texts.point % {"label": label, "rate": rate_format(position.rate),
                             "n": _count(position.n), "level": texts.levels[level.value]}
    return f"<g><title>{escape(tooltip)}</title>{shape}</g>"


def _marker(level: OutlierLevel, x: float, y: float, stroke: str, fill: str,
            side: str | None) -> str:
    common = f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"'
    if level is OutlierLevel.alarm:
        size = 7.0
        tip = y - size if side != "below" else y + size
        base = y + size * 0.6 if side != "below" else y - size * 0.6
        return (f'<polygon points="{x:.1f},{tip:.1f} {x - size:.1f},{base:.1f} '
                f'{x + size:.1f},{base:.1f}" {common}/>')
    if level is OutlierLevel.warning:
        return f'<rect x="{x - 4.5:.1f}" y="{y - 4.5:.1f}" width="9" height="9" {common}/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" {common}/>'


def _funnel_legend(box: Box, texts: FunnelTexts) -> str:
    entries = [
        ("circle", OURS, OURS, texts.ours), ("circle", OTHERS, "#ffffff", texts.others),
        ("rect", WARNING_COLOUR, WARNING_COLOUR, texts.warning),
        ("polygon", ALARM_COLOUR, ALARM_COLOUR, texts.alarm),
        ("line95", LIMIT95, None, texts.limits95), ("line998", LIMIT998, None, texts.limits998),
        ("centre", CENTRE, None, texts.centre),
    ]
    top = box.height - box.bottom + 56
    column_width = (box.width - box.left) / 2
    items = []
    for index, (kind, stroke, fill, text) in enumerate(entries):
        x = box.left + (index % 2) * column_width
        y = top + (index // 2) * LEGEND_ROW
        items.append(_legend_symbol(kind, x + 6, y, stroke, fill))
        items.append(_text(x + 18, y + 4, text, size=11, anchor="start"))
    return '<g aria-hidden="true">' + "".join(items) + "</g>"


def _legend_symbol(kind: str, x: float, y: float, stroke: str, fill: str | None) -> str:
    if kind == "circle":
        return (f'<circle cx="{x}" cy="{y}" r="3.5" fill="{fill}" stroke="{stroke}" '
                f'stroke-width="1.5"/>')
    if kind == "rect":
        return _marker(OutlierLevel.warning, x, y, stroke, fill, None)
    if kind == "polygon":
        return _marker(OutlierLevel.alarm, x, y + 1, stroke, fill, "above")
    dash = "6 4" if kind == "line95" else None
    return _line(x - 6, y, x + 8, y, stroke, 2 if kind == "centre" else 1.5, dash)


# -- line chart ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Series:
    """One line of a line chart: a name and one value (or None) per category."""

    name: str
    values: Sequence[float | None]


SERIES_STYLES = (  # colour, dash pattern, marker: told apart without colour too
    (OURS, None, "circle"), (ALARM_COLOUR, "6 4", "rect"), (CENTRE, "2 3", "polygon"),
    (WARNING_COLOUR, "8 3 2 3", "circle"),
)


def line_chart_svg(categories: Sequence[str], series: Sequence[Series], *, ident: str,
                   title: str, desc: str, y_format: Callable[[float], str] = str,
                   y_max: float | None = None, width: int = 640, height: int = 300,
                   fluid: bool = True) -> str:
    """A line chart over categories (e.g. cycles), one line per series; gaps where None."""
    values = [v for s in series for v in s.values if v is not None]
    top = y_max if y_max is not None else _nice_max(max(values, default=1.0) * 1.1 or 1.0)
    legend_rows = -(-len(series) // 2)
    box = Box(width, height, 64, 16, 16, 40 + LEGEND_ROW * legend_rows, float(len(categories)),
              0.0, top)
    parts = [_open(ident, title, desc, width, height, fluid)]
    parts += _axes(box, [], _ticks(top), str, y_format, "", "")
    parts += [_text(box.x(i + 0.5), box.height - box.bottom + 18, label, size=11)
              for i, label in enumerate(categories)]
    for index, line in enumerate(series):
        colour, dash, marker = SERIES_STYLES[index % len(SERIES_STYLES)]
        parts += _series(box, line, colour, dash, marker, y_format)
    parts.append(_line_legend(box, series))
    parts.append("</svg>")
    return "\n".join(parts)


def _series(box: Box, line: Series, colour: str, dash, marker: str, y_format) -> list[str]:
    parts, run = [], []
    for index, value in enumerate(line.values):
        if value is None:
            parts += [_polyline(run, colour, 2, dash)] if len(run) > 1 else []
            run = []
            continue
        run.append((box.x(index + 0.5), box.y(value)))
    parts += [_polyline(run, colour, 2, dash)] if len(run) > 1 else []
    for index, value in enumerate(line.values):
        if value is not None:
            x, y = box.x(index + 0.5), box.y(value)
            level = {"circle": OutlierLevel.within, "rect": OutlierLevel.warning,
                     "polygon": OutlierLevel.alarm}[marker]
            tooltip = f"{line.name}: {y_format(value)}"
            parts.append(f"<g><title>{escape(tooltip)}</title>"
                         f"{_marker(level, x, y, colour, colour, 'above')}</g>")
    return parts


def _line_legend(box: Box, series: Sequence[Series]) -> str:
    items = []
    top = box.height - box.bottom + 36
    half = (box.width - box.left) / 2
    for index, line in enumerate(series):
        colour, dash, _marker_kind = SERIES_STYLES[index % len(SERIES_STYLES)]
        x = box.left + (index % 2) * half
        y = top + (index // 2) * 18
        items.append(_line(x, y, x + 22, y, colour, 2, dash))
        items.append(_text(x + 28, y + 4, line.name, size=11, anchor="start"))
    return '<g aria-hidden="true">' + "".join(items) + "</g>"


# -- shared pieces ------------------------------------------------------------------------------
def _open(ident: str, title: str, desc: str, width: int, height: int, fluid: bool) -> str:
    # A fluid chart fills its container's width (the height follows the viewBox); a fixed
    # one keeps its size, as a PDF needs.
    size = 'width="100%"' if fluid else f'width="{width}" height="{height}"'
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" {size} '
            f'viewBox="0 0 {width} {height}" font-family="{FONT}" '
            f'aria-labelledby="{ident}-title {ident}-desc" id={quoteattr(ident)}>'
            f'<title id="{ident}-title">{escape(title)}</title>'
            f'<desc id="{ident}-desc">{escape(desc)}</desc>'
            f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>')


def _clip(ident: str, box: Box) -> str:
    inner_w = box.width - box.left - box.right
    inner_h = box.height - box.top - box.bottom
    return (f'<defs><clipPath id="{ident}-clip"><rect x="{box.left}" y="{box.top - 8}" '
            f'width="{inner_w + 8}" height="{inner_h + 16}"/></clipPath></defs>')


def _axes(box: Box, x_ticks, y_ticks, x_format, y_format, x_label: str, y_label: str
          ) -> list[str]:
    bottom, left = box.height - box.bottom, box.left
    parts = ['<g aria-hidden="true">']
    for tick in y_ticks:
        y = box.y(tick)
        parts.append(_line(left, y, box.width - box.right, y, GRID, 1, None))
        parts.append(_text(left - 6, y + 4, y_format(tick), size=11, anchor="end"))
    for tick in x_ticks:
        x = box.x(tick)
        parts.append(_line(x, bottom, x, bottom + 5, MUTED, 1, None))
        parts.append(_text(x, bottom + 18, x_format(_count(tick)), size=11))
    parts.append(_line(left, box.top, left, bottom, MUTED, 1, None))
    parts.append(_line(left, bottom, box.width - box.right, bottom, MUTED, 1, None))
    if x_label:
        parts.append(_text((left + box.width - box.right) / 2, bottom + 36, x_label, size=12))
    if y_label:
        middle = (box.top + bottom) / 2
        parts.append(f'<text x="16" y="{middle:.1f}" font-size="12" fill="{INK}" '
                     f'text-anchor="middle" transform="rotate(-90 16 {middle:.1f})">'
                     f'{escape(y_label)}</text>')
    parts.append("</g>")
    return parts


def _line(x1, y1, x2, y2, colour: str, width: float, dash: str | None) -> str:
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="{colour}" stroke-width="{width}"{dashes}/>')


def _polyline(coords, colour: str, width: float, dash: str | None) -> str:
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    return (f'<polyline points="{points}" fill="none" stroke="{colour}" '
            f'stroke-width="{width}"{dashes}/>')


def _text(x: float, y: float, text: str, *, size: int, anchor: str = "middle") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{INK}" '
            f'text-anchor="{anchor}">{escape(str(text))}</text>')


def _count(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _nice_max(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value - 1e-12:
            return step * power
    return 10 * power


def _ticks(maximum: float) -> list[float]:
    """About five evenly spaced ticks from 0 to ``maximum``."""
    step = _nice_max(maximum / 5)
    ticks, value = [], 0.0
    while value <= maximum + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks
