"""The department page's charts: the pure SVG functions fed with translated words."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup

from appraisal.scorecards import svg
from appraisal.scorecards.department import DepartmentResults, Funnel
from appraisal.scorecards.display import points, result_value


@dataclass(frozen=True)
class Chart:
    """An SVG chart ready for the template, with what it is about."""

    svg: Markup
    title: str


def funnel_texts(risk_adjusted: bool = False) -> svg.FunnelTexts:
    if risk_adjusted:
        x_axis = _("Case-mix equivalent cases (expected events / group rate)")
        y_axis = _("Risk-adjusted rate")
        # Filled in by the chart for each point: keep the placeholders.
        point = _("%(label)s: %(rate)s risk-adjusted, at %(n)s case-mix equivalent cases "
                  "(%(level)s)", label="%(label)s", rate="%(rate)s", n="%(n)s",
                  level="%(level)s")
    else:
        x_axis, y_axis = _("Cases (denominator)"), _("Rate")
        point = _("%(label)s: %(rate)s of %(n)s cases (%(level)s)", label="%(label)s",
                  rate="%(rate)s", n="%(n)s", level="%(level)s")
    return svg.FunnelTexts(
        x_axis=x_axis, y_axis=y_axis, ours=_("This department"),
        others=_("Rest of the comparison group"),
        other_point=_("Another clinician of the comparison group"),
        warning=_("Beyond the %(limit)s limits (square)", limit="95%"),
        alarm=_("Beyond the %(limit)s limits (triangle)", limit="99.8%"),
        limits95=_("%(limit)s control limits", limit="95%"),
        limits998=_("%(limit)s control limits", limit="99.8%"),
        centre=_("Group rate"),
        point=point,
        levels={"within": _("within the limits"),
                "warning": _("beyond the %(limit)s limits", limit="95%"),
                "alarm": _("beyond the %(limit)s limits", limit="99.8%")})


def funnel_chart(funnel: Funnel) -> Chart:
    """The funnel plot of one rate indicator, with a description for screen readers."""
    indicator = funnel.indicator
    alarms = sum(1 for row in funnel.rows if str(row.position.level) == "alarm")
    warnings = sum(1 for row in funnel.rows if str(row.position.level) == "warning")
    title = _("Funnel plot: %(indicator)s", indicator=indicator.name)
    facts = {"n": len(funnel.plot.points), "ours": len(funnel.rows), "alarms": alarms,
             "warnings": warnings, "rate": result_value(indicator, funnel.plot.theta0)}
    if funnel.plot.risk_adjusted:
        desc = _("%(n)s clinicians of the comparison group plotted by case-mix equivalent "
                 "cases against their risk-adjusted rate, around the group rate %(rate)s, "
                 "with 95%% and 99.8%% control limits from their expected events. This "
                 "department has %(ours)s of them: %(alarms)s beyond the 99.8%% limits, "
                 "%(warnings)s beyond the 95%% limits only. The table beside the chart lists "
                 "them.", **facts)
    else:
        desc = _("%(n)s clinicians of the comparison group plotted by number of cases "
                 "against their rate, around the group rate %(rate)s, with 95%% and 99.8%% "
                 "control limits. This department has %(ours)s of them: %(alarms)s beyond "
                 "the 99.8%% limits, %(warnings)s beyond the 95%% limits only. The table "
                 "beside the chart lists them.", **facts)
    markup = svg.funnel_svg(funnel.plot, ident=funnel.ident, title=title, desc=desc,
                            labels=funnel.labels,
                            texts=funnel_texts(funnel.plot.risk_adjusted),
                            rate_format=lambda value: result_value(indicator, value))
    return Chart(Markup(markup), title)


def trend_charts(results: DepartmentResults) -> list[Chart]:
    """The average score over the cycles, and each rate indicator's rates over the cycles."""
    names = [point.cycle.name for point in results.trend]
    charts = []
    title = _("Average quantitative score of the department by cycle")
    values = [point.average for point in results.trend]
    desc = _("Average score per cycle: %(values)s.", values="; ".join(
        f"{name} {points(value)}" for name, value in zip(names, values)))
    charts.append(Chart(Markup(svg.line_chart_svg(
        names, [svg.Series(_("Department average"), values)], ident="trend-score",
        title=title, desc=desc, y_format=lambda v: f"{v:g}", y_max=100)), title))
    for indicator in results.rate_indicators:
        ours = [point.rates.get(indicator.code, (None, None))[0] for point in results.trend]
        group = [point.rates.get(indicator.code, (None, None))[1] for point in results.trend]
        title = _("%(indicator)s by cycle", indicator=indicator.name)
        desc = _("Department rate and comparison-group rate per cycle: %(values)s.",
                 values="; ".join(f"{name} {result_value(indicator, a)} / "
                                  f"{result_value(indicator, b)}"
                                  for name, a, b in zip(names, ours, group)))
        charts.append(Chart(Markup(svg.line_chart_svg(
            names, [svg.Series(_("Department"), ours), svg.Series(_("Comparison group"), group)],
            ident=f"trend-{indicator.id}", title=title, desc=desc,
            y_format=lambda v, i=indicator: result_value(i, v))), title))
    return charts
