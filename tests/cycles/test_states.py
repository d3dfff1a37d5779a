"""The cycle state machine, pure: every pair of states is allowed or refused with its reason."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from appraisal.cycles.models import CycleState
from appraisal.cycles.states import CycleFacts, allowed_targets, transition_refusal

D, O, R, C, P, X = (CycleState.draft, CycleState.open, CycleState.reviewing,
                    CycleState.calibrating, CycleState.published, CycleState.closed)
READY = CycleFacts(schemes=2)  # schemes with indicators, no measurements: only the rules matter

ALREADY = "The cycle is already"
STEP = "A cycle moves one step at a time"
PUBLISH = "A cycle is published only from calibrating"
CLOSE = "A cycle is closed only from published"
FROZEN = "Cannot go back from published: published grades are frozen"
FINAL = "The cycle is closed: it cannot change state any more."

# TABLE[current][target]: None (allowed) or the start of the reason.
TABLE = {
    D: {D: ALREADY, O: None, R: STEP, C: STEP, P: PUBLISH, X: CLOSE},
    O: {D: None, O: ALREADY, R: None, C: STEP, P: PUBLISH, X: CLOSE},
    R: {D: STEP, O: None, R: ALREADY, C: None, P: PUBLISH, X: CLOSE},
    C: {D: STEP, O: STEP, R: None, C: ALREADY, P: None, X: CLOSE},
    P: {D: FROZEN, O: FROZEN, R: FROZEN, C: FROZEN, P: ALREADY, X: None},
    X: {D: FINAL, O: FINAL, R: FINAL, C: FINAL, P: FINAL, X: ALREADY},
}


@pytest.mark.parametrize("current, target", [(c, t) for c in CycleState for t in CycleState],
                         ids=lambda state: state.value)
def test_every_pair_of_states(current, target):
    reason = transition_refusal(SimpleNamespace(state=current), target, READY)
    expected = TABLE[current][target]
    if expected is None:
        assert reason is None
        assert target in allowed_targets(current)
    else:
        assert reason is not None and reason.startswith(expected), reason
        assert target not in allowed_targets(current)


def test_the_reasons_name_the_states():
    cycle = SimpleNamespace(state=R)
    assert transition_refusal(cycle, P, READY) == (
        "A cycle is published only from calibrating (this one is reviewing).")
    assert transition_refusal(SimpleNamespace(state=D), C, READY) == (
        "A cycle moves one step at a time: from draft it can go to open, not to calibrating.")
    assert "cannot return to reviewing" in transition_refusal(SimpleNamespace(state=P), R, READY)


@pytest.mark.parametrize("facts, reason", [
    (CycleFacts(), ("The cycle cannot be opened: open needs at least one scheme with at least "
                   "one indicator.")),
    (CycleFacts(schemes=2, schemes_without_indicators=("Nurses",)),
     ("The cycle cannot be opened: every scheme needs at least one indicator, and these have "
     "none: Nurses.")),
    (CycleFacts(schemes=1, measurements=40), None),
])
def test_opening_needs_schemes_with_indicators(facts, reason):
    assert transition_refusal(SimpleNamespace(state=D), O, facts) == reason


def test_back_to_draft_only_before_any_measurement():
    cycle = SimpleNamespace(state=O)
    assert transition_refusal(cycle, D, CycleFacts(schemes=1)) is None
    assert transition_refusal(cycle, D, CycleFacts(schemes=1, measurements=3)) == (
        "Measurements have already been imported into this cycle (3); it cannot go back to "
        "draft.")
