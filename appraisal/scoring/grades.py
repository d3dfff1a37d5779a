"""Grade bands (SPEC Scoring 11) and the red-line cap (Scoring 4)."""

from __future__ import annotations

from collections.abc import Sequence

from appraisal.scoring.inputs import SchemeError
from appraisal.scoring.results import GradeResult, Step, StepCode


def grade_for(
    composite: float, bands: Sequence[tuple[float, str]], cap: str | None = None
) -> GradeResult:
    """The grade of the highest band whose minimum the composite reaches, then capped.

    ``bands``: ``(minimum composite, grade)`` pairs in any order; a composite below every
    minimum gets the lowest band. ``cap`` (the scheme's cap grade after a red-line breach)
    lowers a better grade to the cap and leaves a worse one alone.
    """
    ordered = _best_first(bands)
    minimum, uncapped = next(
        ((low, grade) for low, grade in ordered if composite >= low), ordered[-1]
    )
    steps = [Step(StepCode.banded, {"composite": composite, "minimum": minimum, "grade": uncapped})]
    grades = [grade for _, grade in ordered]
    if cap is not None and cap not in grades:
        raise SchemeError("cap_grade_not_a_band", grade=cap)
    if cap is None or grades.index(uncapped) >= grades.index(cap):
        return GradeResult(uncapped, uncapped, tuple(steps))
    steps.append(Step(StepCode.capped, {"grade": uncapped, "cap_grade": cap}))
    return GradeResult(cap, uncapped, tuple(steps))


def _best_first(bands: Sequence[tuple[float, str]]) -> list[tuple[float, str]]:
    if not bands:
        raise SchemeError("no_grade_bands")
    return sorted(((float(low), grade) for low, grade in bands), key=lambda b: -b[0])
