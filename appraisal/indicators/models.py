"""Indicator library entries."""

from __future__ import annotations

import enum

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from appraisal.core.db import Base, enum_column
from appraisal.core.i18n import lazy_gettext as _l


class Dimension(enum.Enum):
    """Balanced-scorecard dimension."""

    quality_safety = "quality_safety"
    efficiency_process = "efficiency_process"
    patient = "patient"
    finance = "finance"
    learning_growth = "learning_growth"
    public_service = "public_service"

    @property
    def label(self) -> str:
        return str(DIMENSION_LABELS[self])


DIMENSION_LABELS = {
    Dimension.quality_safety: _l("Quality & safety"),
    Dimension.efficiency_process: _l("Efficiency & process"),
    Dimension.patient: _l("Patient"),
    Dimension.finance: _l("Finance"),
    Dimension.learning_growth: _l("Learning & growth"),
    Dimension.public_service: _l("Public service"),
}


class IndicatorKind(enum.Enum):
    """rate = numerator / denominator; value = a measured number; count = events."""

    rate = "rate"
    value = "value"
    count = "count"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


KIND_LABELS = {
    IndicatorKind.rate: _l("Rate"),
    IndicatorKind.value: _l("Value"),
    IndicatorKind.count: _l("Count"),
}


class Direction(enum.Enum):
    """Which way is better."""

    higher = "higher"
    lower = "lower"

    @property
    def label(self) -> str:
        return str(DIRECTION_LABELS[self])


DIRECTION_LABELS = {
    Direction.higher: _l("Higher is better"),
    Direction.lower: _l("Lower is better"),
}


# Where a measurement comes from: the systems a hospital feeds us from, a survey, or by hand.
DATA_SOURCE_LABELS = {
    "HIS": _l("HIS (hospital information system)"),
    "LIS": _l("LIS (laboratory information system)"),
    "EMR": _l("EMR (electronic medical record)"),
    "finance": _l("Finance system"),
    "HR": _l("HR system"),
    "survey": _l("Survey"),
    "manual": _l("Entered by hand"),
}



class Indicator(Base):
    """A library entry: what is measured, how, and why it matters (in plain words)."""

    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    explanation: Mapped[str] = mapped_column(Text, default="")
    dimension: Mapped[Dimension] = mapped_column(enum_column(Dimension, length=30))
    kind: Mapped[IndicatorKind] = mapped_column(enum_column(IndicatorKind, length=30))
    unit: Mapped[str] = mapped_column(String(40), default="")
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, length=30))
    data_source: Mapped[str] = mapped_column(String(120), default="")
    risk_adjustable: Mapped[bool] = mapped_column(default=False)
    # Values outside this range are refused at import as implausible (None: no bound).
    plausible_min: Mapped[float | None]
    plausible_max: Mapped[float | None]
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def is_rate(self) -> bool:
        return self.kind is IndicatorKind.rate

    @property
    def data_source_label(self) -> str:
        label = DATA_SOURCE_LABELS.get(self.data_source)
        return str(label) if label is not None else self.data_source

    def __repr__(self) -> str:
        return f"<Indicator {self.code}>"
