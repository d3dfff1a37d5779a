"""Queries of the indicator library pages (selects to paginate, small look-ups)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, lazyload

from appraisal.cycles.models import Cycle, Scheme, SchemeIndicator
from appraisal.extensions import db
from appraisal.indicators.models import Dimension, Indicator, IndicatorKind
from appraisal.measurements.models import Measurement


@dataclass
class IndicatorFilters:
    """The library list's search and filters."""

    q: str = ""
    dimension: Dimension | None = None
    kind: IndicatorKind | None = None
    active: bool | None = True

    @property
    def any(self) -> bool:
        return bool(self.q or self.dimension or self.kind or self.active is not None)


def indicator_select(filters: IndicatorFilters) -> Select:
    """Library entries matching ``filters``, by code."""
    query = select(Indicator).order_by(Indicator.code)
    if filters.q:
        query = query.where(or_(Indicator.code.icontains(filters.q, autoescape=True),
                                Indicator.name.icontains(filters.q, autoescape=True)))
    if filters.dimension is not None:
        query = query.where(Indicator.dimension == filters.dimension)
    if filters.kind is not None:
        query = query.where(Indicator.kind == filters.kind)
    if filters.active is not None:
        query = query.where(Indicator.active.is_(filters.active))
    return query


def library_size() -> int:
    return db.session.scalar(select(func.count()).select_from(Indicator))


def code_taken(code: str, exclude_id: int | None = None) -> Indicator | None:
    """The indicator already using ``code`` (codes are unique whatever their case)."""
    query = select(Indicator).where(func.lower(Indicator.code) == code.strip().lower())
    if exclude_id is not None:
        query = query.where(Indicator.id != exclude_id)
    return db.session.scalars(query).first()


def usage_counts(indicator: Indicator) -> tuple[int, int]:
    """(scheme versions, measurements) that use ``indicator``."""
    schemes = db.session.scalar(select(func.count()).select_from(SchemeIndicator)
                                .where(SchemeIndicator.indicator_id == indicator.id))
    measurements = db.session.scalar(select(func.count()).select_from(Measurement)
                                     .where(Measurement.indicator_id == indicator.id))
    return schemes, measurements


def schemes_using(indicator: Indicator, limit: int = 50) -> list[Scheme]:
    """Scheme versions that use ``indicator``, newest cycle first (one statement)."""
    return list(db.session.scalars(
        select(Scheme).join(Scheme.cycle)
        .join(SchemeIndicator, SchemeIndicator.scheme_id == Scheme.id)
        .where(SchemeIndicator.indicator_id == indicator.id)
        .options(contains_eager(Scheme.cycle), joinedload(Scheme.department),
                 lazyload(Scheme.items))
        .order_by(Cycle.start_date.desc(), Scheme.name, Scheme.version.desc()).limit(limit)
    ).unique())
