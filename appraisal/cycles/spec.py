"""A scheme as the scoring core sees it: ``scheme_spec(scheme) -> SchemeSpec``.

The scoring core validates what it is given (``SchemeError``); building the spec from a scheme
(or from a scheme with one change applied, before saving it) is also how the scheme pages
check a change. Every field is mapped here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable

from appraisal.scoring.inputs import (
    BreachWhen,
    IndicatorSpec,
    Kind,
    RedLine,
    SchemeSpec,
)


def scheme_spec(scheme) -> SchemeSpec:
    """The quantitative part of ``scheme`` (a ``Scheme`` row) for the scoring core."""
    return build_spec(scheme, scheme.items)


def build_spec(header, items: Iterable) -> SchemeSpec:
    """A spec from anything shaped like a scheme (``header``) and its chosen indicators.

    ``header`` needs min_denominator, cap_grade, grade_bands, funnel_overdispersion; each item
    needs indicator, weight, threshold, target, min_denominator, red_line_limit, red_line_side.
    Raises ``SchemeError`` when they are inconsistent.
    """
    return SchemeSpec(
        indicators=tuple(indicator_spec(item) for item in items),
        min_denominator=header.min_denominator,
        cap_grade=header.cap_grade or None,
        grade_bands=tuple((float(minimum), str(grade)) for minimum, grade in header.grade_bands),
        funnel_overdispersion=header.funnel_overdispersion,
    )


def indicator_spec(item) -> IndicatorSpec:
    """One chosen indicator (rates in proportions, as stored) for the scoring core."""
    indicator = item.indicator
    return IndicatorSpec(
        code=indicator.code,
        dimension=indicator.dimension.value,
        weight=item.weight,
        threshold=item.threshold,
        target=item.target,
        kind=Kind(indicator.kind.value),
        red_line=red_line(item),
        risk_adjustable=indicator.risk_adjustable,
        min_denominator=item.min_denominator,
    )


def red_line(item) -> RedLine | None:
    if item.red_line_limit is None:
        return None
    side = item.red_line_side.value if item.red_line_side is not None else BreachWhen.above
    return RedLine(limit=item.red_line_limit, breach_when=BreachWhen(side))
