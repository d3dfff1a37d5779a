"""Rules 5-6: excluded indicators drop out, the remaining weights are renormalised, and the
quantitative score is their weighted mean, overall and per balanced-scorecard dimension.

The overall score is computed as the sum of the per-indicator contributions
``weight_i / sum(included weights) * score_i``, so the contributions add up to it by
construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from appraisal.scoring.indicators import SCORED, IndicatorColumn
from appraisal.scoring.inputs import SchemeSpec


@dataclass(frozen=True)
class Combined:
    """Weights and scores for many people: rows are people, columns indicators (or
    dimensions, in scheme order). NaN marks "no score"."""

    weights: np.ndarray
    included: np.ndarray
    share: np.ndarray
    contribution: np.ndarray
    included_weight: np.ndarray
    overall: np.ndarray
    dimension_score: np.ndarray
    dimension_share: np.ndarray
    dimension_contribution: np.ndarray


def combine(scheme: SchemeSpec, columns: Sequence[IndicatorColumn], people: int) -> Combined:
    """Renormalise the weights of the included indicators and take the weighted means."""
    weights = np.array([spec.weight for spec in scheme.indicators], dtype=float)
    included = _stack([column.status == SCORED for column in columns], people, bool)
    scores = np.where(included, _stack([c.score for c in columns], people, float), 0.0)
    included_weights = weights * included
    included_weight = included_weights.sum(axis=1)
    share = _divide(included_weights, included_weight[:, None])
    contribution = share * scores
    overall = np.where(included_weight > 0, contribution.sum(axis=1), np.nan)
    dims = _by_dimension(scheme, included_weights, scores, contribution, included_weight)
    return Combined(weights, included, share, contribution, included_weight, overall, *dims)


def _by_dimension(scheme, included_weights, scores, contribution, included_weight):
    members = [
        np.array([spec.dimension == dimension for spec in scheme.indicators], dtype=bool)
        for dimension in scheme.dimensions
    ]
    people = included_weights.shape[0]
    weight = _stack([included_weights[:, m].sum(axis=1) for m in members], people, float)
    weighted = _stack(
        [(included_weights * scores)[:, m].sum(axis=1) for m in members], people, float
    )
    score = np.where(weight > 0, _divide(weighted, weight), np.nan)
    share = _divide(weight, included_weight[:, None])
    part = _stack([contribution[:, m].sum(axis=1) for m in members], people, float)
    return score, share, part


def _stack(columns: list[np.ndarray], people: int, dtype) -> np.ndarray:
    # column_stack of nothing fails; a scheme without indicators is still a valid shape.
    if not columns:
        return np.zeros((people, 0), dtype=dtype)
    return np.column_stack(columns).astype(dtype)


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Elementwise division that gives 0 where the denominator is 0 (nothing to share)."""
    denominator = np.broadcast_to(denominator, numerator.shape)
    return np.divide(numerator, denominator, out=np.zeros(numerator.shape), where=denominator > 0)
