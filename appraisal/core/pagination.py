"""Pagination of a select() with a page size from the configuration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, request
from sqlalchemy import Select, func, select

from appraisal.extensions import db


@dataclass
class Page:
    """One page of rows, with what the template needs to draw the pager."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        return 0 if not self.total else (self.page - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.per_page)


def requested_page() -> int:
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


def paginate(query: Select, per_page: int | None = None, scalars: bool = True) -> Page:
    """Run ``query`` for the requested page: two statements, whatever the page size."""
    per_page = per_page or current_app.config["PAGE_SIZE"]
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page = min(requested_page(), max(1, -(-total // per_page)))
    limited = query.limit(per_page).offset((page - 1) * per_page)
    rows = db.session.scalars(limited) if scalars else db.session.execute(limited)
    return Page(items=list(rows), page=page, per_page=per_page, total=total)
