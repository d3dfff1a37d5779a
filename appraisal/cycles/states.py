"""The cycle state machine (SPEC "Domain"): which transitions exist and why one is refused.

Pure: it reads the cycle's state and a few facts gathered by the caller, never the database.

    draft -> open -> reviewing -> calibrating -> published -> closed

A cycle moves one step forward, or one step back while nothing is frozen (open -> draft to fix
the schemes, reviewing -> open to collect late data, calibrating -> reviewing). Published
grades are frozen: from published the only way is closed, and closed is final.
"""

from __future__ import annotations

from dataclasses import dataclass

from appraisal.core.i18n import lazy_gettext as _l
from appraisal.cycles.models import CycleState

D, O, R, C, P, X = (CycleState.draft, CycleState.open, CycleState.reviewing,
                    CycleState.calibrating, CycleState.published, CycleState.closed)

# Forward step first: the detail page shows the buttons in this order.
TRANSITIONS: dict[CycleState, tuple[CycleState, ...]] = {
    D: (O,),
    O: (R, D),
    R: (C, O),
    C: (P, R),
    P: (X,),
    X: (),
}


@dataclass(frozen=True)
class CycleFacts:
    """What the guards need to know about a cycle besides its state."""

    schemes: int = 0  # schemes (current versions) in the cycle
    schemes_without_indicators: tuple[str, ...] = ()  # their names
    measurements: int = 0


def allowed_targets(state: CycleState) -> tuple[CycleState, ...]:
    """The states a cycle in ``state`` may move to, if the guards agree."""
    return TRANSITIONS[state]


def transition_refusal(cycle, target: CycleState, facts: CycleFacts) -> str | None:
    """Why ``cycle`` may not move to ``target`` (a sentence), or None when it may."""
    current = cycle.state
    reason = _structural_refusal(current, target)
    if reason is None and (current, target) == (D, O):
        reason = _open_refusal(facts)
    if reason is None and (current, target) == (O, D) and facts.measurements:
        reason = _l("Measurements have already been imported into this cycle "
                    "(%(n)s); it cannot go back to draft.", n=facts.measurements)
    return None if reason is None else str(reason)


def _structural_refusal(current: CycleState, target: CycleState):
    state, wanted = current.label.lower(), target.label.lower()
    if target is current:
        return _l("The cycle is already %(state)s.", state=state)
    if current is X:
        return _l("The cycle is closed: it cannot change state any more.")
    if current is P and target is not X:
        return _l("Cannot go back from published: published grades are frozen, so the cycle "
                  "cannot return to %(target)s. Later changes are recorded as amendments.",
                  target=wanted)
    if target is P and current is not C:
        return _l("A cycle is published only from calibrating (this one is %(state)s).",
                  state=state)
    if target is X and current is not P:
        return _l("A cycle is closed only from published (this one is %(state)s).",
                  state=state)
    if target not in TRANSITIONS[current]:
        return _l("A cycle moves one step at a time: from %(state)s it can go to %(allowed)s, "
                  "not to %(target)s.", state=state, target=wanted,
                  allowed=" / ".join(s.label.lower() for s in TRANSITIONS[current]))
    return None


def _open_refusal(facts: CycleFacts):
    if not facts.schemes:
        return _l("The cycle cannot be opened: open needs at least one scheme with at least "
                  "one indicator.")
    if facts.schemes_without_indicators:
        return _l("The cycle cannot be opened: every scheme needs at least one indicator, and "
                  "these have none: %(names)s.",
                  names=", ".join(facts.schemes_without_indicators))
    return None
