"""Cycles (appraisal periods with a guarded state machine) and versioned schemes."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from appraisal.core.db import Base, enum_column, utcnow
from appraisal.core.i18n import lazy_gettext as _l
from appraisal.indicators.models import Indicator
from appraisal.org.models import Department, StaffGroup


class CyclePeriod(enum.Enum):
    month = "month"
    quarter = "quarter"
    year = "year"

    @property
    def label(self) -> str:
        return str(PERIOD_LABELS[self])


PERIOD_LABELS = {
    CyclePeriod.month: _l("Month"),
    CyclePeriod.quarter: _l("Quarter"),
    CyclePeriod.year: _l("Year"),
}


class CycleState(enum.Enum):
    """draft -> open -> reviewing -> calibrating -> published -> closed."""

    draft = "draft"
    open = "open"
    reviewing = "reviewing"
    calibrating = "calibrating"
    published = "published"
    closed = "closed"

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self])


STATE_LABELS = {
    CycleState.draft: _l("Draft"),
    CycleState.open: _l("Open"),
    CycleState.reviewing: _l("Reviewing"),
    CycleState.calibrating: _l("Calibrating"),
    CycleState.published: _l("Published"),
    CycleState.closed: _l("Closed"),
}


class Cycle(Base):
    """An appraisal period."""

    __tablename__ = "cycles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    period: Mapped[CyclePeriod] = mapped_column(enum_column(CyclePeriod))
    start_date: Mapped[date]
    end_date: Mapped[date]
    state: Mapped[CycleState] = mapped_column(enum_column(CycleState), default=CycleState.draft)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    schemes: Mapped[list[Scheme]] = relationship(back_populates="cycle", order_by="Scheme.id")

    @property
    def accepts_measurements(self) -> bool:
        return self.state in (CycleState.open, CycleState.reviewing)

    @property
    def is_frozen(self) -> bool:
        return self.state in (CycleState.published, CycleState.closed)

    def __repr__(self) -> str:
        return f"<Cycle {self.name} {self.state.value}>"


class Scheme(Base):
    """One version of the scheme for a cycle, a staff group and optionally a department.

    A published cycle keeps the version it used: editing a frozen version makes a new one.
    """

    __tablename__ = "schemes"
    __table_args__ = (UniqueConstraint("cycle_id", "staff_group", "department_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    staff_group: Mapped[StaffGroup] = mapped_column(enum_column(StaffGroup))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    version: Mapped[int] = mapped_column(default=1)
    frozen: Mapped[bool] = mapped_column(default=False)
    name: Mapped[str] = mapped_column(String(200))
    # Component weights of the composite (SPEC Scoring 11); they need not add up to 1.
    weight_quantitative: Mapped[float] = mapped_column(default=0.6)
    weight_360: Mapped[float] = mapped_column(default=0.15)
    weight_panel: Mapped[float] = mapped_column(default=0.1)
    weight_case_quality: Mapped[float] = mapped_column(default=0.1)
    weight_contributions: Mapped[float] = mapped_column(default=0.05)
    # [[minimum composite, grade], ...]; the best grade has the highest minimum.
    grade_bands: Mapped[list] = mapped_column(JSON, default=lambda: [[85, "A"], [70, "B"],
                                                                   [55, "C"], [0, "D"]])
    cap_grade: Mapped[str | None] = mapped_column(String(10))
    anonymity_threshold: Mapped[int] = mapped_column(default=3)
    min_denominator: Mapped[int] = mapped_column(default=10)
    # Compare with the same department only, instead of the whole staff group.
    compare_within_department: Mapped[bool] = mapped_column(default=False)
    funnel_overdispersion: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    cycle: Mapped[Cycle] = relationship(back_populates="schemes")
    department: Mapped[Department | None] = relationship()
    items: Mapped[list[SchemeIndicator]] = relationship(
        back_populates="scheme", cascade="all, delete-orphan", order_by="SchemeIndicator.id",
        lazy="selectin",
    )

    def __repr__(self) -> str:
        return f"<Scheme {self.name} v{self.version}>"


class RedLineSide(enum.Enum):
    """Which side of the limit is a breach (the limit itself is allowed)."""

    above = "above"
    below = "below"


class SchemeIndicator(Base):
    """An indicator chosen by a scheme, with its weight, threshold, target and red line."""

    __tablename__ = "scheme_indicators"
    __table_args__ = (UniqueConstraint("scheme_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    weight: Mapped[float]
    threshold: Mapped[float]
    target: Mapped[float]
    min_denominator: Mapped[int | None]
    red_line_limit: Mapped[float | None]
    red_line_side: Mapped[RedLineSide | None] = mapped_column(enum_column(RedLineSide))

    scheme: Mapped[Scheme] = relationship(back_populates="items")
    indicator: Mapped[Indicator] = relationship(lazy="joined")
